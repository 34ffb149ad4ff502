import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from '../../store/migrations';
import type { ExportTables } from '../../store/schema';
import { sqliteTarget, type TestDatabase } from '../../store/testing/test-databases';
import { createSyncRepository, type SyncRepository } from './sync-repository';

const target = { installationId: 'inst-1', spaceKey: 'ENG' };
const at = (second: number) => new Date(Date.UTC(2026, 10, 28, 10, 0, second));

describe('the export sync queue', () => {
  let database: TestDatabase;
  let spaces: SyncRepository;
  beforeEach(async () => {
    database = await sqliteTarget.open({ migrations: migrations });
    spaces = createSyncRepository(database.database.db);
  });
  afterEach(async () => {
    await database.dispose();
  });

  it('makes turning export on a full sync due now, and turning it off leaves nothing due', async () => {
    await spaces.configure(target, { enabled: true, includeRestricted: false, spaceId: null }, at(0));
    expect(await spaces.get(target)).toMatchObject({
      enabled: true,
      mode: 'full',
      dueAt: at(0).toISOString(),
    });
    await spaces.configure(target, { enabled: false, includeRestricted: false, spaceId: null }, at(1));
    expect(await spaces.get(target)).toMatchObject({ enabled: false, dueAt: null });
    expect(await spaces.claim('w1', at(2), 60_000)).toBeNull();
    expect(await spaces.request(target, at(2))).toBe(false);
  });

  it('hands a due sync to one worker at a time, and to another once the lease runs out', async () => {
    await spaces.configure(target, { enabled: true, includeRestricted: false, spaceId: null }, at(0));
    const first = await spaces.claim('w1', at(1), 10_000);
    expect(first?.owner).toBe('w1');
    expect(await spaces.claim('w2', at(2), 10_000)).toBeNull();
    const checkpoint = {
      runId: 'r',
      mode: 'full' as const,
      phase: 'list' as const,
      next: '/n',
      startedAt: '',
      requests: 3,
    };
    expect(await spaces.checkpoint(first!, checkpoint, at(3), 10_000)).toBe(true);
    const second = await spaces.claim('w2', at(14), 10_000);
    expect(second?.space.checkpoint).toEqual(checkpoint);
    // The first worker lost its lease: its progress is refused.
    expect(await spaces.checkpoint(first!, checkpoint, at(15), 10_000)).toBe(false);
  });

  it('keeps a sync asked for during a run due after it, and coalesces requests while one waits', async () => {
    await spaces.configure(target, { enabled: true, includeRestricted: false, spaceId: null }, at(0));
    const lease = await spaces.claim('w1', at(1), 60_000);
    expect(await spaces.request(target, at(5))).toBe(true);
    await spaces.finish(lease!, { now: at(9), nextDueAt: at(900), full: true });
    expect(await spaces.get(target)).toMatchObject({
      dueAt: at(5).toISOString(),
      lastFullSyncAt: at(9).toISOString(),
    });
    expect(await spaces.request(target, at(10))).toBe(true);
    expect((await spaces.get(target))!.dueAt).toBe(at(5).toISOString());

    const next = await spaces.claim('w1', at(11), 60_000);
    await spaces.finish(next!, { now: at(12), nextDueAt: at(912), full: false });
    expect(await spaces.get(target)).toMatchObject({ dueAt: at(912).toISOString(), mode: 'incremental' });
  });

  it('records a failure with its retry time and clears it on the next success', async () => {
    await spaces.configure(target, { enabled: true, includeRestricted: false, spaceId: null }, at(0));
    const lease = await spaces.claim('w1', at(1), 60_000);
    await spaces.fail(lease!, { code: 'confluence_unavailable', detail: 'down' }, at(31), at(1));
    expect(await spaces.get(target)).toMatchObject({
      attempts: 1,
      dueAt: at(31).toISOString(),
      lastError: { code: 'confluence_unavailable', detail: 'down', at: at(1).toISOString() },
    });
    const retry = await spaces.claim('w1', at(31), 60_000);
    await spaces.finish(retry!, { now: at(40), nextDueAt: at(940), full: true });
    expect(await spaces.get(target)).toMatchObject({ attempts: 0, lastError: null });
  });
});
