import type { Kysely } from 'kysely';

/**
 * The app system token is kept by delivery, newest first, and dropped when
 * Confluence refuses it: `token_hash` (SHA-256 of the token, so a refused token
 * delivered again is recognised without decrypting anything) and `refused_at`
 * (set when Confluence answered 401 to the stored token).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('app_tokens').addColumn('token_hash', 'text').execute();
  await db.schema.alterTable('app_tokens').addColumn('refused_at', 'text').execute();
}
