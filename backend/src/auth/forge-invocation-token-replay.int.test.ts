import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/database';
import { migrations } from '../store/migrations';
import { migrateToLatest } from '../store/migrator';
import { type TestDatabase, testDatabaseTargets } from '../store/testing/test-databases';
import { createFitReplayStore } from './forge-invocation-token-replay';

const t0 = new Date('2026-11-28T10:00:00.000Z');
const secondsLater = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe.each(testDatabaseTargets())('the FIT replay store on $name', (target) => {
  let handle: TestDatabase;
  let clock: Date;
  const now = () => clock;

  beforeEach(async () => {
    handle = await target.open();
    clock = t0;
  });
  afterEach(async () => {
    await handle.dispose();
  });

  const use = (jti: string, operation = 'blocks.get', retryable = false) => ({
    jti,
    operation,
    retryable,
    rememberUntil: secondsLater(30),
  });

  it('accepts the first use of a jti and refuses every later one', async () => {
    const store = createFitReplayStore(handle.database.db, now);
    expect(await store.use(use('jti-1'))).toBe('first');
    expect(await store.use(use('jti-1'))).toBe('replayed');
    expect(await store.use(use('jti-1', 'settings.get'))).toBe('replayed');
    expect(await store.use(use('jti-2'))).toBe('first');
  });

  it('takes the same trigger operation again as a retry, and nothing else', async () => {
    const store = createFitReplayStore(handle.database.db, now);
    expect(await store.use(use('jti-t', 'lifecycle.installed', true))).toBe('first');
    expect(await store.use(use('jti-t', 'lifecycle.installed', true))).toBe('retry');
    expect(await store.use(use('jti-t', 'lifecycle.tokenRefresh', true))).toBe('replayed');
    expect(await store.use(use('jti-t', 'blocks.get', false))).toBe('replayed');
  });

  it('accepts exactly one of two uses of a token that arrive at the same moment', async () => {
    const store = createFitReplayStore(handle.database.db, now);
    const outcomes = await Promise.all([
      store.use(use('jti-race')),
      store.use(use('jti-race', 'settings.get')),
      store.use(use('jti-other')),
    ]);
    expect(outcomes).toEqual(['first', 'replayed', 'first']);
  });

  it('records every first use of many calls at once, more than one write holds, and refuses each again', async () => {
    const store = createFitReplayStore(handle.database.db, now);
    const jtis = Array.from({ length: 150 }, (_, index) => `jti-many-${index}`);
    expect(new Set(await Promise.all(jtis.map((jti) => store.use(use(jti)))))).toEqual(new Set(['first']));
    expect(new Set(await Promise.all(jtis.map((jti) => store.use(use(jti)))))).toEqual(new Set(['replayed']));
  });

  it('takes a trigger delivery and its retry arriving together as one use and its retry', async () => {
    const store = createFitReplayStore(handle.database.db, now);
    const outcomes = await Promise.all([
      store.use(use('jti-tt', 'lifecycle.installed', true)),
      store.use(use('jti-tt', 'lifecycle.installed', true)),
      store.use(use('jti-tt', 'lifecycle.tokenRefresh', true)),
    ]);
    expect(outcomes).toEqual(['first', 'retry', 'replayed']);
  });

  it('shares what it saw between replicas on one database', async () => {
    // In-memory SQLite belongs to one connection; replicas on SQLite share a file.
    const dir = target.name === 'sqlite' ? mkdtempSync(join(tmpdir(), 'pagewire-replay-')) : null;
    const url = dir === null ? handle.url : `sqlite:${join(dir, 'pagewire.db')}`;
    const one = dir === null ? handle.database : await openDatabase(url);
    if (dir !== null) await migrateToLatest(one, migrations);
    const other = await openDatabase(url);
    try {
      const first = createFitReplayStore(one.db, now);
      const second = createFitReplayStore(other.db, now);
      expect(await first.use(use('jti-shared'))).toBe('first');
      expect(await second.use(use('jti-shared'))).toBe('replayed');
    } finally {
      await other.close();
      if (dir !== null) {
        await one.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('prunes uses whose tokens have expired', async () => {
    const store = createFitReplayStore(handle.database.db, now);
    expect(await store.use(use('old'))).toBe('first');
    clock = secondsLater(120);
    expect(await store.use({ ...use('new'), rememberUntil: secondsLater(150) })).toBe('first');
    const db = handle.database.db as unknown as import('kysely').Kysely<{ fit_token_uses: { jti: string } }>;
    const rows = await db.selectFrom('fit_token_uses').select('jti').execute();
    expect(rows.map((row) => row.jti)).toEqual(['new']);
  });
});
