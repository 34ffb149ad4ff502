import type { Kysely } from 'kysely';

/**
 * Installations (tenants), per-space settings, blocks and where they are
 * placed, ingest keys and the activity log. Column types are the portable
 * subset of SQLite and PostgreSQL (see ../schema.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createTenantTables(db);
  await createBlockTables(db);
  await createKeyAndActivityTables(db);
}

/** The installations and their per-space settings. */
async function createTenantTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('installations')
    .addColumn('installation_id', 'text', (column) => column.primaryKey())
    .addColumn('cloud_id', 'text', (column) => column.notNull())
    .addColumn('site_url', 'text')
    .addColumn('api_base_url', 'text', (column) => column.notNull())
    .addColumn('environment_type', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('space_settings')
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('space_key', 'text', (column) => column.notNull())
    .addColumn('space_id', 'text')
    .addColumn('publishing_policy', 'text', (column) => column.notNull())
    .addColumn('stale_after_minutes', 'integer', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addColumn('updated_by', 'text')
    .addPrimaryKeyConstraint('space_settings_pk', ['installation_id', 'space_key'])
    .execute();
}

/** The blocks and where each is placed (one row per macro instance). */
async function createBlockTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('blocks')
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('space_key', 'text', (column) => column.notNull())
    .addColumn('block_key', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('content_json', 'text', (column) => column.notNull())
    .addColumn('content_hash', 'text', (column) => column.notNull())
    .addColumn('revision', 'integer', (column) => column.notNull())
    .addColumn('source', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('blocks_pk', ['installation_id', 'space_key', 'block_key'])
    .execute();

  // One row per macro instance: a macro whose config switches to another block
  // moves its row, so "pages embedding block X" stays exact.
  await db.schema
    .createTable('block_placements')
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('space_key', 'text', (column) => column.notNull())
    .addColumn('block_key', 'text', (column) => column.notNull())
    .addColumn('content_id', 'text', (column) => column.notNull())
    .addColumn('local_id', 'text', (column) => column.notNull())
    .addColumn('first_seen_at', 'text', (column) => column.notNull())
    .addColumn('last_seen_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('block_placements_pk', ['installation_id', 'content_id', 'local_id'])
    .execute();
  await db.schema
    .createIndex('block_placements_by_block')
    .on('block_placements')
    .columns(['installation_id', 'space_key', 'block_key'])
    .execute();
}

/** The ingest keys and the activity log. */
async function createKeyAndActivityTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ingest_keys')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('space_key', 'text', (column) => column.notNull())
    .addColumn('source', 'text', (column) => column.notNull())
    .addColumn('key_hash', 'text', (column) => column.notNull().unique())
    .addColumn('prefix', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'text')
    .execute();
  await db.schema
    .createIndex('ingest_keys_by_space')
    .on('ingest_keys')
    .columns(['installation_id', 'space_key'])
    .execute();

  await db.schema
    .createTable('activity')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('space_key', 'text', (column) => column.notNull())
    .addColumn('at', 'text', (column) => column.notNull())
    .addColumn('actor_kind', 'text', (column) => column.notNull())
    .addColumn('actor_id', 'text', (column) => column.notNull())
    .addColumn('action', 'text', (column) => column.notNull())
    .addColumn('result', 'text', (column) => column.notNull())
    .addColumn('detail', 'text')
    .addColumn('page_id', 'text')
    .addColumn('version', 'integer')
    .execute();
  await db.schema
    .createIndex('activity_by_space')
    .on('activity')
    .columns(['installation_id', 'space_key', 'id'])
    .execute();
}
