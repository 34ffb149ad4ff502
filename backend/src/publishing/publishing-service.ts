import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type ActivityAction,
  type ActivityResult,
  type JobView,
  type PageIngestBody,
  terminalJobStates,
} from '@pagewire/shared';
import { type AdfValidator, createAdfValidator } from '@pagewire/shared/adf-validator';
import type { Logger } from 'pino';
import type { IngestPrincipal } from '../auth/ingest-key';
import { defaultPublishingConfig, type PublishingConfig } from '../config/publishing-config';
import type { BlockEvents } from '../domain/block-events';
import type { Database } from '../store/database';
import type { Repositories } from '../store/repositories';
import {
  createCachedRenderer,
  createInProcessRenderer,
  type MarkdownRenderer,
} from './adf/markdown-renderer';
import { type ConfluenceClientResolver, createPublishingConfluence } from './confluence-gateway';
import { createPageIndexer } from './page-indexer';
import { type PublishIntent, type PublishResult, publishPage } from './page-publisher';
import { createPublishingMetrics, type PublishingMetrics } from './publishing-metrics';
import { createPublishingWorker, type PublishingWorker } from './publishing-worker';
import { publishSnapshot, type SnapshotRequest } from './snapshot-publisher';
import { createSpaceDirectory } from './space-directory';
import { createPageIdentityRepository } from './store/page-identity-repository';
import {
  createQueueRepository,
  type EnqueueInput,
  EPHEMERAL_TARGET_PREFIX,
  type Lease,
  type QueueRepository,
  type StoredJob,
  toJobView,
} from './store/queue-repository';
import { createSnapshotRepository } from './store/snapshot-repository';

/** The source name of work the engine queues on its own behalf. */
export const SYSTEM_SOURCE = 'pagewire';

export interface PublishingServiceDeps {
  database: Database;
  repositories: Pick<Repositories, 'blocks' | 'placements' | 'spaceSettings' | 'activity'>;
  /** Resolves each job's paced clients: credentials picked by the credential selector, read once per job. */
  clientFor: ConfluenceClientResolver;
  logger: Logger;
  /** The backend's metrics registry; omitted in tests that do not look at metrics. */
  metricsRegistry?: import('prom-client').Registry | undefined;
  /** Block changes arrive here; the engine subscribes to refresh snapshots. */
  blockEvents?: BlockEvents | undefined;
  config?: Partial<PublishingConfig> | undefined;
  now?: () => Date;
  /** Identifies this process's leases; defaults to `host:pid:random`. */
  owner?: string;
  /**
   * Markdown→ADF for pages and snapshots: the backend's render pool. Tests of
   * the engine alone render in process (same results, no time budget).
   */
  markdownRenderer?: MarkdownRenderer | undefined;
}

