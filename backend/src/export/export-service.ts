import { randomUUID } from 'node:crypto';
import type {
  AdfDocument,
  ExportFormat,
  ExportPageBody,
  ExportPageItem,
  ExportSettingsView,
  ExportSyncView,
} from '@pagewire/shared';
import { ProblemError } from '../http/problem-error';
import type { ActivityRepository } from '../store/activity-repository';
import { generateExportKey } from './export-key';
import type { PageBodyFormatter } from './page-body-formatter';
import type { MirroredPage, MirrorTarget, PageRefresher } from './page-mirror';
import type { ExportKeyRepository } from './store/export-key-repository';
import type { MirrorRepository } from './store/mirror-repository';
import type { SpaceExport, SyncRepository } from './store/sync-repository';

/** Converted bodies kept in memory, by checksum and format: a popular page is converted once. */
const CONVERTED_CACHE_ENTRIES = 1_000;

export interface ExportServiceDeps {
  keys: ExportKeyRepository;
  spaces: SyncRepository;
  mirror: MirrorRepository;
  activity: ActivityRepository;
  refresher: PageRefresher;
  formatter: PageBodyFormatter | null;
  /** `PAGEWIRE_PUBLIC_URL`; null when unset. */
  publicUrl: string | null;
  now: () => Date;
  /** Told when a sync became due now, so the worker starts without waiting for its next poll. */
  onSyncDue?: () => void;
}

export interface ExportSettingsChange {
  installationId: string;
  spaceKey: string;
  spaceId: string | null;
  accountId: string;
  change: { enabled: boolean; includeRestricted?: boolean | undefined };
  now: Date;
}

export interface ExportService {
  settingsView(target: MirrorTarget): Promise<ExportSettingsView>;
  /** Applies `settings.update`'s `export` part; resolves to its words for the activity row. */
  updateSettings(input: ExportSettingsChange): Promise<string>;
  createKey(
    input: MirrorTarget & { consumer: string; accountId: string },
  ): Promise<{ id: string; key: string }>;
  revokeKey(input: MirrorTarget & { id: string; accountId: string }): Promise<void>;
  /** 403 `export_disabled` unless export is on for the space. */
  requireEnabled(target: MirrorTarget): Promise<SpaceExport>;
  syncView(target: MirrorTarget): Promise<ExportSyncView>;
  requestSync(target: MirrorTarget): Promise<ExportSyncView>;
  toItem(page: MirroredPage, includeRestricted: boolean): ExportPageItem;
  pageBody(space: SpaceExport, pageId: string, format: ExportFormat): Promise<ExportPageBody>;
}

function isRunning(space: SpaceExport, now: Date): boolean {
  return (
    space.leaseOwner !== null && space.leaseExpiresAt !== null && space.leaseExpiresAt > now.toISOString()
  );
}

