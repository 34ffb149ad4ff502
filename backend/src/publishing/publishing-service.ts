import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { JobView, PageIngestBody } from '@pagewire/shared';
import type { AdfValidator } from '@pagewire/shared/adf-validator';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import {
  createCachedRenderer,
  createInProcessRenderer,
  type MarkdownRenderer,
} from '../adf/markdown-renderer';
import type { IngestPrincipal } from '../auth/ingest-key';
import { defaultPublishingConfig, type PublishingConfig } from '../config/publishing-config';
import type { Database } from '../store/database';
import type { Repositories } from '../store/repositories';
import type { Tables } from '../store/schema';
import { type ConfluenceClientResolver, createPublishingConfluence } from './confluence-gateway';
import { createJobAudit, type JobAudit } from './job-audit';
import { createJobWaiters, type JobWaiters, workItemKey } from './job-waiters';
import { archivePage, isArchiveRequest } from './page-archiver';
import { createPageIndexer } from './page-indexer';
import { createPageJobs, type PageJobs } from './page-jobs';
import { type PublishIntent, type PublishResult, publishPage } from './page-publisher';
import { createPageReferences, type PageReferences } from './page-references';
import { createPublishingMaintenance } from './publishing-maintenance';
import { createPublishingMetrics, type PublishingMetrics } from './publishing-metrics';
import { createPublishingWorker, type PublishingWorker, type WorkerEvents } from './publishing-worker';
import { publishSnapshot } from './snapshot-publisher';
import { createSnapshotScheduling, type SnapshotScheduling } from './snapshot-scheduling';
import { createSpaceDirectory } from './space-directory';
import {
  createPageAttachmentRepository,
  type PageAttachmentRepository,
} from './store/page-attachment-repository';
import { createPageIdentityRepository } from './store/page-identity-repository';
import { findRelease } from './store/page-release-repository';
import { createPageTreeRepository, type PageTreeRepository } from './store/page-tree-repository';
import {
  createQueueRepository,
  type Lease,
  type QueueRepository,
  type StoredJob,
} from './store/queue-repository';
import { createSnapshotRepository, type SnapshotRepository } from './store/snapshot-repository';

/** The source name of work the engine queues on its own behalf (declared with the core's snapshot decisions). */
export { SYSTEM_SOURCE } from '../use-cases/ports';

export interface PublishingServiceDeps {
  database: Database;
  repositories: Pick<Repositories, 'blocks' | 'placements' | 'spaceSettings' | 'activity' | 'installations'>;
  /** Resolves each job's paced clients: credentials picked by the credential selector, read once per job. */
  clientFor: ConfluenceClientResolver;
  logger: Logger;
  /** The backend's metrics registry; omitted in tests that do not look at metrics. */
  metricsRegistry?: import('prom-client').Registry | undefined;
  config?: Partial<PublishingConfig> | undefined;
  now?: () => Date;
  /** Identifies this process's leases; defaults to `host:pid:random`. */
  owner?: string;
  /**
   * Markdown→ADF for pages and snapshots: the backend's render pool. Tests of
   * the engine alone render in process (same results, no time budget).
   */
  markdownRenderer?: MarkdownRenderer | undefined;
  /** The process's one ADF validator (BackendContext.adfValidator): pages, snapshots and the publishing routes check with it. */
  adfValidator: AdfValidator;
}

export interface PublishingService {
  /** `PUT /ingest/v1/pages/{externalId}` after validation: queue it, return the job. */
  acceptPage(principal: IngestPrincipal, externalId: string, body: PageIngestBody): Promise<StoredJob>;
  /** `POST /ingest/v1/pages/{externalId}/archive` after its checks: queue the archive, return the job. */
  acceptArchive(principal: IngestPrincipal, externalId: string, dryRun: boolean): Promise<StoredJob>;
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
  /** What the core's use cases call for snapshots (the SnapshotScheduler port), and the reconciler. */
  readonly snapshots: SnapshotScheduling;
  readonly queue: QueueRepository;
  readonly worker: PublishingWorker;
  readonly adfValidator: AdfValidator;
}

/** How long a space's id, homepage and index census are trusted before they are read again. */
const SPACE_DIRECTORY_TTL_MS = 15 * 60_000;

