import type { Migration } from 'kysely';
import * as tenantsAndBlocks from './0001-tenants-and-blocks';
import * as credentials from './0002-credentials';
import * as fitTokenUses from './0010-fit-token-uses';
import * as appTokenRefusals from './0030-app-token-refusals';
import * as installationUninstall from './0031-installation-uninstall';
import * as placementContentType from './0040-placement-content-type';
import * as deletedBlocks from './0060-deleted-blocks';
import * as activityHumanEdit from './0061-activity-human-edit';

export interface NamedMigration {
  /** `NNNN-what`: applied in ascending order, recorded by name, never renamed once released. */
  readonly name: string;
  readonly migration: Migration;
}

/**
 * The backend's own migrations, in order. Another part of the backend (the
 * publishing engine) adds its tables by appending migrations here, or by
 * passing its own list to `migrateToLatest` next to this one; either way the
 * names must keep ascending (`0100-publishing-jobs`, …).
 */
export const coreMigrations: readonly NamedMigration[] = [
  { name: '0001-tenants-and-blocks', migration: tenantsAndBlocks },
  { name: '0002-credentials', migration: credentials },
  { name: '0010-fit-token-uses', migration: fitTokenUses },
  { name: '0030-app-token-refusals', migration: appTokenRefusals },
  { name: '0031-installation-uninstall', migration: installationUninstall },
  { name: '0040-placement-content-type', migration: placementContentType },
  { name: '0060-deleted-blocks', migration: deletedBlocks },
  { name: '0061-activity-human-edit', migration: activityHumanEdit },
];
