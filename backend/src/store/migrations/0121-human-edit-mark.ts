import type { Kysely } from 'kysely';

/**
 * Confluence's page events (the webhooks module) mark a managed page a person
 * edited as soon as it happens, not at the next publish.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('publish_pages').addColumn('human_edit_json', 'text').execute();
}
