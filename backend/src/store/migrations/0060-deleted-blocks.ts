import type { Kysely } from 'kysely';

/**
 * One row per deleted block key: a macro still showing the key can then say
 * the block was deleted, when and by whom, instead of suggesting it never
 * existed. A source writing the key again brings the block back and clears the row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('deleted_blocks')
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('space_key', 'text', (column) => column.notNull())
    .addColumn('block_key', 'text', (column) => column.notNull())
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('deleted_at', 'text', (column) => column.notNull())
    .addColumn('deleted_by_kind', 'text', (column) => column.notNull())
    .addColumn('deleted_by_id', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('deleted_blocks_pk', ['installation_id', 'space_key', 'block_key'])
    .execute();
}
