import type { BlockPayload, TokenHealth } from '@pagewire/shared';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrations, type NamedMigration } from './migrations';
import { migrateToLatest, pendingMigrations } from './migrator';
import { createPlacementRepository } from './placement-repository';
import { createRepositories, type Repositories } from './repositories';
import { type TestDatabase, testDatabaseTargets } from './testing/test-databases';

const A = 'ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-000000000001';
const B = 'ari:cloud:ecosystem::installation/bbbbbbbb-0000-4000-8000-000000000002';
const t0 = new Date('2026-11-28T10:00:00.000Z');
const minutesLater = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

function markdown(content: string, title = 'Deploys'): BlockPayload {
  return { kind: 'markdown', title, content };
}

const okHealth: TokenHealth = { status: 'ok', missingScopes: [], checkedAt: t0.toISOString() };

describe.each(testDatabaseTargets())('the repositories on $name', (target) => {
  let handle: TestDatabase;
  let repos: Repositories;

  beforeEach(async () => {
    handle = await target.open();
    repos = createRepositories(handle.database.db);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  describe('migrations', () => {
    /** Inserts further migrations at their place in name order, as a later release's index would list them. */
    const listedWith = (...added: NamedMigration[]) =>
      [...migrations, ...added].sort((a, b) => (a.name < b.name ? -1 : 1));

    it('applies nothing the second time and leaves nothing pending', async () => {
      expect(await migrateToLatest(handle.database, migrations)).toEqual([]);
      expect(await pendingMigrations(handle.database, migrations)).toEqual([]);
    });

    it('applies a migration added later on top of the recorded ones, in order', async () => {
      const later = listedWith({
        name: '0100-extension',
        migration: {
          async up(db: Parameters<NamedMigration['migration']['up']>[0]) {
            await db.schema
              .createTable('extension_rows')
              .addColumn('id', 'text', (c) => c.primaryKey())
              .execute();
          },
        },
      });
      expect(await pendingMigrations(handle.database, later)).toEqual(['0100-extension']);
      expect(await migrateToLatest(handle.database, later)).toEqual(['0100-extension']);
      await sql`insert into extension_rows (id) values ('x')`.execute(handle.database.db);
    });

    it('upgrades a database from an earlier release whose later-range migrations sort after a new core one', async () => {
      const tableMigration = (table: string) => ({
        async up(db: Parameters<NamedMigration['migration']['up']>[0]) {
          await db.schema
            .createTable(table)
            .addColumn('id', 'text', (c) => c.primaryKey())
            .execute();
        },
      });
      // An earlier release had the core migrations and a publishing one (01xx);
      // this release adds a core migration (00xx) that sorts before it.
      const earlierExtension = { name: '0199-earlier-extension', migration: tableMigration('earlier_rows') };
      const earlier = listedWith(earlierExtension);
      expect(await migrateToLatest(handle.database, earlier)).toEqual(['0199-earlier-extension']);
      const upgraded = listedWith(
        { name: '0099-new-core', migration: tableMigration('new_core_rows') },
        earlierExtension,
      );
      expect(await migrateToLatest(handle.database, upgraded)).toEqual(['0099-new-core']);
      await sql`insert into new_core_rows (id) values ('x')`.execute(handle.database.db);
      expect(await pendingMigrations(handle.database, upgraded)).toEqual([]);
    });

    it('refuses a migration list that is out of order', async () => {
      const shuffled = [...migrations].reverse();
      await expect(migrateToLatest(handle.database, shuffled)).rejects.toThrow(/must sort after/);
    });

    it('applies every migration on a fresh database exactly once even when two replicas start together', async () => {
      const fresh = await target.open({ migrations: false });
      try {
        const [first, second] = await Promise.all([
          migrateToLatest(fresh.database, migrations),
          migrateToLatest(fresh.database, migrations),
        ]);
        expect([...first, ...second].sort()).toEqual(migrations.map((m) => m.name).sort());
      } finally {
        await fresh.dispose();
      }
    });
  });

  describe('installations', () => {
    it('records an installation and keeps its site URL when a later sighting does not know it', async () => {
      const sighting = {
        installationId: A,
        cloudId: 'cloud-a',
        apiBaseUrl: 'https://api.atlassian.com/ex/confluence/cloud-a',
        environmentType: 'PRODUCTION',
      };
      expect(await repos.installations.record({ ...sighting, siteUrl: 'https://a.atlassian.net' }, t0)).toBe(
        true,
      );
      expect(await repos.installations.record(sighting, minutesLater(1))).toBe(false);
      expect(await repos.installations.find(A)).toMatchObject({
        cloudId: 'cloud-a',
        siteUrl: 'https://a.atlassian.net',
        updatedAt: t0.toISOString(),
      });
      expect(await repos.installations.find(B)).toBeNull();
    });
  });

  describe('space settings', () => {
    it('answers the defaults until a setting changes, then merges partial changes', async () => {
      expect((await repos.spaceSettings.get(A, 'ENG')).settings).toEqual({
        publishingPolicy: 'live',
        staleAfterMinutes: 60,
      });
      await repos.spaceSettings.update(A, 'ENG', { staleAfterMinutes: 15 }, { accountId: 'u1', now: t0 });
      const merged = await repos.spaceSettings.update(
        A,
        'ENG',
        { publishingPolicy: 'snapshot' },
        { accountId: 'u1', spaceId: '42', now: t0 },
      );
      expect(merged).toEqual({ publishingPolicy: 'snapshot', staleAfterMinutes: 15 });
      expect((await repos.spaceSettings.get(A, 'ENG')).spaceId).toBe('42');
      expect((await repos.spaceSettings.get(B, 'ENG')).settings.staleAfterMinutes).toBe(60);
    });
  });

  describe('blocks', () => {
    const write = (installationId: string, content: string, now = t0, key = 'deploys', spaceKey = 'ENG') =>
      repos.blocks.write({
        installationId,
        spaceKey,
        key,
        payload: markdown(content),
        contentHash: `hash:${content}`,
        source: 'ci',
        now,
      });

    it('creates revision 1, ignores the same content and counts up on a change', async () => {
      expect(await write(A, 'v1')).toEqual({ revision: 1, changed: true, created: true });
      expect(await write(A, 'v1', minutesLater(1))).toEqual({ revision: 1, changed: false, created: false });
      expect(await write(A, 'v2', minutesLater(2))).toEqual({ revision: 2, changed: true, created: false });
      expect(await repos.blocks.find(A, 'ENG', 'deploys')).toMatchObject({
        kind: 'markdown',
        content: 'v2',
        revision: 2,
        updatedAt: minutesLater(2).toISOString(),
      });
    });

    it('keeps the same key in two installations and two spaces apart', async () => {
      await write(A, 'from A');
      await write(B, 'from B');
      await write(A, 'from A in OPS', t0, 'deploys', 'OPS');
      expect((await repos.blocks.find(A, 'ENG', 'deploys'))?.content).toBe('from A');
      expect((await repos.blocks.find(B, 'ENG', 'deploys'))?.content).toBe('from B');
      expect((await repos.blocks.find(A, 'OPS', 'deploys'))?.content).toBe('from A in OPS');
      expect(await repos.blocks.list(B, 'OPS')).toEqual([]);
    });

    it('gives concurrent writers of one block distinct revisions', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, (_, index) => write(A, `v${index}`)));
      const revisions = results.map((result) => result.revision).sort((x, y) => x - y);
      expect(revisions).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect((await repos.blocks.find(A, 'ENG', 'deploys'))?.revision).toBe(8);
    });

    it('lists a space’s blocks by key', async () => {
      await write(A, 'x', t0, 'b-second');
      await write(A, 'y', t0, 'a-first');
      expect((await repos.blocks.list(A, 'ENG')).map((block) => block.key)).toEqual(['a-first', 'b-second']);
    });

    it('stores unicode content exactly', async () => {
      const content = 'emoji 🚀, combining é, RTL שלום, zero-width\u200b, astral 𝔘';
      await write(A, content);
      expect((await repos.blocks.find(A, 'ENG', 'deploys'))?.content).toBe(content);
    });
  });

  describe('placements', () => {
    it('records where a block is embedded and follows a macro switched to another block', async () => {
      const placement = {
        installationId: A,
        spaceKey: 'ENG',
        blockKey: 'deploys',
        contentId: '100',
        localId: 'm1',
      };
      // `record` says whether it wrote: new placements and moves yes, a repeat sighting no.
      expect(await repos.placements.record(placement, t0)).toBe(true);
      expect(await repos.placements.record({ ...placement, localId: 'm2' }, t0)).toBe(true);
      expect(await repos.placements.record(placement, minutesLater(5))).toBe(false);
      expect((await repos.placements.listForBlock(A, 'ENG', 'deploys')).map((p) => p.localId)).toEqual([
        'm1',
        'm2',
      ]);

      expect(await repos.placements.record({ ...placement, blockKey: 'oncall' }, minutesLater(6))).toBe(true);
      expect((await repos.placements.listForBlock(A, 'ENG', 'deploys')).map((p) => p.localId)).toEqual([
        'm2',
      ]);
      expect(await repos.placements.listForBlock(A, 'ENG', 'oncall')).toMatchObject([
        { localId: 'm1', firstSeenAt: t0.toISOString(), lastSeenAt: minutesLater(6).toISOString() },
      ]);
      expect(await repos.placements.listForBlock(B, 'ENG', 'oncall')).toEqual([]);
    });

    it('trusts its own record of a placement for a minute, then asks the database again', async () => {
      const placement = {
        installationId: A,
        spaceKey: 'ENG',
        blockKey: 'deploys',
        contentId: '7',
        localId: 'm',
      };
      const rows = () => repos.placements.listForBlock(A, 'ENG', 'deploys');
      expect(await repos.placements.record(placement, t0)).toBe(true);
      // The row disappears behind this process's back (another replica, an operator).
      await handle.database.db.deleteFrom('block_placements').execute();
      const secondsLater = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
      expect(await repos.placements.record(placement, secondsLater(30))).toBe(false);
      expect(await rows()).toEqual([]);
      expect(await repos.placements.record(placement, secondsLater(61))).toBe(true);
      expect(await rows()).toMatchObject([{ localId: 'm', firstSeenAt: secondsLater(61).toISOString() }]);
    });

    it('records a macro switched to another block at once, even within that minute', async () => {
      const placement = {
        installationId: A,
        spaceKey: 'ENG',
        blockKey: 'deploys',
        contentId: '7',
        localId: 'm',
      };
      expect(await repos.placements.record(placement, t0)).toBe(true);
      const moved = new Date(t0.getTime() + 5_000);
      expect(await repos.placements.record({ ...placement, blockKey: 'oncall' }, moved)).toBe(true);
      expect(await repos.placements.record(placement, new Date(t0.getTime() + 10_000))).toBe(true);
      expect(await repos.placements.listForBlock(A, 'ENG', 'deploys')).toMatchObject([{ localId: 'm' }]);
      expect(await repos.placements.listForBlock(A, 'ENG', 'oncall')).toEqual([]);
    });

    it('forgets the oldest placements first when its memory is full', async () => {
      const placements = createPlacementRepository(handle.database.db, { maxEntries: 2 });
      const at = (localId: string) => ({
        installationId: A,
        spaceKey: 'ENG',
        blockKey: 'deploys',
        contentId: '7',
        localId,
      });
      for (const localId of ['a', 'b', 'c']) expect(await placements.record(at(localId), t0)).toBe(true);
      await handle.database.db.deleteFrom('block_placements').execute();
      // 'a' was forgotten, so it goes to the database (and is written again); 'c' is still remembered.
      expect(await placements.record(at('a'), t0)).toBe(true);
      expect(await placements.record(at('c'), t0)).toBe(false);
      expect((await placements.listForBlock(A, 'ENG', 'deploys')).map((p) => p.localId)).toEqual(['a']);
    });
  });

  describe('blocks for a macro view', () => {
    const write = (installationId: string, content: string) =>
      repos.blocks.write({
        installationId,
        spaceKey: 'ENG',
        key: 'deploys',
        payload: markdown(content),
        contentHash: `hash:${content}`,
        source: 'ci',
        now: t0,
      });

    it('reads a block with its space’s staleness threshold, or the default, in one call', async () => {
      await write(A, 'hello');
      expect(await repos.blocks.findForView(A, 'ENG', 'deploys')).toMatchObject({
        block: { key: 'deploys', kind: 'markdown', content: 'hello', revision: 1 },
        staleAfterMinutes: 60,
      });
      await repos.spaceSettings.update(A, 'ENG', { staleAfterMinutes: 15 }, { accountId: 'admin', now: t0 });
      expect((await repos.blocks.findForView(A, 'ENG', 'deploys'))?.staleAfterMinutes).toBe(15);
      // Another installation's settings for a space of the same key do not leak in.
      await repos.spaceSettings.update(B, 'ENG', { staleAfterMinutes: 999 }, { accountId: 'admin', now: t0 });
      expect((await repos.blocks.findForView(A, 'ENG', 'deploys'))?.staleAfterMinutes).toBe(15);
      expect(await repos.blocks.findForView(B, 'ENG', 'deploys')).toBeNull();
    });

    it('carries the content hash the block was stored with', async () => {
      await write(A, 'hello');
      expect((await repos.blocks.findForView(A, 'ENG', 'deploys'))?.contentHash).toBe('hash:hello');
      await write(A, 'hello again');
      expect((await repos.blocks.findForView(A, 'ENG', 'deploys'))?.contentHash).toBe('hash:hello again');
    });
  });

  describe('ingest keys', () => {
    const key = {
      id: 'key-1',
      installationId: A,
      spaceKey: 'ENG',
      source: 'ci',
      keyHash: 'a'.repeat(64),
      prefix: 'pwk_abcdef',
      createdAt: t0.toISOString(),
      createdBy: 'admin-1',
    };

    it('finds a key by its hash and revokes it only within its own installation and space', async () => {
      await repos.ingestKeys.create(key);
      expect(await repos.ingestKeys.findByHash(key.keyHash)).toMatchObject({ id: 'key-1', revokedAt: null });
      expect(await repos.ingestKeys.revoke(B, 'ENG', 'key-1', 'intruder', t0)).toBe('not_found');
      expect(await repos.ingestKeys.revoke(A, 'OPS', 'key-1', 'intruder', t0)).toBe('not_found');
      expect(await repos.ingestKeys.revoke(A, 'ENG', 'key-1', 'admin-1', t0)).toBe('revoked');
      expect(await repos.ingestKeys.revoke(A, 'ENG', 'key-1', 'admin-1', t0)).toBe('already_revoked');
      expect((await repos.ingestKeys.findByHash(key.keyHash))?.revokedAt).toBe(t0.toISOString());
    });

    it('lists keys without their hashes and notes use at most once a minute', async () => {
      await repos.ingestKeys.create(key);
      await repos.ingestKeys.markUsed('key-1', t0);
      await repos.ingestKeys.markUsed('key-1', new Date(t0.getTime() + 30_000));
      const [summary] = await repos.ingestKeys.list(A, 'ENG');
      expect(summary).toEqual({
        id: 'key-1',
        source: 'ci',
        prefix: 'pwk_abcdef',
        createdAt: t0.toISOString(),
        createdBy: 'admin-1',
        lastUsedAt: t0.toISOString(),
        revokedAt: null,
      });
      await repos.ingestKeys.markUsed('key-1', minutesLater(2));
      expect((await repos.ingestKeys.list(A, 'ENG'))[0]?.lastUsedAt).toBe(minutesLater(2).toISOString());
      expect(await repos.ingestKeys.list(B, 'ENG')).toEqual([]);
    });
  });

  describe('activity', () => {
    it('pages newest first with a cursor and keeps spaces and installations apart', async () => {
      for (let index = 0; index < 5; index++) {
        await repos.activity.append({
          installationId: A,
          spaceKey: 'ENG',
          actor: { kind: 'user', id: 'u1' },
          action: 'settings.updated',
          result: 'ok',
          detail: `change ${index}`,
          at: minutesLater(index),
        });
      }
      await repos.activity.append({
        installationId: B,
        spaceKey: 'ENG',
        actor: { kind: 'user', id: 'u2' },
        action: 'settings.updated',
        result: 'ok',
        at: t0,
      });
      const first = await repos.activity.list(A, 'ENG', { limit: 2 });
      expect(first.items.map((item) => item.detail)).toEqual(['change 4', 'change 3']);
      expect(first.nextCursor).not.toBeNull();
      const second = await repos.activity.list(A, 'ENG', { limit: 2, before: first.nextCursor! });
      expect(second.items.map((item) => item.detail)).toEqual(['change 2', 'change 1']);
      const last = await repos.activity.list(A, 'ENG', { limit: 2, before: second.nextCursor! });
      expect(last.items.map((item) => item.detail)).toEqual(['change 0']);
      expect(last.nextCursor).toBeNull();
      expect((await repos.activity.list(B, 'ENG', { limit: 10 })).items).toHaveLength(1);
      expect((await repos.activity.list(A, 'OPS', { limit: 10 })).items).toHaveLength(0);
    });
  });

  describe('app tokens', () => {
    it('stores the newest token delivered, whatever the expiry of the one before', async () => {
      const first = { keyId: 'k', ciphertext: 'first' };
      const second = { keyId: 'k', ciphertext: 'second' };
      await repos.appTokens.store(A, { sealed: first, expiresAt: minutesLater(240), tokenHash: 'h1' }, t0);
      await repos.appTokens.store(A, { sealed: second, expiresAt: minutesLater(60), tokenHash: 'h2' }, t0);
      expect(await repos.appTokens.find(A)).toEqual({
        sealed: second,
        expiresAt: minutesLater(60),
        tokenHash: 'h2',
        refusedAt: null,
      });
      expect(await repos.appTokens.find(B)).toBeNull();
    });

    it('marks refused only the token it was told about, and a new delivery clears the mark', async () => {
      await repos.appTokens.store(
        A,
        { sealed: { keyId: 'k', ciphertext: 'c' }, expiresAt: minutesLater(60), tokenHash: 'h1' },
        t0,
      );
      expect(await repos.appTokens.refuse(A, 'other', t0)).toBe(false);
      expect(await repos.appTokens.refuse(A, 'h1', t0)).toBe(true);
      expect((await repos.appTokens.find(A))?.refusedAt).toEqual(t0);
      await repos.appTokens.store(
        A,
        { sealed: { keyId: 'k', ciphertext: 'd' }, expiresAt: minutesLater(60), tokenHash: 'h2' },
        t0,
      );
      expect((await repos.appTokens.find(A))?.refusedAt).toBeNull();
    });

    it('reseals only the value it read', async () => {
      const original = { keyId: 'old', ciphertext: 'sealed-old' };
      await repos.appTokens.store(A, { sealed: original, expiresAt: minutesLater(60), tokenHash: 'h1' }, t0);
      const [row] = await repos.appTokens.listSealed();
      await repos.appTokens.store(
        A,
        {
          sealed: { keyId: 'old', ciphertext: 'arrived-meanwhile' },
          expiresAt: minutesLater(90),
          tokenHash: 'h2',
        },
        t0,
      );
      expect(await repos.appTokens.reseal(row!, { keyId: 'new', ciphertext: 'resealed' })).toBe(false);
      expect((await repos.appTokens.find(A))?.sealed.ciphertext).toBe('arrived-meanwhile');
    });
  });

  describe('API tokens', () => {
    const token = (installationId: string, spaceKey: string, ciphertext = 'sealed') => ({
      installationId,
      spaceKey,
      email: 'svc@serviceaccount.atlassian.com',
      sealed: { keyId: 'k1', ciphertext },
      expiresOn: '2027-06-30',
      health: okHealth,
      grantedScopes: ['read:page:confluence'],
      nextCheckAt: minutesLater(24 * 60).toISOString(),
      createdAt: t0.toISOString(),
      createdBy: 'admin-1',
    });

    it('stores, replaces and removes one token per space', async () => {
      await repos.apiTokens.save(token(A, 'ENG', 'first'), t0);
      await repos.apiTokens.markUsed(A, 'ENG', minutesLater(1));
      await repos.apiTokens.save(token(A, 'ENG', 'second'), minutesLater(2));
      const stored = await repos.apiTokens.find(A, 'ENG');
      expect(stored).toMatchObject({ sealed: { ciphertext: 'second' }, lastUsedAt: null, health: okHealth });
      expect(await repos.apiTokens.find(B, 'ENG')).toBeNull();
      expect(await repos.apiTokens.remove(B, 'ENG')).toBe(false);
      expect(await repos.apiTokens.remove(A, 'ENG')).toBe(true);
      expect(await repos.apiTokens.find(A, 'ENG')).toBeNull();
    });

    it('hands each due token to exactly one of two concurrent claimers', async () => {
      for (const space of ['S1', 'S2', 'S3', 'S4']) {
        await repos.apiTokens.save({ ...token(A, space), nextCheckAt: t0.toISOString() }, t0);
      }
      await repos.apiTokens.save(token(A, 'LATER'), t0);
      expect(await repos.apiTokens.countDue(minutesLater(1))).toBe(4);
      const other = createRepositories(handle.database.db);
      const [first, second] = await Promise.all([
        repos.apiTokens.claimDue(minutesLater(1), minutesLater(24 * 60), 10),
        other.apiTokens.claimDue(minutesLater(1), minutesLater(24 * 60), 10),
      ]);
      const claimed = [...first, ...second].map((record) => record.spaceKey).sort();
      expect(claimed).toEqual(['S1', 'S2', 'S3', 'S4']);
      expect(await repos.apiTokens.countDue(minutesLater(1))).toBe(0);
    });

    it('does not record a check against a token replaced while the check ran', async () => {
      await repos.apiTokens.save(token(A, 'ENG', 'checked'), t0);
      await repos.apiTokens.save(token(A, 'ENG', 'replacement'), t0);
      const failing: TokenHealth = {
        status: 'expired_or_revoked',
        missingScopes: [],
        checkedAt: t0.toISOString(),
      };
      const recorded = await repos.apiTokens.recordCheck(
        A,
        'ENG',
        { keyId: 'k1', ciphertext: 'checked' },
        { health: failing, grantedScopes: [], nextCheckAt: minutesLater(60) },
      );
      expect(recorded).toBe(false);
      expect((await repos.apiTokens.find(A, 'ENG'))?.health.status).toBe('ok');
    });
  });
});
