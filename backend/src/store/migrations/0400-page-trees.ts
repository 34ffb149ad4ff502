import type { Kysely } from 'kysely';

/**
 * Docs as code: each page's origin in its tree (the tree listing), links to
 * pages not written yet (re-published when the target is created), and what
 * a publishing job did to its page (`written` on the job view).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('page_origins')
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('space_key', 'text', (column) => column.notNull())
    .addColumn('external_id', 'text', (column) => column.notNull())
    .addColumn('tree', 'text', (column) => column.notNull())
    .addColumn('path', 'text', (column) => column.notNull())
    .addColumn('source_hash', 'text', (column) => column.notNull())
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('parent_external_id', 'text')
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('last_job_id', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('page_origins_pk', ['installation_id', 'space_key', 'external_id'])
    .execute();
  // The tree listing pages through one tree in external-id order.
  await db.schema
    .createIndex('page_origins_tree')
    .on('page_origins')
    .columns(['installation_id', 'space_key', 'tree', 'external_id'])
    .execute();

  await db.schema
    .createTable('page_links')
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('space_key', 'text', (column) => column.notNull())
    .addColumn('source_external_id', 'text', (column) => column.notNull())
    .addColumn('target_external_id', 'text', (column) => column.notNull())
    .addColumn('recorded_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('page_links_pk', [
      'installation_id',
      'space_key',
      'source_external_id',
      'target_external_id',
    ])
    .execute();
  // A target's creation looks up who links to it.
  await db.schema
    .createIndex('page_links_target')
    .on('page_links')
    .columns(['installation_id', 'space_key', 'target_external_id'])
    .execute();

  await db.schema.alterTable('publish_jobs').addColumn('written', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('publish_jobs').dropColumn('written').execute();
  await db.schema.dropTable('page_links').execute();
  await db.schema.dropTable('page_origins').execute();
}
