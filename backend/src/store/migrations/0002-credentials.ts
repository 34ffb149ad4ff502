import type { Kysely } from 'kysely';

/**
 * Encrypted credentials: the Forge app system token (one per installation)
 * and the scoped API token (one per space, in-house mode only). Each row keeps
 * the id of the master key that sealed it, so a rotation knows what is left.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('app_tokens')
    .addColumn('installation_id', 'text', (column) => column.primaryKey())
    .addColumn('key_id', 'text', (column) => column.notNull())
    .addColumn('ciphertext', 'text', (column) => column.notNull())
    .addColumn('expires_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('space_key', 'text', (column) => column.notNull())
    .addColumn('email', 'text', (column) => column.notNull())
    .addColumn('key_id', 'text', (column) => column.notNull())
    .addColumn('ciphertext', 'text', (column) => column.notNull())
    .addColumn('expires_on', 'text', (column) => column.notNull())
    .addColumn('health_json', 'text', (column) => column.notNull())
    .addColumn('granted_scopes_json', 'text', (column) => column.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('expiry_warning', 'text')
    .addColumn('next_check_at', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('api_tokens_pk', ['installation_id', 'space_key'])
    .execute();
  await db.schema.createIndex('api_tokens_due').on('api_tokens').column('next_check_at').execute();
}
