import type { Migration } from 'kysely';
import * as m0001 from './0001-tenants-and-blocks';
import * as m0002 from './0002-credentials';
import * as m0010 from './0010-fit-token-uses';
import * as m0030 from './0030-app-token-refusals';
import * as m0031 from './0031-installation-uninstall';
import * as m0040 from './0040-placement-content-type';
import * as m0060 from './0060-deleted-blocks';
import * as m0061 from './0061-activity-human-edit';
import * as m0100 from './0100-publishing-queue';
import * as m0110 from './0110-one-request-writes';
import * as m0120 from './0120-page-releases';
import * as m0121 from './0121-human-edit-mark';
import * as m0130 from './0130-publish-jobs-by-space';
import * as m0200 from './0200-export';
import * as m0300 from './0300-confluence-pacer';
import * as m0310 from './0310-webhooks';
import * as m0400 from './0400-page-trees';
import * as m0410 from './0410-page-attachments';

export interface NamedMigration {
  /** `NNNN-what`: applied in ascending order, recorded by name, never renamed once released. */
  readonly name: string;
  readonly migration: Migration;
}

/**
 * Every migration of the backend, in name order: the one list the migrator
 * applies and `/readyz` checks. Each lives in `./<NNNN>-<name>.ts` (exporting
 * `up`, and `down` where it can be undone); the table types it creates go in
 * `../schema/<area>.ts`. Each area owns a range of numbers, so a release can
 * add a migration to an earlier range than one a database already has (the
 * migrator applies unordered migrations):
 *
 *   00xx core (tenants, blocks, credentials)   01xx publishing engine
 *   02xx export   03xx Confluence pacer (0300) and webhooks (0310 on)
 *   04xx docs as code (0400 page trees, attachments)
 *
 * The recorded name is the string here, not the file name: never rename a
 * released entry (a database that recorded it would miss it, then re-run it).
 */
export const migrations: readonly NamedMigration[] = [
  { name: '0001-tenants-and-blocks', migration: m0001 },
  { name: '0002-credentials', migration: m0002 },
  { name: '0010-fit-token-uses', migration: m0010 },
  { name: '0030-app-token-refusals', migration: m0030 },
  { name: '0031-installation-uninstall', migration: m0031 },
  { name: '0040-placement-content-type', migration: m0040 },
  { name: '0060-deleted-blocks', migration: m0060 },
  { name: '0061-activity-human-edit', migration: m0061 },
  { name: '0100-publishing-queue', migration: m0100 },
  { name: '0110-one-request-writes', migration: m0110 },
  { name: '0120-page-releases', migration: m0120 },
  { name: '0121-human-edit-mark', migration: m0121 },
  { name: '0130-publish-jobs-by-space', migration: m0130 },
  { name: '0200-export', migration: m0200 },
  { name: '0300-confluence-pacer', migration: m0300 },
  { name: '0310-webhooks', migration: m0310 },
  { name: '0400-page-trees', migration: m0400 },
  { name: '0410-page-attachments', migration: m0410 },
];
