import { type Kysely, sql } from 'kysely';

/**
 * Whether a macro sits on a page or a blog post: their content properties
 * (where snapshots go) live under different v2 paths
 * (docs/platform-notes.md#blog-post-content-properties). Every placement
 * recorded before this was taken for a page, which is what it was written to.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('block_placements')
    .addColumn('content_type', 'text', (column) => column.notNull().defaultTo(sql`'page'`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('block_placements').dropColumn('content_type').execute();
}
