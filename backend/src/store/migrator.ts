import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Database } from './database';
import type { NamedMigration } from './migrations';

/** Recorded migrations live here; a lock table next to it keeps two replicas from migrating at once. */
const MIGRATION_TABLE = 'pagewire_migration';
const MIGRATION_LOCK_TABLE = 'pagewire_migration_lock';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

function checkOrder(migrations: readonly NamedMigration[]): void {
  for (let index = 1; index < migrations.length; index++) {
    const previous = migrations[index - 1]!.name;
    const current = migrations[index]!.name;
    if (previous >= current) {
      throw new MigrationError(`migration "${current}" must sort after "${previous}"`);
    }
  }
}

function createMigrator(database: Database, migrations: readonly NamedMigration[]): Migrator {
  checkOrder(migrations);
  const provider: MigrationProvider = {
    async getMigrations() {
      const record: Record<string, Migration> = {};
      for (const { name, migration } of migrations) record[name] = migration;
      return record;
    },
  };
  return new Migrator({
    db: database.db as Kysely<unknown>,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    // Each part of the backend owns a numbered range (core 00xx, publishing
    // 01xx), so a release can add a core migration that sorts before
    // publishing migrations a database already has. Those migrations touch
    // separate tables; applying the missing ones in name order is what we want,
    // and refusing (Kysely's default) would stop every upgraded deployment.
    allowUnorderedMigrations: true,
    // Kysely looks for its own tables across every schema unless told which one;
    // with a schema per test run (or per deployment) it must be this one.
    ...(database.schema === null ? {} : { migrationTableSchema: database.schema }),
  });
}

/**
 * Applies every migration not yet recorded, in order, inside Kysely's
 * migration lock (safe when several replicas start together). Running it again
 * is a no-op. Returns the names it applied.
 */
export async function migrateToLatest(
  database: Database,
  migrations: readonly NamedMigration[],
): Promise<string[]> {
  const { error, results } = await createMigrator(database, migrations).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(
      failed === undefined ? `migrations failed: ${reason}` : `migration "${failed}" failed: ${reason}`,
    );
  }
  return (results ?? [])
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
}

/** The names of migrations not yet applied (what `/readyz` checks). */
export async function pendingMigrations(
  database: Database,
  migrations: readonly NamedMigration[],
): Promise<string[]> {
  const infos = await createMigrator(database, migrations).getMigrations();
  return infos.filter((info) => info.executedAt === undefined).map((info) => info.name);
}
