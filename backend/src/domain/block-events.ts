import type { ContentType } from '@pagewire/shared';
import { createEventChannel, type EventChannel, type EventListener } from './event-channel';

/** A block got a new revision (the publishing engine refreshes the snapshots of the pages that embed it). */
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

/**
 * A macro showed a block on a page the backend had not seen it on (or had not
 * seen it on for a while): under the snapshot policy that page needs a
 * snapshot now, not at the next block change.
 */
export interface PlacementRecorded {
  installationId: string;
  spaceKey: string;
  blockKey: string;
  contentId: string;
  contentType: ContentType;
  localId: string;
  at: Date;
}

export type PlacementEvents = EventChannel<PlacementRecorded>;

export function createPlacementEvents(): PlacementEvents {
  return createEventChannel<PlacementRecorded>();
}
