import type { DeferredWork } from './deferred-work';
import { type PlacementStore, type PlacementTarget, type SnapshotScheduler, SYSTEM_SOURCE } from './ports';

export interface PlacementUseCasesDeps {
  placements: Pick<PlacementStore, 'record'>;
  snapshots: SnapshotScheduler;
  /** Where the snapshot of a new placement runs: beside the macro's answer, not in it. */
  deferred: DeferredWork;
  now: () => Date;
}

export interface PlacementUseCases {
  /**
   * Records that a macro shows a block. A placement seen for the first time
   * (or again after a while, placement-repository.ts) gets its own snapshot
   * now rather than at the block's next change: one job for that macro, queued
   * after the read answered.
   */
  record(placement: PlacementTarget): Promise<void>;
}

export function createPlacementUseCases(deps: PlacementUseCasesDeps): PlacementUseCases {
  return {
    async record(placement) {
      const isNew = await deps.placements.record(placement, deps.now());
      if (!isNew) return;
      deps.deferred.defer('snapshot_new_placement', () =>
        deps.snapshots.snapshotPlacement(placement, SYSTEM_SOURCE),
      );
    },
  };
}
