import type { Kysely } from 'kysely';

/**
 * When Forge's pre-uninstall trigger reached the backend: the installation
 * stops publishing, and its data is purged once the grace period has passed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('installations').addColumn('uninstalled_at', 'text').execute();
}