/** The engine's stores over the backend's database. */
interface PublishingStores {
  db: Kysely<Tables>;
  queue: QueueRepository;
  identities: ReturnType<typeof createPageIdentityRepository>;
  snapshots: SnapshotRepository;
  trees: PageTreeRepository;
  attachments: PageAttachmentRepository;
}

function openPublishingStores(database: Database): PublishingStores {
  const db = database.db;
  return {
    db,
    queue: createQueueRepository(db, database.dialect),
    identities: createPageIdentityRepository(db),
    snapshots: createSnapshotRepository(database.db),
    trees: createPageTreeRepository(db),
    attachments: createPageAttachmentRepository(db),
  };
}

export function createPublishingService(deps: PublishingServiceDeps): PublishingService {
  const config: PublishingConfig = { ...defaultPublishingConfig, ...deps.config };
  const now = deps.now ?? (() => new Date());
  const owner = deps.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const stores = openPublishingStores(deps.database);
  const { queue, identities, snapshots } = stores;
  // Space ids and homepage indexes, remembered between jobs (space-directory.ts).
  const spaces = createSpaceDirectory({ ttlMs: SPACE_DIRECTORY_TTL_MS, now });
  const validator = deps.adfValidator;
  const { repositories, logger } = deps;
  const markdownRenderer = deps.markdownRenderer ?? createCachedRenderer(createInProcessRenderer());
  const renderMarkdown = (markdown: string) => markdownRenderer.render(markdown);
  const metrics: PublishingMetrics | null =
    deps.metricsRegistry === undefined ? null : createPublishingMetrics(deps.metricsRegistry, queue, now);
  const waiters = createJobWaiters();
  const audit = createJobAudit({ activity: repositories.activity, metrics, now });

  const pageJobs = createPageJobs({ queue, trees: stores.trees, waiters, wake: () => worker.wake(), now });
  const processLease = createLeaseProcessor({
    clientFor: deps.clientFor,
    stores,
    repositories,
    spaces,
    validator,
    renderMarkdown,
    now,
    references: createPageReferences({
      trees: stores.trees,
      siteUrlOf: async (installationId) =>
        (await repositories.installations.find(installationId))?.siteUrl?.replace(/\/+$/, '') ?? null,
      now,
    }),
    pageJobs,
  });

  const worker = createPublishingWorker({
    queue,
    process: processLease,
    options: { ...config, owner },
    now,
    logger,
    events: workerEvents({ waiters, audit, metrics, logger }),
  });
  const scheduling = createSnapshotScheduling({
    queue,
    snapshots,
    repositories,
    wake: () => worker.wake(),
    logger,
    now,
  });
  const flushIndex = createIndexFlush(
    createPageIndexer({
      identities,
      spaces,
      // Long-lived, so it resolves per call: tokens it kept would outlive their expiry.
      confluence: createPublishingConfluence({
        clientFor: (target, endpoint) => deps.clientFor.forJob().clientFor(target, endpoint),
      }),
      logger,
      now,
    }),
    logger,
  );
  const maintenance = createPublishingMaintenance({
    queue,
    worker,
    dialect: deps.database.dialect,
    owner,
    reconcileSnapshots: () => scheduling.reconcile(),
    flushPageIndex: flushIndex,
    config,
    logger,
    now,
  });

  return {
    queue,
    worker,
    adfValidator: validator,
    snapshots: scheduling,
    acceptPage: (principal, externalId, body) => pageJobs.accept(principal, externalId, body),
    acceptArchive: (principal, externalId, dryRun) => pageJobs.acceptArchive(principal, externalId, dryRun),
    findJob: (principal, jobId) => pageJobs.find(principal, jobId),
    waitForJob: (principal, jobId, waitMs, signal) => pageJobs.waitFor(principal, jobId, waitMs, signal),
    refreshSnapshotsOfBlock: (input) => scheduling.refreshBlock(input),
    refreshSnapshotsOfSpace: (input) => scheduling.refreshSpace(input),
    reconcileSnapshots: () => scheduling.reconcile(),
    start: () => maintenance.start(),
    stop: () => maintenance.stop(),
    flushPageIndex: flushIndex,
  };
}

/** One flush of the homepage indexes at a time: a slow one is not overtaken by the next tick. */
function createIndexFlush(indexer: { flush(): Promise<unknown> }, logger: Logger): () => Promise<void> {
  let indexing: Promise<void> = Promise.resolve();
  return () => {
    indexing = indexing
      .then(() => indexer.flush())
      .then(
        () => {},
        (error: unknown) => {
          logger.error({ err: error }, "writing the spaces' page indexes failed");
        },
      );
    return indexing;
  };
}

