import type { Logger } from 'pino';
import type { Repositories } from '../store/repositories';
import type { PlacementTarget, SnapshotScheduler } from '../use-cases/ports';
import type { SnapshotRequest } from './snapshot-publisher';
import type { EnqueueInput, QueueRepository } from './store/queue-repository';
import type { SnapshotRepository } from './store/snapshot-repository';

export interface SnapshotSchedulingDeps {
  queue: Pick<QueueRepository, 'enqueueMany'>;
  snapshots: Pick<SnapshotRepository, 'listStale'>;
  repositories: Pick<Repositories, 'blocks' | 'placements' | 'spaceSettings'>;
  /** Something was queued: the worker looks now instead of at its next poll. */
  wake: () => void;
  logger: Logger;
  now: () => Date;
}

/** The engine's side of the core's SnapshotScheduler port, plus the reconciler that catches what it missed. */
export interface SnapshotScheduling extends SnapshotScheduler {
  /**
   * Queues a refresh for every snapshot that does not show its block's current
   * revision, or that a placement has never had (a crash between storing and
   * queueing; a new placement whose queueing failed). Resolves to how many it queued.
   */
  reconcile(): Promise<number>;
}

export function createSnapshotScheduling(deps: SnapshotSchedulingDeps): SnapshotScheduling {
  const { repositories, queue, now } = deps;

  async function underSnapshotPolicy(installationId: string, spaceKey: string): Promise<boolean> {
    const { settings } = await repositories.spaceSettings.get(installationId, spaceKey);
    return settings.publishingPolicy === 'snapshot';
  }

  async function enqueue(jobs: EnqueueInput[]): Promise<number> {
    // One transaction for all of them: a commit per macro was the ingest path's largest cost.
    await queue.enqueueMany(jobs);
    if (jobs.length > 0) deps.wake();
    return jobs.length;
  }

  const scheduling: SnapshotScheduling = {
    async snapshotPlacement(placement: PlacementTarget, source: string) {
      if (!(await underSnapshotPolicy(placement.installationId, placement.spaceKey))) return 0;
      const request = {
        blockKey: placement.blockKey,
        contentId: placement.contentId,
        localId: placement.localId,
      };
      return enqueue([snapshotJob({ ...placement, source }, request, now())]);
    },

    async refreshBlock(input) {
      if (!(await underSnapshotPolicy(input.installationId, input.spaceKey))) return 0;
      const placements = await repositories.placements.listForBlock(
        input.installationId,
        input.spaceKey,
        input.blockKey,
      );
      return enqueue(
        placements.map((placement) =>
          snapshotJob(
            input,
            { blockKey: input.blockKey, contentId: placement.contentId, localId: placement.localId },
            now(),
          ),
        ),
      );
    },

    async refreshSpace(input) {
      let count = 0;
      for (const block of await repositories.blocks.list(input.installationId, input.spaceKey)) {
        count += await scheduling.refreshBlock({ ...input, blockKey: block.key });
      }
      return count;
    },

    async reconcile() {
      const stale = await deps.snapshots.listStale(1_000);
      const queued = await enqueue(
        stale.map((item) =>
          snapshotJob(
            item,
            { blockKey: item.blockKey, contentId: item.contentId, localId: item.localId },
            now(),
          ),
        ),
      );
      if (queued > 0) deps.logger.info({ queued }, 'queued snapshot refreshes that had not happened');
      return queued;
    },
  };
  return scheduling;
}

/** One macro's snapshot job: one work item per macro instance, so its updates are serialised and coalesced. */
function snapshotJob(
  input: { installationId: string; spaceKey: string; source: string },
  request: SnapshotRequest,
  now: Date,
): EnqueueInput {
  return {
    installationId: input.installationId,
    spaceKey: input.spaceKey,
    source: input.source,
    kind: 'snapshot',
    targetKey: `snapshot:${request.contentId}:${request.localId}`,
    externalId: null,
    dryRun: false,
    request,
    now,
  };
}
