import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileStatement, type Database, openDatabase } from './database';
import { migrations } from './migrations';
import { migrateToLatest } from './migrator';

describe('a statement compiled once', () => {
  let database: Database;
  beforeEach(async () => {
    database = await openDatabase('sqlite::memory:');
    await migrateToLatest(database, migrations);
    await database.db
      .insertInto('space_settings')
      .values(
        ['ENG', 'OPS'].map((spaceKey, index) => ({
          installation_id: 'inst-1',
          space_key: spaceKey,
          space_id: null,
          publishing_policy: 'live',
          stale_after_minutes: 10 + index,
          updated_at: '2026-11-28T10:00:00.000Z',
          updated_by: 'admin',
        })),
      )
      .execute();
  });
  afterEach(async () => {
    await database.close();
  });

  it('binds each execution’s values where the parameters were, whatever order they appear in', async () => {
    const db = database.db;
    // The second parameter is used first in the SQL: positions come from the compiled query, not the argument order.
    const statement = compileStatement(db, 2, (installationId, spaceKey) =>
      db
        .selectFrom('space_settings')
        .select(['space_key', 'stale_after_minutes'])
        .where('space_key', '=', spaceKey)
        .where('installation_id', '=', installationId),
    );
    expect(await statement.execute('inst-1', 'ENG')).toEqual([{ space_key: 'ENG', stale_after_minutes: 10 }]);
    expect(await statement.execute('inst-1', 'OPS')).toEqual([{ space_key: 'OPS', stale_after_minutes: 11 }]);
    expect(await statement.execute('inst-2', 'OPS')).toEqual([]);
  });

  it('refuses a query with a value baked in, or a parameter it does not use', () => {
    const db = database.db;
    expect(() =>
      compileStatement(db, 1, (installationId) =>
        db
          .selectFrom('space_settings')
          .selectAll()
          .where('installation_id', '=', installationId)
          .where('space_key', '=', 'ENG'),
      ),
    ).toThrow(/a value that is not one of the parameters/);
    expect(() =>
      compileStatement(db, 2, (installationId) =>
        db.selectFrom('space_settings').selectAll().where('installation_id', '=', installationId),
      ),
    ).toThrow(/not every parameter is used/);
  });
});

describe('the SQLite database file', () => {
  it('is created readable and writable by its owner only, and so are its WAL and shared-memory files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagewire-mode-'));
    try {
      const file = join(dir, 'nested', 'pagewire.db');
      const database = await openDatabase(`sqlite:${file}`);
      await migrateToLatest(database, migrations);
      for (const path of [file, `${file}-wal`, `${file}-shm`]) {
        expect({ path, mode: statSync(path).mode & 0o777 }).toEqual({ path, mode: 0o600 });
      }
      await database.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
