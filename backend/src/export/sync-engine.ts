import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { listSpacePagesOnce } from '../confluence/api/space-pages';
import { getSpaceByKey } from '../confluence/api/spaces';
import type { ConfluenceClient } from '../confluence/client';
import type { ConfluenceEndpoint } from '../confluence/endpoint-scopes';
import { isConfluenceError } from '../confluence/errors';
import type { ConfluenceClientResolver } from '../publishing/confluence-gateway';
import type { ActivityRepository } from '../store/activity-repository';
import type { ChangeAnnouncer, MirroredPageChange, MirrorTarget, PageRefresher } from './page-mirror';
import { readPageForMirror } from './page-reader';
import { derivePageTree } from './page-tree';
import type { MirrorRepository, MirrorUpdate } from './store/mirror-repository';
import type {
  SpaceExport,
  SyncCheckpoint,
  SyncLease,
  SyncMode,
  SyncRepository,
} from './store/sync-repository';

/** A full sync (every page re-read) at least this often catches what a listing cannot show: label and restriction changes. */
export const FULL_SYNC_EVERY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_LEASE_MS = 5 * 60 * 1000;
/** Detail reads in flight per sync; the pacer decides how fast they really go. */
const DEFAULT_READ_CONCURRENCY = 8;
const LISTED_STATUSES = ['current', 'archived', 'trashed'] as const;

export interface SyncEngineDeps {
  spaces: SyncRepository;
  mirror: MirrorRepository;
  clientFor: ConfluenceClientResolver;
  activity: ActivityRepository;
  logger: Logger;
  now: () => Date;
  /** `PAGEWIRE_EXPORT_RECONCILE_MINUTES` in milliseconds. */
  reconcileMs: number;
  leaseMs?: number;
  readConcurrency?: number;
  /** Pages per listing request (Confluence's maximum, 250, unless a test wants more checkpoints). */
  listLimit?: number;
  /** Told of the changes a run finds (not those of a space's first sync, the backfill): the webhooks. */
  announcer?: ChangeAnnouncer;
}

export interface SyncRunReport {
  installationId: string;
  spaceKey: string;
  mode: SyncMode;
  /** Confluence requests this run made (a resumed run counts the crashed part too). */
  requests: number;
  changes: number;
}

export interface SyncEngine extends PageRefresher {
  /** Runs the next due sync, if any, to its end; resolves to its report, or null when nothing was due. */
  runNext(owner: string): Promise<SyncRunReport | null>;
}

class SyncLeaseLost extends Error {
  override readonly name = 'SyncLeaseLost';
}

/** Counts the requests a run makes, for its checkpoint and its activity row. */
function countingClient(client: ConfluenceClient, counter: { requests: number }): ConfluenceClient {
  return {
    baseUrl: client.baseUrl,
    credential: client.credential,
    send(request) {
      counter.requests += 1;
      return client.send(request);
    },
  };
}

async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(workers);
}

function describeFailure(error: unknown): { code: string; detail: string } {
  if (isConfluenceError(error)) return { code: error.problemCode, detail: error.message };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^[a-z_]+$/.test(code)) {
    return { code, detail: (error as Error).message };
  }
  return { code: 'internal_error', detail: 'The sync failed unexpectedly; it is retried.' };
}

