import { pino } from 'pino';
import type { ActivityEntry } from '../../store/activity-repository';
import type { StoredBlock } from '../../store/block-repository';
import type { ActivityLog, BlockStore, PlacementStore, PlacementTarget, SnapshotScheduler } from '../ports';

/**
 * In-memory stand-ins for the ports, for the use cases' unit tests: a block
 * store that keeps revisions by content, an activity log and a snapshot
 * scheduler that remember what they were given.
 */
export function createFakePorts() {
  const blocks = new Map<string, StoredBlock & { contentHash: string }>();
  const activity: ActivityEntry[] = [];
  const scheduled: string[] = [];
  const seenPlacements = new Set<string>();
  const scheduler = {
    failWith: null as Error | null,
    async snapshotPlacement(placement: PlacementTarget) {
      scheduled.push(`placement ${placement.blockKey}@${placement.contentId}/${placement.localId}`);
      if (scheduler.failWith !== null) throw scheduler.failWith;
      return 1;
    },
    async refreshBlock(input: { blockKey: string; source: string }) {
      scheduled.push(`block ${input.blockKey} by ${input.source}`);
      if (scheduler.failWith !== null) throw scheduler.failWith;
      return 1;
    },
    async refreshSpace(input: { spaceKey: string; source: string }) {
      scheduled.push(`space ${input.spaceKey} by ${input.source}`);
      if (scheduler.failWith !== null) throw scheduler.failWith;
      return 1;
    },
  } satisfies SnapshotScheduler & { failWith: Error | null };

  const blockStore: BlockStore = {
    async write(write) {
      const id = `${write.installationId}/${write.spaceKey}/${write.key}`;
      const stored = blocks.get(id);
      if (stored?.contentHash === write.contentHash)
        return { revision: stored.revision, changed: false, created: false };
      const revision = (stored?.revision ?? 0) + 1;
      blocks.set(id, {
        key: write.key,
        kind: write.payload.kind,
        title: write.payload.title,
        content: write.payload.content,
        revision,
        source: write.source,
        updatedAt: write.now.toISOString(),
        contentHash: write.contentHash,
      });
      return { revision, changed: true, created: stored === undefined };
    },
    async find(installationId, spaceKey, key) {
      return blocks.get(`${installationId}/${spaceKey}/${key}`) ?? null;
    },
    async findForView(installationId, spaceKey, key) {
      const block = blocks.get(`${installationId}/${spaceKey}/${key}`);
      return block === undefined ? null : { block, contentHash: block.contentHash, staleAfterMinutes: 60 };
    },
    async list() {
      return [];
    },
    async delete() {
      return null;
    },
    async findDeletion() {
      return null;
    },
  };
  const placementStore: PlacementStore = {
    async record(placement) {
      const id = `${placement.installationId}/${placement.contentId}/${placement.localId}`;
      if (seenPlacements.has(id)) return false;
      seenPlacements.add(id);
      return true;
    },
    async listForSpace() {
      return [];
    },
  };
  const activityLog: ActivityLog = {
    async append(entry) {
      activity.push(entry);
      return { id: String(activity.length) } as Awaited<ReturnType<ActivityLog['append']>>;
    },
    async list() {
      return { items: [], nextCursor: null };
    },
  };
  return {
    blockStore,
    placementStore,
    activityLog,
    scheduler,
    activity,
    scheduled,
    log: pino({ level: 'silent' }),
  };
}
