import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  type Compilable,
  type CompiledQuery,
  Kysely,
  PostgresDialect,
  type SqliteDatabase,
  SqliteDialect,
  sql,
} from 'kysely';
import pg from 'pg';
import type { Tables } from './schema';

export type DialectName = 'sqlite' | 'postgres';

export interface Database {
  readonly db: Kysely<Tables>;
  readonly dialect: DialectName;
  /** The PostgreSQL schema the tables live in (`null` on SQLite). */
  readonly schema: string | null;
  /** Where the data is, without credentials: safe to log. */
  readonly description: string;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens `sqlite:<path>` (or `sqlite::memory:`) or `postgres://…`. The schema
 * on PostgreSQL follows the connection's `search_path`, which the URL can set
 * with `?options=-c%20search_path%3D<schema>` (the test suite does exactly that
 * to get a fresh schema per run).
 */
export async function openDatabase(url: string): Promise<Database> {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length));
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url);
  // config/ has already checked DATABASE_URL; this guards other callers (the CLI, tests).
  throw new Error('a database URL must start with sqlite: or postgres://');
}

function openSqlite(location: string): Database {
  const inMemory = location === ':memory:';
  const path = inMemory ? ':memory:' : resolve(location);
  if (!inMemory) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Created owner-only before SQLite opens it: it holds sealed secrets and every
    // tenant's data, and SQLite gives its -wal and -shm files the same mode.
    closeSync(openSync(path, 'a', 0o600));
  }
  const connection = new SQLite(path);
  // WAL lets readers proceed during a write; busy_timeout makes a second process
  // (the rotate-master-key CLI next to a running backend) wait instead of failing.
  if (!inMemory) {
    connection.pragma('journal_mode = WAL');
    // In WAL mode NORMAL stays consistent after a crash and only risks the last
    // commits on power loss, for several times the write rate of FULL.
    connection.pragma('synchronous = NORMAL');
  }
  connection.pragma('busy_timeout = 5000');
  connection.pragma('foreign_keys = ON');
  const db = new Kysely<Tables>({
    dialect: new SqliteDialect({ database: withStatementCache(connection) }),
  });
  return {
    db,
    dialect: 'sqlite',
    schema: null,
    description: inMemory ? 'sqlite (in memory)' : `sqlite ${path}`,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}

/** Distinct SQL texts kept prepared; the repositories issue a few dozen, so this never evicts in practice. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely's SQLite driver prepares every query afresh; compiling the SQL was a
 * tenth of the backend's CPU on the `blocks.get` read path (bench/read-path.ts,
 * docs/BENCHMARKS.md). better-sqlite3 statements are reusable and are
 * re-prepared by SQLite itself after a schema change, so they are kept per SQL
 * text. Kysely runs each statement synchronously to completion (`all`/`run`;
 * nothing here streams with `iterate`), so a cached statement is never busy.
 */
function withStatementCache(connection: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => connection.close(),
    prepare(sqlText) {
      let statement = statements.get(sqlText);
      if (statement === undefined) {
        statement = connection.prepare(sqlText);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
        statements.set(sqlText, statement);
      }
      return statement;
    },
  };
}

/** A query compiled once, run with new values for its parameters. */
export interface CompiledStatement<Row> {
  execute(...values: string[]): Promise<Row[]>;
}

const parameterMarker = (index: number) => `\u0000pagewire-parameter-${index}\u0000`;

/**
 * Builds and compiles a query once, for a statement on a hot path: Kysely
 * builds an immutable operation tree and compiles it to SQL on every
 * execution, which cost more CPU than SQLite's primary-key lookup itself on
 * the macro read path (docs/BENCHMARKS.md). `build` receives one marker per
 * parameter in place of the values; the compiled SQL is kept and each
 * execution binds the real values in the positions the markers took, in the
 * dialect's own placeholder syntax. Every parameter of the compiled query must
 * be one of the markers, so a value baked into the query by mistake is an
 * error here, at start, not a wrong answer later.
 */
export function compileStatement<Row>(
  db: Kysely<Tables>,
  parameterCount: number,
  build: (...parameters: string[]) => Compilable<Row>,
): CompiledStatement<Row> {
  const markers = Array.from({ length: parameterCount }, (_, index) => parameterMarker(index));
  const compiled = build(...markers).compile();
  const positions = compiled.parameters.map((value) => markers.indexOf(value as string));
  if (positions.includes(-1)) {
    throw new Error(
      `compileStatement: a value that is not one of the parameters is bound in: ${compiled.sql}`,
    );
  }
  if (markers.some((_, index) => !positions.includes(index))) {
    throw new Error(`compileStatement: not every parameter is used in: ${compiled.sql}`);
  }
  return {
    async execute(...values) {
      if (values.length !== parameterCount) {
        throw new Error(`compileStatement: expected ${parameterCount} values, got ${values.length}`);
      }
      const query: CompiledQuery<Row> = {
        ...compiled,
        parameters: positions.map((index) => values[index]),
      };
      return (await db.executeQuery(query)).rows;
    },
  };
}

async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection emits 'error' on the pool; without a
  // listener that would crash the process instead of failing the next query.
  pool.on('error', () => {});
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  const parsed = new URL(url);
  const description = `postgres ${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  let schema: string | null;
  try {
    const result = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    schema = result.rows[0]?.schema ?? null;
  } catch (error) {
    await db.destroy();
    throw error;
  }
  if (schema === null) {
    await db.destroy();
    throw new Error('the database URL names no existing schema on its search_path; create it first');
  }
  return {
    db,
    dialect: 'postgres',
    schema,
    description: `${description} (schema ${schema})`,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}
