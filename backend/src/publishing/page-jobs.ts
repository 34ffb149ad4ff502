import { randomBytes } from 'node:crypto';
import { type JobView, type PageIngestBody, terminalJobStates } from '@pagewire/shared';
import type { IngestPrincipal } from '../auth/ingest-key';
import { type JobWaiters, workItemKey } from './job-waiters';
import {
  EPHEMERAL_TARGET_PREFIX,
  type QueueRepository,
  type StoredJob,
  toJobView,
} from './store/queue-repository';

export interface PageJobsDeps {
  queue: Pick<QueueRepository, 'enqueue' | 'findJob'>;
  waiters: JobWaiters;
  /** Something was queued: the worker looks now instead of at its next poll. */
  wake: () => void;
  now: () => Date;
}

/** The page jobs a source queues with its ingest key, and what it may read of them. */
export interface PageJobs {
  accept(principal: IngestPrincipal, externalId: string, body: PageIngestBody): Promise<StoredJob>;
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
        now: deps.now(),
      });
      deps.wake();
      return job;
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
