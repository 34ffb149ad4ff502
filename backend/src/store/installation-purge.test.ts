import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from './database';
import { purgeInstallation } from './installation-purge';
import { migrations } from './migrations';
import { migrateToLatest } from './migrator';
import { PUBLISHING_TENANT_TABLES } from './schema';

const LEAVING = 'ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-000000000001';
const STAYING = 'ari:cloud:ecosystem::installation/bbbbbbbb-0000-4000-8000-000000000002';
const at = '2026-12-03T10:00:00.000Z';

describe('the uninstall purge', () => {
  let database: Database;
  beforeEach(async () => {
    database = await openDatabase('sqlite::memory:');
    await migrateToLatest(database, migrations);
  });
  afterEach(async () => {
    await database.close();
  });

  const seedPublishedPage = async (installationId: string) => {
    await sql`insert into publish_pages
      (installation_id, space_key, external_id, page_id, space_id, title, last_version, last_hash, labels_json, last_job_id, updated_at)
      values (${installationId}, 'ENG', 'runbook', '1001', '77', 'Runbook', 3, 'h', '[]', 'job-1', ${at})`.execute(
      database.db,
    );
    await database.db
      .insertInto('space_settings')
      .values({
        installation_id: installationId,
        space_key: 'ENG',
        space_id: null,
        publishing_policy: 'snapshot',
        stale_after_minutes: 15,
        updated_at: at,
        updated_by: 'admin',
      })
      .execute();
  };
  const rows = async (table: string, installationId: string) =>
    (
      await sql<{
        n: number;
      }>`select count(*) as n from ${sql.table(table)} where installation_id = ${installationId}`.execute(
        database.db,
      )
    ).rows[0]!.n;

  it('empties the publishing engine’s tables of the purged installation too, and leaves other installations alone', async () => {
    await seedPublishedPage(LEAVING);
    await seedPublishedPage(STAYING);
    await purgeInstallation(database.db, LEAVING, PUBLISHING_TENANT_TABLES);
    expect(await rows('publish_pages', LEAVING)).toBe(0);
    expect(await rows('space_settings', LEAVING)).toBe(0);
    expect(await rows('publish_pages', STAYING)).toBe(1);
    expect(await rows('space_settings', STAYING)).toBe(1);
  });
});
