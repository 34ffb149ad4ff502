import type { Kysely } from 'kysely';

/**
 * One Confluence request per update (issue 21): the fast path writes from
 * what the backend recorded, without reading the page or the property first.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // The parent Pagewire last put the page under: a move is sent only when it changes.
  await db.schema.alterTable('publish_pages').addColumn('parent_id', 'text').execute();
  // The page the homepage index is known to name for this external id;
  // the indexer writes the rows where it differs from page_id, in batches.
  await db.schema.alterTable('publish_pages').addColumn('indexed_page_id', 'text').execute();
  await db.schema
    .createIndex('publish_pages_unindexed')
    .on('publish_pages')
    .columns(['installation_id', 'space_key', 'indexed_page_id'])
    .execute();
  // The snapshot property's id (v2 addresses properties by id) and the
  // hash of the value written, so a refresh is one PUT of version + 1.
  await db.schema.alterTable('publish_snapshots').addColumn('property_id', 'text').execute();
  await db.schema.alterTable('publish_snapshots').addColumn('value_hash', 'text').execute();
}
