import type { Kysely } from 'kysely';

/**
 * The Confluence pacer's shared state (../pacer-store-postgres.ts): the next
 * start slot per pacing key and the pauses a quota 429 imposes on a pool, so
 * replicas on PostgreSQL draw on one rate-limit budget. Created on SQLite too
 * (one process needs no shared store, but one migration list serves both).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('confluence_pacer_slots')
    .addColumn('pacing_key', 'text', (column) => column.primaryKey())
    .addColumn('tat_ms', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('confluence_pacer_pauses')
    .addColumn('pool', 'text', (column) => column.primaryKey())
    .addColumn('until_ms', 'bigint', (column) => column.notNull())
    .addColumn('reason', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('confluence_pacer_pauses').execute();
  await db.schema.dropTable('confluence_pacer_slots').execute();
}
