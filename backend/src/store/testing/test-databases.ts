import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, openDatabase } from '../database';
import { migrations as allMigrations, type NamedMigration } from '../migrations';
import { migrateToLatest } from '../migrator';

/**
 * The databases the repository suite (and anyone else's database tests) run
 * against: SQLite always, PostgreSQL when `PAGEWIRE_TEST_POSTGRES_URL` is set.
 * Every `open()` on PostgreSQL creates a fresh schema and `dispose()` drops it,
 * so runs never see each other's rows.
 */
export interface TestDatabaseTarget {
  readonly name: 'sqlite' | 'postgres';
  open(options?: { migrations?: readonly NamedMigration[] | false }): Promise<TestDatabase>;
}

export interface TestDatabase {
  readonly database: Database;
  /** The URL that opens this same database (for a second connection, or `startBackend`). */
  readonly url: string;
  dispose(): Promise<void>;
}

export function postgresTestUrl(env: Record<string, string | undefined> = process.env): string | null {
  const url = env.PAGEWIRE_TEST_POSTGRES_URL;
  return url === undefined || url === '' ? null : url;
}

async function prepare(database: Database, migrations: readonly NamedMigration[] | false | undefined) {
  if (migrations !== false) await migrateToLatest(database, migrations ?? allMigrations);
}

export const sqliteTarget: TestDatabaseTarget = {
  name: 'sqlite',
  async open(options = {}) {
    const url = 'sqlite::memory:';
    const database = await openDatabase(url);
    await prepare(database, options.migrations);
    return { database, url, dispose: () => database.close() };
  },
};

export function postgresTarget(adminUrl: string): TestDatabaseTarget {
  return {
    name: 'postgres',
    async open(options = {}) {
      const schema = `pw_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`create schema "${schema}"`);
      } finally {
        await admin.end();
      }
      const url = withSearchPath(adminUrl, schema);
      const database = await openDatabase(url);
      await prepare(database, options.migrations);
      return {
        database,
        url,
        async dispose() {
          await database.close();
          const cleanup = new pg.Client({ connectionString: adminUrl });
          await cleanup.connect();
          try {
            await cleanup.query(`drop schema if exists "${schema}" cascade`);
          } finally {
            await cleanup.end();
          }
        },
      };
    },
  };
}

function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

export function testDatabaseTargets(
  env: Record<string, string | undefined> = process.env,
): TestDatabaseTarget[] {
  const postgres = postgresTestUrl(env);
  return postgres === null ? [sqliteTarget] : [sqliteTarget, postgresTarget(postgres)];
}
