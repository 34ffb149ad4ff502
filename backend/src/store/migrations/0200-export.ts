import type { Kysely } from 'kysely';

/**
 * The export (docs/EXPORT.md): consumers' keys, each space's sync state, the
 * mirror of its pages (tombstones included) and their bodies by version.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createKeyTable(db);
  await createSpaceTable(db);
  await createPageTables(db);
}

/** The consumers' export keys. */
async function createKeyTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('export_keys')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('space_key', 'text', (column) => column.notNull())
    .addColumn('consumer', 'text', (column) => column.notNull())
    .addColumn('key_hash', 'text', (column) => column.notNull().unique())
    .addColumn('prefix', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'text')
    .execute();
  await db.schema
    .createIndex('export_keys_space')
    .on('export_keys')
    .columns(['installation_id', 'space_key'])
    .execute();
}

/** Each exported space's sync state. */
async function createSpaceTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('export_spaces')
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('space_key', 'text', (column) => column.notNull())
    .addColumn('space_id', 'text')
    .addColumn('enabled', 'integer', (column) => column.notNull())
    .addColumn('include_restricted', 'integer', (column) => column.notNull())
    .addColumn('mode', 'text', (column) => column.notNull())
    .addColumn('due_at', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('checkpoint_json', 'text')
    .addColumn('running_since', 'text')
    .addColumn('attempts', 'integer', (column) => column.notNull())
    .addColumn('last_error_code', 'text')
    .addColumn('last_error_detail', 'text')
    .addColumn('last_error_at', 'text')
    .addColumn('last_full_sync_at', 'text')
    .addColumn('last_sync_at', 'text')
    .addColumn('next_seq', 'integer', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('export_spaces_pk', ['installation_id', 'space_key'])
    .execute();
  // What the worker scans for due syncs.
  await db.schema.createIndex('export_spaces_due').on('export_spaces').columns(['due_at']).execute();
}

/** The mirror of a space's pages (tombstones included) and their bodies by version. */
async function createPageTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('export_pages')
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('space_key', 'text', (column) => column.notNull())
    .addColumn('page_id', 'text', (column) => column.notNull())
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('parent_id', 'text')
    .addColumn('path_json', 'text', (column) => column.notNull())
    .addColumn('labels_json', 'text', (column) => column.notNull())
    .addColumn('checksum', 'text', (column) => column.notNull())
    .addColumn('web_url', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addColumn('changed_at', 'text', (column) => column.notNull())
    .addColumn('change_seq', 'integer', (column) => column.notNull())
    .addColumn('own_restricted', 'integer', (column) => column.notNull())
    .addColumn('restricted', 'integer', (column) => column.notNull())
    .addColumn('seen_run', 'text')
    .addColumn('read_run', 'text')
    .addColumn('deleted_at', 'text')
    .addPrimaryKeyConstraint('export_pages_pk', ['installation_id', 'space_key', 'page_id'])
    .execute();
  // The consumer's feed: changes of one space in the order they were recorded.
  await db.schema
    .createIndex('export_pages_feed')
    .on('export_pages')
    .columns(['installation_id', 'space_key', 'change_seq'])
    .execute();

  await db.schema
    .createTable('export_page_bodies')
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('space_key', 'text', (column) => column.notNull())
    .addColumn('page_id', 'text', (column) => column.notNull())
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('adf_json', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('export_page_bodies_pk', ['installation_id', 'space_key', 'page_id', 'version'])
    .execute();
}
