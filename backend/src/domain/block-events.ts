import { createEventChannel, type EventChannel, type EventListener } from './event-channel';

/**
 * A block got a new revision, told to the parts of the backend that follow
 * changes (after the blocks use case queued the snapshots of the pages that
 * embed it: that is its own decision, not a listener's).
 */
export interface BlockChanged {
  installationId: string;
  spaceKey: string;
  key: string;
  revision: number;
  source: string;
  at: Date;
}

export type BlockChangedListener = EventListener<BlockChanged>;
export type BlockEvents = EventChannel<BlockChanged>;

export function createBlockEvents(): BlockEvents {
  return createEventChannel<BlockChanged>();
}