interface LeaseProcessorDeps {
  clientFor: ConfluenceClientResolver;
  stores: PublishingStores;
  repositories: PublishingServiceDeps['repositories'];
  spaces: ReturnType<typeof createSpaceDirectory>;
  validator: AdfValidator;
  renderMarkdown: (markdown: string) => ReturnType<MarkdownRenderer['render']>;
  now: () => Date;
  references: PageReferences;
  pageJobs: PageJobs;
}

/** What the worker runs for a lease: a macro's snapshot or a whole page, with Confluence paced per credential. */
function createLeaseProcessor(deps: LeaseProcessorDeps) {
  const { stores, repositories, validator, renderMarkdown, now } = deps;
  return async (
    lease: Lease,
    context: { signal: AbortSignal; recordIntent(intent: unknown): Promise<void> },
  ): Promise<PublishResult> => {
    const confluence = createPublishingConfluence(deps.clientFor.forJob(), { signal: context.signal });
    if (lease.kind === 'snapshot') {
      return publishSnapshot(lease.job, {
        confluence,
        snapshots: stores.snapshots,
        now,
        blocks: repositories.blocks,
        placements: repositories.placements,
        spaceSettings: repositories.spaceSettings,
        validator,
        renderMarkdown,
      });
    }
    // Released after this job was queued ("stop managing"): the page is no longer Pagewire's to write.
    const release =
      lease.job.externalId === null || lease.job.dryRun
        ? undefined
        : await findRelease(stores.db, lease.installationId, lease.job.spaceKey, lease.job.externalId);
    if (release !== undefined) {
      return {
        state: 'failed',
        error: {
          code: 'page_released',
          detail: `A space admin stopped Pagewire from managing this page on ${release.released_at}.`,
        },
        detail: `Did not publish "${lease.job.externalId}": a space admin stopped Pagewire from managing it.`,
      };
    }
    if (isArchiveRequest(lease.job.request)) {
      return archivePage(lease.job, {
        confluence,
        clients: deps.clientFor.forJob(),
        identities: stores.identities,
        trees: stores.trees,
        now,
        signal: context.signal,
      });
    }
    const result = await publishPage(lease.job, {
      confluence,
      identities: stores.identities,
      validator,
      initialIntent: (lease.intent as PublishIntent | null) ?? null,
      recordIntent: (intent) => context.recordIntent(intent),
      findJob: (jobId) => stores.queue.findJob(lease.installationId, jobId),
      spaces: deps.spaces,
      now,
      renderMarkdown,
      references: deps.references,
      attachments: stores.attachments,
    });
    await afterPagePublished(lease.job, result, deps);
    return result;
  };
}

/**
 * Page links (page-links.ts): a written page records which of its links had
 * no target yet; a page just created re-publishes the pages waiting for it.
 */
async function afterPagePublished(
  job: StoredJob,
  result: PublishResult,
  deps: Pick<LeaseProcessorDeps, 'references' | 'pageJobs'>,
): Promise<void> {
  if (job.dryRun || (result.state !== 'published' && result.state !== 'unchanged')) return;
  const targetAppeared = await deps.references.recordUnresolved(job, result.unresolvedLinks ?? []);
  if (targetAppeared) await deps.pageJobs.republish(job);
  if (result.written === 'created') await deps.pageJobs.republishLinkingPages(job);
}

/** What the service does when the worker ends or defers a job: wake its long polls, audit it, count retries. */
function workerEvents(deps: {
  waiters: JobWaiters;
  audit: JobAudit;
  metrics: PublishingMetrics | null;
  logger: Logger;
}): WorkerEvents {
  return {
    async onFinished(lease, result, superseded) {
      deps.waiters.wake(workItemKey(lease.installationId, lease.targetKey));
      await deps.audit(lease, result, superseded);
    },
    onRetry(lease, error, retryAt) {
      deps.metrics?.retried(lease.kind, error.code);
      deps.logger.info(
        { jobId: lease.job.id, target: lease.targetKey, code: error.code, retryAt: retryAt.toISOString() },
        'publishing job will be retried',
      );
    },
  };
}
