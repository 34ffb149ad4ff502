import type { Kysely } from 'kysely';

/**
 * The `jti` of every Forge invocation token the backend accepted, until the
 * token expires: the replay rule (docs/BACKEND.md, "Replayed invocation
 * tokens"). In the database, not in memory, so every replica refuses a token
 * another one already served. `expires_at` is the token's `exp` plus the
 * clock tolerance, as ISO text like every other time here; rows past it are pruned.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('fit_token_uses')
    .addColumn('jti', 'text', (column) => column.primaryKey())
    .addColumn('operation', 'text', (column) => column.notNull())
    .addColumn('expires_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('fit_token_uses_expiry').on('fit_token_uses').column('expires_at').execute();
}
