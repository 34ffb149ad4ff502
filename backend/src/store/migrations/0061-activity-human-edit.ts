import type { Kysely } from 'kysely';

/**
 * Whose edit a publish left alone (or overwrote), and when, as data rather
 * than inside the detail sentence: the settings page shows the person's name
 * and a relative time, not an account id and an ISO timestamp.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('activity').addColumn('edited_by', 'text').execute();
  await db.schema.alterTable('activity').addColumn('edited_at', 'text').execute();
}
