import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { BackendExtension } from '../backend';
import { createPacer, type Pacer } from '../confluence/pacer';
import { type BackgroundJob, startPeriodicJob } from '../domain/periodic-job';
import { createConfluenceClientResolver } from '../publishing/confluence-client-resolver';
import { createPostgresPacerStore } from '../store/pacer-store-postgres';
import { EXPORT_TENANT_TABLES } from '../store/schema';
import { createExportAuthenticator } from './export-key';
import { createExportKeyOperations } from './export-operations';
import { createExportRouter } from './export-router';
import { createExportService } from './export-service';
import type { PageBodyFormatter } from './page-body-formatter';
import type { ChangeAnnouncer, PageRefresher } from './page-mirror';
import { createExportKeyRepository } from './store/export-key-repository';
import { createMirrorRepository, TOMBSTONE_RETENTION_MS } from './store/mirror-repository';
import { createSyncRepository } from './store/sync-repository';
import { createSyncEngine, type SyncEngine } from './sync-engine';

export interface ExportExtensionOptions {
  /** Markdown and text from ADF; without it only `format=adf` is served. */
  formatter?: PageBodyFormatter;
  /** Share the process's pacer with the other Confluence callers (one budget per credential). */
  pacer?: Pacer;
  fetch?: typeof fetch;
  /** How often the worker looks for due syncs (default 5 s); a sync asked for now starts at once. */
  pollMs?: number;
  /** Whether the worker runs (default true); tests drive `module.engine.runNext` themselves. */
  worker?: boolean;
  /** Told of the changes the reconcile finds in Confluence (the webhooks announce them). */
  announcer?: ChangeAnnouncer;
  /** Receives the module once set up: what the change-event handler calls. */
  onReady?: (module: ExportModule) => void;
}

/** What other parts of the backend get from the export (the change-event handler calls `refreshPage`). */
export interface ExportModule extends PageRefresher {
  readonly engine: SyncEngine;
  /** Runs due syncs until none is left; resolves to how many ran. */
  drain(): Promise<number>;
}

const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * The export (docs/EXPORT.md) as a backend extension: its tables join the
 * recorded migrations, its consumer routes (`/export/v1/…`) mount next to
 * the ingest routes, `exportKeys.*` and the `export` part of `settings.*` are
 * its operations, and a worker runs the durable sync items (backfill,
 * scheduled reconcile, asked-for sync) through the pacer.
 */
export function createExportExtension(options: ExportExtensionOptions = {}): BackendExtension {
  return {
    name: 'export',
    tenantTables: EXPORT_TENANT_TABLES,
    setup(context) {
      const logger = context.logger.child({ component: 'export' });
      const db = context.db;
      const keys = createExportKeyRepository(db);
      const spaces = createSyncRepository(db);
      const mirror = createMirrorRepository(db);
      const clientFor = createConfluenceClientResolver({
        sources: context.credentialSources,
        mode: context.config.mode,
        now: context.now,
        installations: context.repositories.installations,
        allowedApiBase: context.config.atlassianApiBase.href.replace(/\/+$/, ''),
        // On PostgreSQL the pacer's tables (migrated with the publishing engine) hold one budget per
        // credential for every replica and both extensions; alone, the process shares `options.pacer`.
        pacer:
          options.pacer ??
          (context.database.dialect === 'postgres'
            ? createPacer({ store: createPostgresPacerStore(context.db) })
            : createPacer()),
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        onCredentialRefused: async (credential) => {
          if (credential.kind === 'app-token') {
            await context.credentialSources.refuseAppToken?.(credential.installationId, credential.token);
          }
        },
      });
      const engine = createSyncEngine({
        spaces,
        mirror,
        clientFor,
        activity: context.repositories.activity,
        logger,
        now: context.now,
        reconcileMs: context.config.exportReconcileMs,
        ...(options.announcer === undefined ? {} : { announcer: options.announcer }),
      });
      const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
      let worker: BackgroundJob | null = null;
      let pruner: BackgroundJob | null = null;
      const service = createExportService({
        keys,
        spaces,
        mirror,
        activity: context.repositories.activity,
        refresher: engine,
        formatter: options.formatter ?? null,
        publicUrl: context.config.publicUrl,
        now: context.now,
        onSyncDue: () => void worker?.runNow(),
      });
      const module: ExportModule = {
        engine,
        refreshPage: (installationId, spaceId, pageId) => engine.refreshPage(installationId, spaceId, pageId),
        async drain() {
          let ran = 0;
          while ((await engine.runNext(owner)) !== null) ran += 1;
          return ran;
        },
      };
      context.metrics.registerQueue('export_syncs', () => spaces.countDue(context.now()));
      options.onReady?.(module);
      return {
        router: createExportRouter({
          authenticator: createExportAuthenticator({ keys, now: context.now }),
          service,
          mirror,
        }),
        operations: createExportKeyOperations(service),
        exportSettings: {
          view: (target) => service.settingsView(target),
          updateSettings: (input) => service.updateSettings(input),
        },
        start() {
          if (options.worker === false) return;
          worker = startPeriodicJob({
            pass: async () => {
              await module.drain();
            },
            logger,
            failureMessage: 'the export sync pass failed',
            intervalMs: options.pollMs ?? 5_000,
          });
          pruner = startPeriodicJob({
            pass: async () => {
              const pruned = await mirror.pruneTombstones(
                new Date(context.now().getTime() - TOMBSTONE_RETENTION_MS),
              );
              if (pruned > 0) logger.info({ pruned }, 'export tombstones pruned');
            },
            logger,
            failureMessage: 'the export tombstone prune failed',
            intervalMs: PRUNE_EVERY_MS,
          });
          // A sync a crashed process left half done resumes now, not a poll later.
          void worker.runNow();
        },
        async close() {
          await Promise.all([worker?.stop(), pruner?.stop()]);
        },
      };
    },
  };
}
