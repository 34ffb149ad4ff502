import type { Kysely } from 'kysely';

/**
 * "Stop managing" (pages.release): the pages a space admin took back from
 * Pagewire. A row outlives the page's `publish_pages` row on purpose: it is
 * what refuses the source's further pushes and what the page notice reads.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('publish_page_releases')
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('space_key', 'text', (column) => column.notNull())
    .addColumn('external_id', 'text', (column) => column.notNull())
    .addColumn('page_id', 'text', (column) => column.notNull())
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('source', 'text', (column) => column.notNull())
    .addColumn('released_at', 'text', (column) => column.notNull())
    .addColumn('released_by', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('publish_page_releases_pk', ['installation_id', 'space_key', 'external_id'])
    .execute();
  await db.schema
    .createIndex('publish_page_releases_page')
    .on('publish_page_releases')
    .columns(['installation_id', 'page_id'])
    .execute();
}