export function createExportService(deps: ExportServiceDeps): ExportService {
  const converted = new Map<string, string>();

  function convert(document: AdfDocument, checksum: string, format: 'markdown' | 'text'): string {
    if (deps.formatter === null) {
      throw new ProblemError(
        'service_unavailable',
        `This backend cannot convert pages to ${format}; ask for format=adf.`,
      );
    }
    const key = `${format}:${checksum}`;
    const hit = converted.get(key);
    if (hit !== undefined) return hit;
    const value = format === 'markdown' ? deps.formatter.markdown(document) : deps.formatter.text(document);
    if (converted.size >= CONVERTED_CACHE_ENTRIES) converted.delete(converted.keys().next().value!);
    converted.set(key, value);
    return value;
  }

  async function syncView(target: MirrorTarget): Promise<ExportSyncView> {
    const space = await deps.spaces.get(target);
    if (space === null || !space.enabled) {
      return {
        state: 'off',
        lastFullSyncAt: space?.lastFullSyncAt ?? null,
        nextSyncAt: null,
        pages: 0,
        lastError: null,
      };
    }
    const now = deps.now();
    const running = isRunning(space, now);
    const state = running
      ? space.lastFullSyncAt === null
        ? 'backfilling'
        : 'reconciling'
      : space.lastError !== null
        ? 'failing'
        : space.lastFullSyncAt === null
          ? 'backfilling'
          : 'idle';
    return {
      state,
      lastFullSyncAt: space.lastFullSyncAt,
      nextSyncAt: running ? null : space.dueAt,
      pages: await deps.mirror.countLive(target),
      lastError: space.lastError,
    };
  }

  async function requireEnabled(target: MirrorTarget): Promise<SpaceExport> {
    const space = await deps.spaces.get(target);
    if (space === null || !space.enabled) {
      throw new ProblemError(
        'export_disabled',
        `Export is turned off for space ${target.spaceKey}; a space admin turns it on in the space settings.`,
      );
    }
    return space;
  }

  return {
    async settingsView(target) {
      const [space, keys, sync] = await Promise.all([
        deps.spaces.get(target),
        deps.keys.list(target.installationId, target.spaceKey),
        syncView(target),
      ]);
      return {
        settings: {
          enabled: space?.enabled ?? false,
          includeRestricted: space?.includeRestricted ?? false,
        },
        keys,
        sync,
        exportUrl: deps.publicUrl === null ? null : `${deps.publicUrl}/export/v1`,
      };
    },

    async updateSettings(input) {
      const target = { installationId: input.installationId, spaceKey: input.spaceKey };
      const current = await deps.spaces.get(target);
      const includeRestricted = input.change.includeRestricted ?? current?.includeRestricted ?? false;
      await deps.spaces.configure(
        target,
        { enabled: input.change.enabled, includeRestricted, spaceId: input.spaceId },
        input.now,
      );
      // Restricted pages appear in (or vanish from) every consumer's feed: they are changes to them.
      if (current !== null && current.includeRestricted !== includeRestricted) {
        await deps.mirror.touchRestricted(target, input.now);
      }
      if (input.change.enabled && current?.enabled !== true) deps.onSyncDue?.();
      const restricted = includeRestricted ? 'restricted pages included' : 'restricted pages left out';
      return input.change.enabled ? `export is on (${restricted})` : 'export is off';
    },

    async createKey(input) {
      const now = deps.now();
      // Two live keys under one name could not be told apart in the activity log.
      const wanted = input.consumer.trim().toLowerCase();
      const existing = await deps.keys.list(input.installationId, input.spaceKey);
      if (existing.some((key) => key.revokedAt === null && key.consumer.trim().toLowerCase() === wanted)) {
        throw new ProblemError(
          'consumer_name_taken',
          `A consumer named "${input.consumer}" already has an export key in space ${input.spaceKey}.`,
          {
            errors: [{ path: '/consumer', message: 'another consumer in this space already has this name' }],
          },
        );
      }
      const { key, hash, prefix } = generateExportKey();
      const id = randomUUID();
      await deps.keys.create({
        id,
        installationId: input.installationId,
        spaceKey: input.spaceKey,
        consumer: input.consumer,
        keyHash: hash,
        prefix,
        createdAt: now.toISOString(),
        createdBy: input.accountId,
      });
      await deps.activity.append({
        installationId: input.installationId,
        spaceKey: input.spaceKey,
        actor: { kind: 'user', id: input.accountId },
        action: 'export_key.created',
        result: 'ok',
        detail: `Export key ${prefix}… created for consumer "${input.consumer}".`,
        at: now,
      });
      return { id, key };
    },

    async revokeKey(input) {
      const now = deps.now();
      const outcome = await deps.keys.revoke(
        input.installationId,
        input.spaceKey,
        input.id,
        input.accountId,
        now,
      );
      if (outcome === 'not_found') {
        throw new ProblemError(
          'export_key_not_found',
          `There is no export key "${input.id}" in space ${input.spaceKey}.`,
        );
      }
      if (outcome === 'revoked') {
        await deps.activity.append({
          installationId: input.installationId,
          spaceKey: input.spaceKey,
          actor: { kind: 'user', id: input.accountId },
          action: 'export_key.revoked',
          result: 'ok',
          detail: `Export key ${input.id} revoked; it is refused from now on.`,
          at: now,
        });
      }
    },

    requireEnabled,
    syncView,

    async requestSync(target) {
      await requireEnabled(target);
      await deps.spaces.request(target, deps.now());
      deps.onSyncDue?.();
      return syncView(target);
    },

    toItem(page, includeRestricted) {
      // A page the consumer may not have reads as gone: it must leave their index, and nothing about it leaks.
      if (page.restricted && !includeRestricted && page.status !== 'deleted') {
        return {
          pageId: page.pageId,
          title: '',
          status: 'deleted',
          version: page.version,
          updatedAt: page.changedAt,
          parentId: null,
          path: [],
          labels: [],
          checksum: '',
          url: '',
        };
      }
      return {
        pageId: page.pageId,
        title: page.title,
        status: page.status,
        version: page.version,
        updatedAt: page.updatedAt,
        parentId: page.parentId,
        path: [...page.path],
        labels: [...page.labels],
        checksum: page.checksum,
        url: page.url,
      };
    },

    async pageBody(space, pageId, format) {
      const target: MirrorTarget = space;
      const notFound = () =>
        new ProblemError('page_not_found', `Space ${space.spaceKey} has no page ${pageId} to export.`);
      let page = await deps.mirror.get(target, pageId);
      if (page === null || page.status === 'deleted' || (page.restricted && !space.includeRestricted)) {
        throw notFound();
      }
      let document = await deps.mirror.body(target, pageId, page.version);
      // An empty checksum is a version read without an ADF body: asking again would not change that.
      if (document === null && space.spaceId !== null && page.checksum !== '') {
        // Not cached (the page was listed but its body not read yet): read it now, once.
        await deps.refresher.refreshPage(space.installationId, space.spaceId, pageId);
        page = await deps.mirror.get(target, pageId);
        if (page === null || page.status === 'deleted') throw notFound();
        document = await deps.mirror.body(target, pageId, page.version);
      }
      if (document === null) throw notFound();
      const base = {
        pageId,
        title: page.title,
        version: page.version,
        updatedAt: page.updatedAt,
        checksum: page.checksum,
      };
      if (format === 'adf') return { ...base, format, body: document };
      return { ...base, format, body: convert(document, page.checksum, format) };
    },
  };
}