export interface PublishingService {
  /** `PUT /ingest/v1/pages/{externalId}` after validation: queue it, return the job. */
  acceptPage(principal: IngestPrincipal, externalId: string, body: PageIngestBody): Promise<StoredJob>;
  /** A job as its source may see it: only jobs of the key's installation and space. */
  findJob(principal: IngestPrincipal, jobId: string): Promise<JobView | null>;
  /**
   * The job once it is final, or after `waitMs` as it is then (null: no such
   * job for this key). Woken by this process's worker when the job's page is
   * done, and it looks again every second for work other replicas finish.
   */
  waitForJob(
    principal: IngestPrincipal,
    jobId: string,
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<JobView | null>;
  /** Queues a snapshot refresh of every macro showing the block, when the space's policy is `snapshot`. */
  refreshSnapshotsOfBlock(input: {
    installationId: string;
    spaceKey: string;
    blockKey: string;
    source: string;
  }): Promise<number>;
  /** Queues a snapshot of every placed block in the space (after a switch to the `snapshot` policy). */
  refreshSnapshotsOfSpace(input: {
    installationId: string;
    spaceKey: string;
    source: string;
  }): Promise<number>;
  /**
   * Queues a refresh for every snapshot that does not show its block's current
   * revision (a crash between storing a block and queueing its refresh). Runs
   * at start and then every `reconcileMs`; resolves to how many it queued.
   */
  reconcileSnapshots(): Promise<number>;
  /** Writes the homepage index entries of pages created since the last flush (page-indexer.ts). */
  flushPageIndex(): Promise<void>;
  /** Starts the worker (after releasing leases that crashed processes on this host left behind). */
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly queue: QueueRepository;
  readonly worker: PublishingWorker;
  readonly adfValidator: AdfValidator;
}

/** How long a space's id, homepage and index census are trusted before they are read again. */
const SPACE_DIRECTORY_TTL_MS = 15 * 60_000;

export function createPublishingService(deps: PublishingServiceDeps): PublishingService {
  const config: PublishingConfig = { ...defaultPublishingConfig, ...deps.config };
  const now = deps.now ?? (() => new Date());
  const owner = deps.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const db = deps.database.db;
  const queue = createQueueRepository(db, deps.database.dialect);
  const identities = createPageIdentityRepository(db);
  const snapshots = createSnapshotRepository(deps.database.db);
  // Space ids and homepage indexes, remembered between jobs (space-directory.ts).
  const spaces = createSpaceDirectory({ ttlMs: SPACE_DIRECTORY_TTL_MS, now });
  // Lazy: the schema is compiled on the first page or snapshot that needs it.
  const validator: AdfValidator = createAdfValidator();
  const { repositories, logger } = deps;
  const markdownRenderer = deps.markdownRenderer ?? createCachedRenderer(createInProcessRenderer());
  const renderMarkdown = (markdown: string) => markdownRenderer.render(markdown);
  const metrics: PublishingMetrics | null =
    deps.metricsRegistry === undefined ? null : createPublishingMetrics(deps.metricsRegistry, queue, now);

  async function processLease(
    lease: Lease,
    context: { signal: AbortSignal; recordIntent(intent: unknown): Promise<void> },
  ): Promise<PublishResult> {
    // One set of clients per job: the installation and its tokens are read once, not per call.
    const confluence = createPublishingConfluence(deps.clientFor.forJob(), { signal: context.signal });
    if (lease.kind === 'snapshot') {
      return publishSnapshot(lease.job, {
        confluence,
        snapshots,
        now,
        blocks: repositories.blocks,
        placements: repositories.placements,
        spaceSettings: repositories.spaceSettings,
        validator,
        renderMarkdown,
      });
    }
    return publishPage(lease.job, {
      confluence,
      identities,
      validator,
      initialIntent: (lease.intent as PublishIntent | null) ?? null,
      recordIntent: (intent) => context.recordIntent(intent),
      findJob: (jobId) => queue.findJob(lease.installationId, jobId),
      spaces,
      now,
      renderMarkdown,
    });
  }

  // Long polls on jobs, by work item: a finish wakes the waiters of that page only.
  const waiters = new Map<string, Set<() => void>>();
  function wakeWaiters(key: string): void {
    const waiting = waiters.get(key);
    if (waiting === undefined) return;
    waiters.delete(key);
    for (const wake of waiting) wake();
  }
  function nextWake(key: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const waiting = waiters.get(key) ?? new Set<() => void>();
      waiters.set(key, waiting);
      const done = () => {
        clearTimeout(timer);
        waiting.delete(done);
        if (waiting.size === 0 && waiters.get(key) === waiting) waiters.delete(key);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiting.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  async function audit(lease: Lease, result: PublishResult, superseded: number): Promise<void> {
    const job = lease.job;
    metrics?.jobFinished(
      lease.kind,
      result.state,
      (now().getTime() - Date.parse(job.createdAt)) / 1000,
      superseded,
    );
    if (result.state === 'failed') metrics?.deadLettered(lease.kind);
    const entry = activityFor(lease.kind, result);
    if (entry === null) return;
    const warnings = result.warnings ?? [];
    const coalesced =
      superseded > 0 ? ` (carrying ${superseded} earlier update${superseded === 1 ? '' : 's'})` : '';
    const warned =
      warnings.length > 0 ? ` Warnings: ${warnings.map((warning) => warning.detail).join(' ')}` : '';
    await repositories.activity.append({
      installationId: job.installationId,
      spaceKey: job.spaceKey,
      // Snapshots the engine queues itself (after a switch to the snapshot policy) are the system's doing.
      actor:
        job.source === SYSTEM_SOURCE
          ? { kind: 'system', id: SYSTEM_SOURCE }
          : { kind: 'source', id: job.source },
      action: entry.action,
      result: warnings.length > 0 && entry.result === 'ok' ? 'warning' : entry.result,
      detail: truncate(
        `${result.detail}${job.externalId ? ` [${job.externalId}, job ${job.id}]` : ` [job ${job.id}]`}${coalesced}.${warned}`,
      ),
      pageId: result.pageId,
      humanEdit:
        result.humanEdit === undefined ? undefined : { by: result.humanEdit.by, at: result.humanEdit.at },
      version:
        result.state === 'published' || result.state === 'skipped_human_edit' ? result.version : undefined,
      at: now(),
    });
  }

  const worker = createPublishingWorker({
    queue,
    process: processLease,
    options: { ...config, owner },
    now,
    logger,
    events: {
      async onFinished(lease, result, superseded) {
        wakeWaiters(`${lease.installationId}\u0000${lease.targetKey}`);
        await audit(lease, result, superseded);
      },
      onRetry(lease, error, retryAt) {
        metrics?.retried(lease.kind, error.code);
        logger.info(
          { jobId: lease.job.id, target: lease.targetKey, code: error.code, retryAt: retryAt.toISOString() },
          'publishing job will be retried',
        );
      },
    },
  });

  function snapshotJob(
    input: { installationId: string; spaceKey: string; source: string },
    request: SnapshotRequest,
  ): EnqueueInput {
    return {
      installationId: input.installationId,
      spaceKey: input.spaceKey,
      source: input.source,
      kind: 'snapshot',
      // One item per macro instance: its snapshot updates are serialised and coalesced.
      targetKey: `snapshot:${request.contentId}:${request.localId}`,
      externalId: null,
      dryRun: false,
      request,
      now: now(),
    };
  }

  const indexer = createPageIndexer({
    identities,
    spaces,
    // Long-lived, so it resolves per call: tokens it kept would outlive their expiry.
    confluence: createPublishingConfluence({
      clientFor: (target, endpoint) => deps.clientFor.forJob().clientFor(target, endpoint),
    }),
    logger,
    now,
  });
  let indexTimer: NodeJS.Timeout | null = null;
  let indexing: Promise<unknown> = Promise.resolve();
  // One flush at a time: a slow one is not overtaken by the next tick.
  const flushIndex = () => {
    indexing = indexing
      .then(() => indexer.flush())
      .catch((error: unknown) => {
        logger.error({ err: error }, "writing the spaces' page indexes failed");
      });
    return indexing;
  };
  let reconcileTimer: NodeJS.Timeout | null = null;
  const service: PublishingService = {
    queue,
    worker,
    adfValidator: validator,

    async acceptPage(principal, externalId, body) {
      const job = await queue.enqueue({
        installationId: principal.installationId,
        spaceKey: principal.spaceKey,
        source: principal.source,
        kind: 'page',
        // A dry run is its own item: it never coalesces with (or delays) real writes.
        targetKey: body.dryRun
          ? `${EPHEMERAL_TARGET_PREFIX}${principal.spaceKey}:${externalId}:${randomBytes(8).toString('hex')}`
          : `page:${principal.spaceKey}:${externalId}`,
        externalId,
        dryRun: body.dryRun,
        request: body,
        now: now(),
      });
      worker.wake();
      return job;
    },

    async findJob(principal, jobId) {
      const job = await queue.findJob(principal.installationId, jobId);
      if (job === null || job.spaceKey !== principal.spaceKey || job.kind !== 'page') return null;
      return toJobView(job);
    },

    async waitForJob(principal, jobId, waitMs, signal) {
      // Real elapsed time, not the service's clock (which tests may hold still).
      const deadline = performance.now() + waitMs;
      for (;;) {
        const job = await queue.findJob(principal.installationId, jobId);
        if (job === null || job.spaceKey !== principal.spaceKey || job.kind !== 'page') return null;
        const view = toJobView(job);
        const left = deadline - performance.now();
        if (terminalJobStates.has(view.state) || left <= 0 || signal?.aborted) return view;
        await nextWake(`${job.installationId}\u0000${job.targetKey}`, Math.min(left, 1_000), signal);
      }
    },

    async refreshSnapshotsOfBlock(input) {
      const { settings } = await repositories.spaceSettings.get(input.installationId, input.spaceKey);
      if (settings.publishingPolicy !== 'snapshot') return 0;
      const placements = await repositories.placements.listForBlock(
        input.installationId,
        input.spaceKey,
        input.blockKey,
      );
      // One transaction for all of them: a commit per macro was the ingest path's largest cost.
      await queue.enqueueMany(
        placements.map((placement) =>
          snapshotJob(input, {
            blockKey: input.blockKey,
            contentId: placement.contentId,
            localId: placement.localId,
          }),
        ),
      );
      if (placements.length > 0) worker.wake();
      return placements.length;
    },

    async refreshSnapshotsOfSpace(input) {
      let count = 0;
      for (const block of await repositories.blocks.list(input.installationId, input.spaceKey)) {
        count += await service.refreshSnapshotsOfBlock({ ...input, blockKey: block.key });
      }
      return count;
    },

    async reconcileSnapshots() {
      const stale = await snapshots.listStale(1_000);
      await queue.enqueueMany(
        stale.map((item) =>
          snapshotJob(item, { blockKey: item.blockKey, contentId: item.contentId, localId: item.localId }),
        ),
      );
      if (stale.length > 0) {
        logger.info({ queued: stale.length }, 'queued snapshot refreshes that had not happened');
        worker.wake();
      }
      return stale.length;
    },

    async start() {
      if (deps.database.dialect === 'sqlite') {
        // SQLite lives in one file on this host: a lease whose owner process is
        // gone here can be taken back at once instead of after the lease runs out.
        const dead = (await queue.leaseOwners()).filter((leaseOwner) =>
          isDeadLocalProcess(leaseOwner, owner),
        );
        const released = await queue.releaseLeases(dead, now());
        if (released > 0) logger.info({ released }, 'took back publishing work from processes that stopped');
      }
      // A failure here must not keep the backend down: the timer tries again.
      await service.reconcileSnapshots().catch((error: unknown) => {
        logger.error({ err: error }, 'looking for missed snapshot refreshes failed');
      });
      worker.start();
      reconcileTimer = setInterval(() => {
        service.reconcileSnapshots().catch((error: unknown) => {
          logger.error({ err: error }, 'looking for missed snapshot refreshes failed');
        });
        // Finished jobs are kept for a while so sources can read their outcome, then dropped.
        const before = new Date(now().getTime() - config.jobRetentionMs);
        queue.pruneFinishedJobs(before).catch((error: unknown) => {
          logger.error({ err: error }, 'pruning finished publishing jobs failed');
        });
      }, config.reconcileMs);
      reconcileTimer.unref();
      indexTimer = setInterval(flushIndex, config.indexFlushMs);
      indexTimer.unref();
    },

    async stop() {
      if (reconcileTimer !== null) clearInterval(reconcileTimer);
      reconcileTimer = null;
      if (indexTimer !== null) clearInterval(indexTimer);
      indexTimer = null;
      await worker.stop();
      // What the last jobs created goes into the index before the process ends.
      await flushIndex();
    },

    flushPageIndex: async () => {
      await flushIndex();
    },
  };

  deps.blockEvents?.subscribe(async (event) => {
    await service.refreshSnapshotsOfBlock({
      installationId: event.installationId,
      spaceKey: event.spaceKey,
      blockKey: event.key,
      source: event.source,
    });
  });

  return service;
}

function activityFor(
  kind: Lease['kind'],
  result: PublishResult,
): { action: ActivityAction; result: ActivityResult } | null {
  if (kind === 'snapshot') {
    switch (result.state) {
      case 'published':
        return { action: 'snapshot.written', result: 'ok' };
      case 'failed':
        return { action: 'snapshot.failed', result: 'failed' };
      default:
        // Nothing written and nothing wrong: not worth a line in the space's log.
        return null;
    }
  }
  switch (result.state) {
    case 'published':
      return { action: 'page.published', result: 'ok' };
    case 'unchanged':
      return { action: 'page.unchanged', result: 'ok' };
    case 'skipped_human_edit':
      return { action: 'page.skipped_human_edit', result: 'skipped' };
    case 'planned':
      return { action: 'page.dry_run', result: 'ok' };
    case 'failed':
      return { action: 'page.failed', result: 'failed' };
    default:
      return null;
  }
}

function isDeadLocalProcess(leaseOwner: string, self: string): boolean {
  if (leaseOwner === self) return false;
  const [host, pidText] = leaseOwner.split(':');
  if (host !== hostname() || pidText === undefined) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: alive but someone else's. Only ESRCH means there is no such process.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function truncate(text: string): string {
  return text.length > 1000 ? `${text.slice(0, 999)}…` : text;
}
