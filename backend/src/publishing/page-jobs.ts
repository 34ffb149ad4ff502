import { randomBytes } from 'node:crypto';
import { type JobView, type PageIngestBody, terminalJobStates } from '@pagewire/shared';
import type { IngestPrincipal } from '../auth/ingest-key';
import { type JobWaiters, workItemKey } from './job-waiters';
import type { ArchiveJobRequest } from './page-archiver';
import type { PageTreeRepository } from './store/page-tree-repository';
import {
  EPHEMERAL_TARGET_PREFIX,
  type QueueRepository,
  type StoredJob,
  toJobView,
} from './store/queue-repository';

export interface PageJobsDeps {
  queue: Pick<QueueRepository, 'enqueue' | 'findJob'>;
  trees: PageTreeRepository;
  waiters: JobWaiters;
  /** Something was queued: the worker looks now instead of at its next poll. */
  wake: () => void;
  now: () => Date;
}

/** The page jobs a source queues with its ingest key, and what it may read of them. */
export interface PageJobs {
  /** Queues a publish; a body with an `origin` records the page in its tree (the tree listing). */
  accept(principal: IngestPrincipal, externalId: string, body: PageIngestBody): Promise<StoredJob>;
  /** Queues an archive of the page, on the page's own work item. */
  acceptArchive(principal: IngestPrincipal, externalId: string, dryRun: boolean): Promise<StoredJob>;
  /**
   * A page was just created: publish the pages that link to it again, from
   * their last accepted body, so their links now point at it.
   */
  republishLinkingPages(job: StoredJob): Promise<number>;
  /** Publishes the job's page again from its last accepted body (a link target appeared while it was written). */
  republish(job: StoredJob): Promise<boolean>;
  find(principal: IngestPrincipal, jobId: string): Promise<JobView | null>;
  waitFor(
    principal: IngestPrincipal,
    jobId: string,
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<JobView | null>;
}

export function createPageJobs(deps: PageJobsDeps): PageJobs {
  const { queue } = deps;

  /** A page job as its source may see it: only jobs of the key's installation and space. */
  async function visibleJob(principal: IngestPrincipal, jobId: string): Promise<StoredJob | null> {
    const job = await queue.findJob(principal.installationId, jobId);
    return job === null || job.spaceKey !== principal.spaceKey || job.kind !== 'page' ? null : job;
  }

  return {
    async accept(principal, externalId, body) {
      const job = await enqueuePageJob(deps, principal, externalId, body.dryRun, body);
      if (body.origin !== undefined && !body.dryRun) {
        await deps.trees.recordOrigin({
          installationId: principal.installationId,
          spaceKey: principal.spaceKey,
          externalId,
          origin: body.origin,
          title: body.title,
          parentExternalId: body.parentExternalId ?? null,
          jobId: job.id,
          at: job.createdAt,
        });
      }
      deps.wake();
      return job;
    },

    async acceptArchive(principal, externalId, dryRun) {
      const job = await enqueuePageJob(deps, principal, externalId, dryRun, { archive: true, dryRun });
      deps.wake();
      return job;
    },

    async republishLinkingPages(job) {
      if (job.externalId === null || job.dryRun) return 0;
      const sources = await deps.trees.linkingPages(job.installationId, job.spaceKey, job.externalId);
      let queued = 0;
      for (const source of sources) if (await republishPage(deps, job, source)) queued += 1;
      if (queued > 0) deps.wake();
      return queued;
    },

    async republish(job) {
      if (job.externalId === null || job.dryRun) return false;
      const queued = await republishPage(deps, job, job.externalId);
      if (queued) deps.wake();
      return queued;
    },

    async find(principal, jobId) {
      const job = await visibleJob(principal, jobId);
      return job === null ? null : toJobView(job);
    },

    async waitFor(principal, jobId, waitMs, signal) {
      // Real elapsed time, not the service's clock (which tests may hold still).
      const deadline = performance.now() + waitMs;
      for (;;) {
        const job = await visibleJob(principal, jobId);
        if (job === null) return null;
        const view = toJobView(job);
        const left = deadline - performance.now();
        if (terminalJobStates.has(view.state) || left <= 0 || signal?.aborted) return view;
        await deps.waiters.next(
          workItemKey(job.installationId, job.targetKey),
          Math.min(left, 1_000),
          signal,
        );
      }
    },
  };
}

/** A page job (publish or archive) on the page's work item; a dry run gets an item of its own. */
function enqueuePageJob(
  deps: Pick<PageJobsDeps, 'queue' | 'now'>,
  principal: Pick<IngestPrincipal, 'installationId' | 'spaceKey' | 'source'>,
  externalId: string,
  dryRun: boolean,
  request: PageIngestBody | ArchiveJobRequest,
): Promise<StoredJob> {
  return deps.queue.enqueue({
    installationId: principal.installationId,
    spaceKey: principal.spaceKey,
    source: principal.source,
    kind: 'page',
    // A dry run is its own item: it never coalesces with (or delays) real writes.
    targetKey: dryRun
      ? `${EPHEMERAL_TARGET_PREFIX}${principal.spaceKey}:${externalId}:${randomBytes(8).toString('hex')}`
      : `page:${principal.spaceKey}:${externalId}`,
    externalId,
    dryRun,
    request,
    now: deps.now(),
  });
}

/** Queues the page's last accepted publish again, as its source; false when it has none. */
async function republishPage(
  deps: Pick<PageJobsDeps, 'queue' | 'now' | 'trees'>,
  job: StoredJob,
  externalId: string,
): Promise<boolean> {
  const last = await deps.trees.lastPublishRequest(job.installationId, job.spaceKey, externalId);
  if (last === null) return false;
  await enqueuePageJob(
    deps,
    { installationId: job.installationId, spaceKey: job.spaceKey, source: last.source },
    externalId,
    false,
    last.request,
  );
  return true;
}
