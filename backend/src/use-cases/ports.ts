import type { ContentType, ExportSettingsView } from '@pagewire/shared';
import type { ActivityRepository } from '../store/activity-repository';
import type { BlockRepository } from '../store/block-repository';
import type { IngestKeyRepository } from '../store/ingest-key-repository';
import type { InstallationRepository } from '../store/installation-repository';
import type { PlacementRepository } from '../store/placement-repository';
import type { SpaceSettingsRepository } from '../store/space-settings-repository';

/**
 * What the use cases need from the world, named for that need. The record
 * shapes are store/'s (type-only imports: one declaration of a stored block,
 * not two); which implementation answers is compose.ts's choice, so a use case
 * never builds a repository, opens a database or knows the publishing engine.
 */
export type BlockStore = Pick<
  BlockRepository,
  'write' | 'find' | 'findForView' | 'list' | 'delete' | 'findDeletion'
>;
export type PlacementStore = Pick<PlacementRepository, 'record' | 'listForSpace'>;
export type ActivityLog = Pick<ActivityRepository, 'append' | 'list'>;
export type SpaceSettingsStore = Pick<SpaceSettingsRepository, 'get' | 'update' | 'copyAll'>;
export type IngestKeyStore = Pick<IngestKeyRepository, 'list' | 'create' | 'revoke'>;
export type InstallationStore = Pick<
  InstallationRepository,
  'find' | 'record' | 'markUninstalled' | 'findUninstalledOnSite'
>;

/** Where a macro shows a block: one instance (`localId`) on one page or blog post. */
export interface PlacementTarget {
  installationId: string;
  spaceKey: string;
  blockKey: string;
  contentId: string;
  contentType: ContentType;
  localId: string;
}

/**
 * The snapshot decisions of the core, carried out by whoever writes snapshots
 * (the publishing engine; nothing in the bare core). Each method only queues
 * work and resolves to how many snapshots it queued; under any policy but
 * `snapshot` it queues nothing.
 */
export interface SnapshotScheduler {
  /** A macro instance the backend had not seen: its snapshot now, not at the block's next change. */
  snapshotPlacement(placement: PlacementTarget, source: string): Promise<number>;
  /** A block got a new revision: every macro showing it. */
  refreshBlock(input: {
    installationId: string;
    spaceKey: string;
    blockKey: string;
    source: string;
  }): Promise<number>;
  /** A space switched to the `snapshot` policy: every placed block in it. */
  refreshSpace(input: { installationId: string; spaceKey: string; source: string }): Promise<number>;
}

/** The scheduler of a backend that writes no snapshots (the bare core). */
export const noSnapshots: SnapshotScheduler = {
  snapshotPlacement: async () => 0,
  refreshBlock: async () => 0,
  refreshSpace: async () => 0,
};

/** The source name of work Pagewire queues on its own behalf (a new placement, a policy switch). */
export const SYSTEM_SOURCE = 'pagewire';

/**
 * The export module's part of the settings page (export/): what `settings.get`
 * shows of export and how `settings.update` applies its `export` field.
 */
export interface ExportSettingsPart {
  view(target: { installationId: string; spaceKey: string }): Promise<ExportSettingsView>;
  /** Resolves to the change in words, for the settings activity row. */
  updateSettings(input: {
    installationId: string;
    spaceKey: string;
    spaceId: string | null;
    accountId: string;
    change: { enabled: boolean; includeRestricted?: boolean | undefined };
    now: Date;
  }): Promise<string>;
}