export function createSyncEngine(deps: SyncEngineDeps): SyncEngine {
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const concurrency = deps.readConcurrency ?? DEFAULT_READ_CONCURRENCY;
  const log = deps.logger;

  /**
   * One set of clients per run (a job: the installation and its tokens read once) and one client per
   * endpoint kind; the credential selector may pick a different credential per kind.
   */
  function clientsFor(target: MirrorTarget, counter: { requests: number }) {
    const job = deps.clientFor.forJob();
    const cache = new Map<ConfluenceEndpoint, Promise<ConfluenceClient>>();
    return async (endpoint: ConfluenceEndpoint) => {
      let client = cache.get(endpoint);
      if (client === undefined) {
        client = job.clientFor(target, endpoint).then((found) => countingClient(found, counter));
        cache.set(endpoint, client);
        client.catch(() => cache.delete(endpoint));
      }
      return client;
    };
  }

  /** A client that sends each request with the right credential for it. */
  function routedClient(target: MirrorTarget, counter: { requests: number }): ConfluenceClient {
    const clients = clientsFor(target, counter);
    return {
      baseUrl: '',
      get credential(): never {
        throw new Error('a routed client has a credential per request');
      },
      async send(request) {
        return (await clients(request.endpoint)).send(request);
      },
    };
  }

  async function spaceIdOf(space: SpaceExport, counter: { requests: number }): Promise<string> {
    if (space.spaceId !== null) return space.spaceId;
    // The real client, not the routed one: its error messages name the credential.
    const client = countingClient(await deps.clientFor.forJob().clientFor(space, 'space.read'), counter);
    const found = await getSpaceByKey(client, { key: space.spaceKey });
    await deps.spaces.setSpaceId(space, found.id);
    return found.id;
  }

  /**
   * Hands a change the reconcile recorded to the announcer. Its failure is
   * logged, not the run's: the mirror is already right, and failing the run
   * would not bring the announcement back (the retry finds nothing to change).
   */
  async function announce(
    announcer: ChangeAnnouncer,
    found: { target: MirrorTarget; spaceId: string; pageId: string; before: MirroredPageChange['before'] },
  ): Promise<void> {
    const after = await deps.mirror.get(found.target, found.pageId);
    if (after === null) return;
    try {
      await announcer.announce({
        installationId: found.target.installationId,
        spaceKey: found.target.spaceKey,
        spaceId: found.spaceId,
        pageId: found.pageId,
        before: found.before,
        after,
      });
    } catch (error) {
      log.warn({ err: error, pageId: found.pageId }, 'a change the reconcile found could not be announced');
    }
  }

  async function deriveTree(target: MirrorTarget, now: Date): Promise<number> {
    const entries = await deps.mirror.entries(target);
    return deps.mirror.setDerived(target, derivePageTree(entries), now);
  }

  function modeFor(space: SpaceExport, now: Date): SyncMode {
    if (space.checkpoint !== null) return space.checkpoint.mode;
    if (space.mode === 'full' || space.lastFullSyncAt === null) return 'full';
    return now.getTime() - Date.parse(space.lastFullSyncAt) >= FULL_SYNC_EVERY_MS ? 'full' : 'incremental';
  }

  async function run(lease: SyncLease): Promise<SyncRunReport> {
    const space = lease.space;
    const target: MirrorTarget = space;
    const startedAt = deps.now();
    const checkpoint: SyncCheckpoint = space.checkpoint ?? {
      runId: randomUUID(),
      mode: modeFor(space, startedAt),
      phase: 'list',
      next: null,
      startedAt: startedAt.toISOString(),
      requests: 0,
    };
    const counter = { requests: checkpoint.requests };
    const client = routedClient(target, counter);
    const spaceId = await spaceIdOf(space, counter);
    let changes = 0;
    const save = async () => {
      checkpoint.requests = counter.requests;
      if (!(await deps.spaces.checkpoint(lease, checkpoint, deps.now(), leaseMs))) throw new SyncLeaseLost();
    };
    // The first sync of a space is its backfill: every page is new to the mirror, none is news.
    const announcer = space.lastFullSyncAt === null ? undefined : deps.announcer;
    const record = async (pageId: string) => {
      const before = announcer === undefined ? null : await deps.mirror.get(target, pageId);
      const reading = await readPageForMirror(client, { pageId, spaceId, now: deps.now() });
      const update: MirrorUpdate | null =
        reading.kind === 'found'
          ? await deps.mirror.upsert(target, reading.page, { now: deps.now(), runId: checkpoint.runId })
          : await deps.mirror.tombstone(target, pageId, deps.now());
      if (update === null) return;
      changes += 1;
      if (announcer !== undefined) await announce(announcer, { target, spaceId, pageId, before });
    };

    // The listing: every page the app may read, 250 a request; what differs from the mirror is read in full.
    while (checkpoint.phase === 'list') {
      const entries = await deps.mirror.entries(target);
      const listed = await listSpacePagesOnce(client, {
        spaceId,
        statuses: LISTED_STATUSES,
        next: checkpoint.next,
        ...(deps.listLimit === undefined ? {} : { limit: deps.listLimit }),
      });
      const toRead = listed.pages.filter((page) => {
        const entry = entries.get(page.id);
        if (checkpoint.mode === 'full') return entry?.readRun !== checkpoint.runId;
        return (
          entry === undefined ||
          entry.status !== page.status ||
          entry.version !== page.version.number ||
          entry.title !== page.title ||
          entry.parentId !== (page.parentId ?? null)
        );
      });
      await forEachConcurrently(toRead, concurrency, (page) => record(page.id));
      await deps.mirror.markSeen(
        target,
        listed.pages.map((page) => page.id),
        checkpoint.runId,
      );
      checkpoint.next = listed.next;
      if (listed.next === null) checkpoint.phase = 'sweep';
      await save();
    }

    // What the mirror holds and the listing no longer showed: purged, moved away, or no longer readable.
    const entries = await deps.mirror.entries(target);
    const missing = [...entries.values()].filter(
      (entry) => entry.status !== 'deleted' && entry.seenRun !== checkpoint.runId,
    );
    await forEachConcurrently(missing, concurrency, (entry) => record(entry.pageId));
    changes += await deriveTree(target, deps.now());
    return {
      installationId: space.installationId,
      spaceKey: space.spaceKey,
      mode: checkpoint.mode,
      requests: counter.requests,
      changes,
    };
  }

  async function settle(lease: SyncLease, outcome: SyncRunReport | { error: unknown }) {
    const now = deps.now();
    const space = lease.space;
    if ('error' in outcome) {
      const failure = describeFailure(outcome.error);
      const backoffMs = Math.min(deps.reconcileMs, 30_000 * 2 ** Math.min(space.attempts, 10));
      await deps.spaces.fail(lease, failure, new Date(now.getTime() + backoffMs), now);
      log.warn({ spaceKey: space.spaceKey, code: failure.code }, 'export sync failed; it resumes later');
      // One row per failing streak, not one per retry.
      if (space.attempts === 0) {
        await deps.activity.append({
          installationId: space.installationId,
          spaceKey: space.spaceKey,
          actor: { kind: 'system', id: 'pagewire' },
          action: 'export.sync_failed',
          result: 'failed',
          detail: `The export sync failed (${failure.code}): ${failure.detail} It resumes where it stopped.`,
          at: now,
        });
      }
      return;
    }
    await deps.spaces.finish(lease, {
      now,
      nextDueAt: new Date(now.getTime() + deps.reconcileMs),
      full: outcome.mode === 'full',
    });
    // Routine reconciles that found nothing would flood the log; full syncs and changes are worth a row.
    if (outcome.mode === 'full' || outcome.changes > 0) {
      await deps.activity.append({
        installationId: space.installationId,
        spaceKey: space.spaceKey,
        actor: { kind: 'system', id: 'pagewire' },
        action: 'export.synced',
        result: 'ok',
        detail: `${outcome.mode === 'full' ? 'Full sync' : 'Reconcile'}: ${outcome.changes} change${outcome.changes === 1 ? '' : 's'} recorded, ${outcome.requests} Confluence request${outcome.requests === 1 ? '' : 's'}.`,
        at: now,
      });
    }
  }

  return {
    async runNext(owner) {
      const lease = await deps.spaces.claim(owner, deps.now(), leaseMs);
      if (lease === null) return null;
      let report: SyncRunReport;
      try {
        report = await run(lease);
      } catch (error) {
        if (error instanceof SyncLeaseLost) {
          log.warn({ spaceKey: lease.space.spaceKey }, 'export sync lease lost; another worker carries on');
          return null;
        }
        await settle(lease, { error });
        return null;
      }
      await settle(lease, report);
      return report;
    },

    async refreshPage(installationId, spaceId, pageId): Promise<MirroredPageChange | null> {
      const space = await deps.spaces.findBySpaceId(installationId, spaceId);
      if (space === null || !space.enabled) return null;
      const target: MirrorTarget = space;
      const client = routedClient(target, { requests: 0 });
      const before = await deps.mirror.get(target, pageId);
      const now = deps.now();
      const reading = await readPageForMirror(client, { pageId, spaceId, now });
      const update =
        reading.kind === 'found'
          ? await deps.mirror.upsert(target, reading.page, { now, runId: null })
          : await deps.mirror.tombstone(target, pageId, now);
      const derived = await deriveTree(target, deps.now());
      if (update === null && derived === 0) return null;
      const after = await deps.mirror.get(target, pageId);
      if (after === null || (before !== null && after.changeSeq === before.changeSeq)) return null;
      return { installationId, spaceKey: space.spaceKey, spaceId, pageId, before, after };
    },
  };
}
