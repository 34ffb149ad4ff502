import type { AdfDocument } from '@pagewire/shared';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashAdf } from '../../adf/canonical-adf';
import { migrations } from '../../store/migrations';
import type { ExportTables } from '../../store/schema';
import { sqliteTarget, type TestDatabase } from '../../store/testing/test-databases';
import type { ObservedPage } from '../page-mirror';
import { createMirrorRepository, type MirrorRepository, TOMBSTONE_RETENTION_MS } from './mirror-repository';
import { createSyncRepository } from './sync-repository';

const doc = (text: string): AdfDocument => ({
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
});
const target = { installationId: 'inst-1', spaceKey: 'ENG' };
const at = (minute: number) => new Date(Date.UTC(2026, 10, 28, 10, minute));
const page = (overrides: Partial<ObservedPage> = {}): ObservedPage => ({
  pageId: '1',
  title: 'Runbook',
  status: 'current',
  version: 1,
  parentId: null,
  labels: ['b', 'a', 'a'],
  url: 'https://acme.atlassian.net/wiki/spaces/ENG/pages/1',
  updatedAt: at(0).toISOString(),
  ownRestricted: false,
  body: doc('one'),
  ...overrides,
});

describe('the page mirror', () => {
  let database: TestDatabase;
  let mirror: MirrorRepository;
  beforeEach(async () => {
    database = await sqliteTarget.open({ migrations: migrations });
    const db = database.database.db;
    mirror = createMirrorRepository(db);
    await createSyncRepository(db).configure(
      target,
      { enabled: true, includeRestricted: false, spaceId: '9' },
      at(0),
    );
  });
  afterEach(async () => {
    await database.dispose();
  });

  it('records a new page with sorted labels, the body’s checksum and the body by version', async () => {
    const change = await mirror.upsert(target, page(), { now: at(1), runId: 'r1' });
    expect(change!.before).toBeNull();
    expect(change!.after).toMatchObject({
      labels: ['a', 'b'],
      checksum: hashAdf(doc('one')),
      changedAt: at(1).toISOString(),
    });
    expect(await mirror.body(target, '1', 1)).toEqual(doc('one'));
  });

  it('lets the higher version win and never goes back; the same state again is no change', async () => {
    await mirror.upsert(target, page(), { now: at(1), runId: null });
    const newer = await mirror.upsert(target, page({ version: 2, body: doc('two') }), {
      now: at(2),
      runId: null,
    });
    expect(newer!.before!.version).toBe(1);
    expect(newer!.after.changeSeq).toBeGreaterThan(newer!.before!.changeSeq);
    expect(
      await mirror.upsert(target, page({ version: 1, body: doc('one') }), { now: at(3), runId: null }),
    ).toBeNull();
    expect(
      await mirror.upsert(target, page({ version: 2, body: doc('two') }), { now: at(4), runId: null }),
    ).toBeNull();
    expect(await mirror.get(target, '1')).toMatchObject({ version: 2, checksum: hashAdf(doc('two')) });
    // Only the current version's body is kept.
    expect(await mirror.body(target, '1', 1)).toBeNull();
    expect(await mirror.body(target, '1', 2)).toEqual(doc('two'));
  });

  it('counts a trash, a move or a label change at the same version as a change, keeping the body', async () => {
    await mirror.upsert(target, page(), { now: at(1), runId: null });
    const trashed = await mirror.upsert(target, page({ status: 'trashed', body: null }), {
      now: at(2),
      runId: null,
    });
    expect(trashed!.after).toMatchObject({ status: 'trashed', checksum: hashAdf(doc('one')) });
    const relabelled = await mirror.upsert(target, page({ status: 'trashed', labels: ['c'], body: null }), {
      now: at(3),
      runId: null,
    });
    expect(relabelled!.after.labels).toEqual(['c']);
  });

  it('keeps a tombstone in the feed until it is 30 days old, then prunes it', async () => {
    await mirror.upsert(target, page(), { now: at(1), runId: null });
    const gone = await mirror.tombstone(target, '1', at(2));
    expect(gone!.after).toMatchObject({ status: 'deleted', deletedAt: at(2).toISOString() });
    expect(await mirror.tombstone(target, '1', at(3))).toBeNull();
    expect(await mirror.countLive(target)).toBe(0);
    // The hourly prune deletes what was deleted more than 30 days before it runs.
    const pruneAt = (ms: number) => mirror.pruneTombstones(new Date(ms - TOMBSTONE_RETENTION_MS));
    expect(await pruneAt(at(2).getTime() + TOMBSTONE_RETENTION_MS - 1)).toBe(0);
    expect(
      (await mirror.feed(target, { afterSeq: null, since: null, limit: 10 })).map((row) => row.status),
    ).toEqual(['deleted']);
    expect(await pruneAt(at(2).getTime() + TOMBSTONE_RETENTION_MS + 1)).toBe(1);
    expect(await mirror.get(target, '1')).toBeNull();
  });

  it('comes back from a tombstone when the page reappears, even at a lower version', async () => {
    await mirror.upsert(target, page({ version: 3 }), { now: at(1), runId: null });
    await mirror.tombstone(target, '1', at(2));
    const back = await mirror.upsert(target, page({ version: 1 }), { now: at(3), runId: null });
    expect(back!.after).toMatchObject({ status: 'current', version: 1, deletedAt: null });
  });

  it('orders the feed by when changes were recorded and filters it by position and time', async () => {
    for (const [pageId, minute] of [
      ['3', 1],
      ['1', 2],
      ['2', 3],
    ] as const) {
      await mirror.upsert(target, page({ pageId }), { now: at(minute), runId: null });
    }
    const all = await mirror.feed(target, { afterSeq: null, since: null, limit: 10 });
    expect(all.map((row) => row.pageId)).toEqual(['3', '1', '2']);
    const after = await mirror.feed(target, { afterSeq: all[0]!.changeSeq, since: null, limit: 1 });
    expect(after.map((row) => row.pageId)).toEqual(['1']);
    const since = await mirror.feed(target, { afterSeq: null, since: at(3).toISOString(), limit: 10 });
    expect(since.map((row) => row.pageId)).toEqual(['2']);
    const other = await mirror.feed(
      { ...target, spaceKey: 'OPS' },
      { afterSeq: null, since: null, limit: 10 },
    );
    expect(other).toEqual([]);
  });

  it('records derived paths and inherited restrictions only where they changed', async () => {
    await mirror.upsert(target, page({ pageId: '1' }), { now: at(1), runId: null });
    await mirror.upsert(target, page({ pageId: '2', parentId: '1' }), { now: at(1), runId: null });
    const derived = new Map([
      ['1', { path: [], restricted: false }],
      ['2', { path: ['Runbook'], restricted: true }],
    ]);
    expect(await mirror.setDerived(target, derived, at(2))).toBe(1);
    expect(await mirror.setDerived(target, derived, at(3))).toBe(0);
    expect(await mirror.get(target, '2')).toMatchObject({ path: ['Runbook'], restricted: true });
  });
});
