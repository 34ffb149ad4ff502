import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../store/migrations';
import type { ExportTables } from '../../store/schema';
import { type TestDatabase, testDatabaseTargets } from '../../store/testing/test-databases';
import { createExportKeyRepository } from './export-key-repository';
import { createMirrorRepository } from './mirror-repository';
import { createSyncRepository } from './sync-repository';

/** The export's stores on every database the backend runs on (PostgreSQL when PAGEWIRE_TEST_POSTGRES_URL is set). */
const target = { installationId: 'inst-1', spaceKey: 'ENG' };
const at = (second: number) => new Date(Date.UTC(2026, 10, 28, 10, 0, second));

describe.each(testDatabaseTargets())('the export stores on $name', (databaseTarget) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.dispose();
    database = undefined;
  });

  async function open() {
    database = await databaseTarget.open({ migrations: migrations });
    const db = database.database.db;
    return {
      keys: createExportKeyRepository(db),
      spaces: createSyncRepository(db),
      mirror: createMirrorRepository(db),
    };
  }

  it('keeps the feed in order across concurrent writers, tombstones and derived changes', async () => {
    const { spaces, mirror } = await open();
    await spaces.configure(target, { enabled: true, includeRestricted: false, spaceId: '9' }, at(0));
    const page = (pageId: string, version = 1) => ({
      pageId,
      title: `P${pageId}`,
      status: 'current' as const,
      version,
      parentId: pageId === '1' ? null : '1',
      labels: [],
      url: '',
      updatedAt: at(0).toISOString(),
      ownRestricted: pageId === '1',
      body: { type: 'doc' as const, version: 1 as const, content: [] },
    });
    await Promise.all(
      ['1', '2', '3', '4'].map((id) => mirror.upsert(target, page(id), { now: at(1), runId: 'r1' })),
    );
    await mirror.upsert(target, page('2', 2), { now: at(2), runId: null });
    await mirror.tombstone(target, '3', at(3));
    const entries = await mirror.entries(target);
    expect(entries.get('4')).toMatchObject({ seenRun: 'r1', readRun: 'r1' });
    expect(
      await mirror.setDerived(
        target,
        new Map([
          ['1', { path: [], restricted: true }],
          ['4', { path: ['P1'], restricted: true }],
        ]),
        at(4),
      ),
    ).toBe(1);
    const feed = await mirror.feed(target, { afterSeq: null, since: null, limit: 10 });
    const seqs = feed.map((row) => row.changeSeq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(feed.slice(-3).map((row) => [row.pageId, row.status])).toEqual([
      ['2', 'current'],
      ['3', 'deleted'],
      ['4', 'current'],
    ]);
    expect(await mirror.countLive(target)).toBe(3);
    expect(await mirror.touchRestricted(target, at(5))).toBe(2);
    expect(await mirror.pruneTombstones(at(4))).toBe(1);
  });

  it('leases a sync to one worker and keeps keys per space', async () => {
    const { keys, spaces } = await open();
    await spaces.configure(target, { enabled: true, includeRestricted: true, spaceId: '9' }, at(0));
    const leases = await Promise.all(['w1', 'w2', 'w3'].map((owner) => spaces.claim(owner, at(1), 60_000)));
    expect(leases.filter((lease) => lease !== null)).toHaveLength(1);
    expect(await spaces.findBySpaceId('inst-1', '9')).toMatchObject({
      spaceKey: 'ENG',
      includeRestricted: true,
    });
    await keys.create({
      id: 'k1',
      installationId: 'inst-1',
      spaceKey: 'ENG',
      consumer: 'search',
      keyHash: 'a'.repeat(64),
      prefix: 'pwx_aaaaaa',
      createdAt: at(0).toISOString(),
      createdBy: 'admin',
    });
    expect(await keys.revoke('inst-1', 'OPS', 'k1', 'admin', at(1))).toBe('not_found');
    expect(await keys.revoke('inst-1', 'ENG', 'k1', 'admin', at(1))).toBe('revoked');
    expect((await keys.findByHash('a'.repeat(64)))?.revokedAt).toBe(at(1).toISOString());
    await keys.markUsed('k1', at(2));
    expect((await keys.list('inst-1', 'ENG'))[0]).toMatchObject({ lastUsedAt: at(2).toISOString() });
  });
});
