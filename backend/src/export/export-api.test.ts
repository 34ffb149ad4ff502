import type { AdfDocument } from '@pagewire/shared';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExportTables } from '../store/schema';
import { startTestBackend, type TestBackend, type TestTenant } from '../testing/test-backend';
import { createExportExtension } from './export-extension';
import type { MirrorTarget, ObservedPage } from './page-mirror';
import { createMirrorRepository, type MirrorRepository } from './store/mirror-repository';

/**
 * The consumer API and the admin's operations on a whole backend (in memory,
 * no Confluence): keys, errors, the change feed and its cursor, bodies in
 * each format, restricted pages, and tenants kept apart.
 */
const doc = (text: string): AdfDocument => ({
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
});

/** Made for the test: the real converters are E2's (adf-to-markdown.ts, adf-to-text.ts). */
const testFormatter = {
  markdown: (document: AdfDocument) => `md:${JSON.stringify(document.content)}`,
  text: (document: AdfDocument) => `text:${document.content.length}`,
};

function observed(pageId: string, overrides: Partial<ObservedPage> = {}): ObservedPage {
  return {
    pageId,
    title: `Page ${pageId}`,
    status: 'current',
    version: 1,
    parentId: null,
    labels: ['howto'],
    url: `https://acme.atlassian.net/wiki/spaces/ENG/pages/${pageId}`,
    updatedAt: '2026-11-28T09:00:00.000Z',
    ownRestricted: false,
    body: doc(`body of ${pageId}`),
    ...overrides,
  };
}

describe('export API', () => {
  let t: TestBackend;
  let mirror: MirrorRepository;
  let acme: TestTenant;

  beforeEach(async () => {
    t = await startTestBackend({
      logLevel: 'silent',
      extensions: [createExportExtension({ worker: false, formatter: testFormatter })],
    });
    mirror = createMirrorRepository(t.backend.context.db);
    acme = t.tenant('acme');
  });
  afterEach(async () => {
    await t.close();
  });

  const admin = { spaceKey: 'ENG', isSpaceAdmin: true };

  async function enable(tenant: TestTenant, spaceKey = 'ENG', includeRestricted = false) {
    const response = await t.call(
      tenant,
      'settings.update',
      { export: { enabled: true, includeRestricted } },
      { spaceKey, isSpaceAdmin: true },
    );
    expect(response.status).toBe(200);
  }

  async function createKey(tenant: TestTenant, spaceKey = 'ENG', consumer = 'search index') {
    const response = await t.call(
      tenant,
      'exportKeys.create',
      { consumer },
      { spaceKey, isSpaceAdmin: true },
    );
    expect(response.status).toBe(200);
    return response.body.data as { id: string; consumer: string; key: string };
  }

  const get = (path: string, key: string) => t.http.get(path).set('authorization', `Bearer ${key}`);
  const target = (tenant: TestTenant, spaceKey = 'ENG'): MirrorTarget => ({
    installationId: tenant.installationId,
    spaceKey,
  });

  it('creates an export key shown once and lists it without the secret', async () => {
    const created = await createKey(acme);
    expect(created.key).toMatch(/^pwx_[A-Za-z0-9_-]{43}$/);
    const settings = await t.call(acme, 'settings.get', {}, admin);
    const listed = settings.body.data.export.keys;
    expect(listed).toEqual([
      expect.objectContaining({
        id: created.id,
        consumer: 'search index',
        revokedAt: null,
        lastUsedAt: null,
      }),
    ]);
    expect(JSON.stringify(settings.body)).not.toContain(created.key);
    expect(listed[0].prefix).toBe(created.key.slice(0, 10));
  });

  it('refuses a second live key for the same consumer name with 409 consumer_name_taken', async () => {
    await createKey(acme, 'ENG', 'Search Index');
    const again = await t.call(acme, 'exportKeys.create', { consumer: 'search index' }, admin);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('consumer_name_taken');
    // Another space may use the name.
    await createKey(acme, 'OPS', 'search index');
  });

  it('refuses a revoked key on the next request and answers 404 for a key that is not there', async () => {
    await enable(acme);
    const { id, key } = await createKey(acme);
    expect((await get('/export/v1/pages', key)).status).toBe(200);
    const revoked = await t.call(acme, 'exportKeys.revoke', { id }, admin);
    expect(revoked.body.data).toEqual({ revoked: true });
    const refused = await get('/export/v1/pages', key);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('invalid_export_key');
    const missing = await t.call(acme, 'exportKeys.revoke', { id: 'no-such-key' }, admin);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('export_key_not_found');
  });

  it('never lets an export key ingest nor an ingest key export', async () => {
    await enable(acme);
    const exportKey = (await createKey(acme)).key;
    const ingestKey = (await t.createIngestKey(acme, 'ENG')).key;
    const ingest = await t.http
      .put('/ingest/v1/blocks/build-status')
      .set('authorization', `Bearer ${exportKey}`)
      .send({ kind: 'text', content: 'green' });
    expect(ingest.status).toBe(401);
    expect(ingest.body.code).toBe('invalid_ingest_key');
    const exported = await get('/export/v1/pages', ingestKey);
    expect(exported.status).toBe(401);
    expect(exported.body.code).toBe('invalid_export_key');
    expect((await t.http.get('/export/v1/pages')).body.code).toBe('invalid_export_key');
  });

  it('answers 403 export_disabled until an admin turns export on, then shows it in settings with a backfill due', async () => {
    const { key } = await createKey(acme);
    const off = await get('/export/v1/pages', key);
    expect(off.status).toBe(403);
    expect(off.body.code).toBe('export_disabled');
    const before = await t.call(acme, 'settings.get', {}, admin);
    expect(before.body.data.export.settings).toEqual({ enabled: false, includeRestricted: false });
    expect(before.body.data.export.sync.state).toBe('off');

    await enable(acme);
    const after = await t.call(acme, 'settings.get', {}, admin);
    expect(after.body.data.export.settings).toEqual({ enabled: true, includeRestricted: false });
    expect(after.body.data.export.sync).toMatchObject({
      state: 'backfilling',
      lastFullSyncAt: null,
      nextSyncAt: t.clock.now.toISOString(),
      pages: 0,
    });
    // The space's own settings stay as they were; the activity row says what changed.
    expect(after.body.data.settings).toEqual(before.body.data.settings);
    const activity = await t.call(acme, 'activity.list', {}, admin);
    expect(activity.body.data.items[0].detail).toMatch(/export is on \(restricted pages left out\)/);
    expect((await get('/export/v1/pages', key)).status).toBe(200);
  });

  it('pages through the change feed in change order with an opaque cursor, tombstones included', async () => {
    await enable(acme);
    const { key } = await createKey(acme);
    for (const id of ['30', '10', '20'])
      await mirror.upsert(target(acme), observed(id), { now: t.clock.now, runId: null });
    await mirror.tombstone(target(acme), '10', t.clock.now);

    const first = await get('/export/v1/pages?limit=2', key);
    expect(first.status).toBe(200);
    expect(first.body.items.map((item: { pageId: string }) => item.pageId)).toEqual(['30', '20']);
    expect(first.body.items[0]).toEqual({
      pageId: '30',
      title: 'Page 30',
      status: 'current',
      version: 1,
      updatedAt: '2026-11-28T09:00:00.000Z',
      parentId: null,
      path: [],
      labels: ['howto'],
      checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
      url: 'https://acme.atlassian.net/wiki/spaces/ENG/pages/30',
    });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await get(`/export/v1/pages?limit=2&cursor=${first.body.nextCursor}`, key);
    expect(second.body.items).toEqual([expect.objectContaining({ pageId: '10', status: 'deleted' })]);
    expect(second.body.nextCursor).toBeNull();

    // A consumer that kept the cursor sees exactly what changed since.
    const lastPosition = first.body.nextCursor;
    await mirror.upsert(target(acme), observed('30', { version: 2, body: doc('new') }), {
      now: t.clock.now,
      runId: null,
    });
    const changed = await get(`/export/v1/pages?cursor=${lastPosition}`, key);
    expect(changed.body.items.map((item: { pageId: string }) => item.pageId)).toEqual(['10', '30']);
  });

  it('filters by updatedSince on when the change was recorded', async () => {
    await enable(acme);
    const { key } = await createKey(acme);
    await mirror.upsert(target(acme), observed('1'), { now: new Date('2026-11-28T08:00:00Z'), runId: null });
    await mirror.upsert(target(acme), observed('2'), { now: new Date('2026-11-28T09:30:00Z'), runId: null });
    const since = await get('/export/v1/pages?updatedSince=2026-11-28T09:00:00%2B00:00', key);
    expect(since.body.items.map((item: { pageId: string }) => item.pageId)).toEqual(['2']);
  });

  it('answers 400 for a cursor it did not make, a date that is not one, and a limit out of range', async () => {
    await enable(acme);
    const { key } = await createKey(acme);
    const badCursor = await get('/export/v1/pages?cursor=not-a-cursor', key);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.code).toBe('invalid_cursor');
    const forged = await get(`/export/v1/pages?cursor=${Buffer.from('c1:-1').toString('base64url')}`, key);
    expect(forged.body.code).toBe('invalid_cursor');
    const badDate = await get('/export/v1/pages?updatedSince=yesterday', key);
    expect(badDate.status).toBe(400);
    expect(badDate.body.code).toBe('validation_failed');
    for (const limit of ['0', '251', 'ten']) {
      expect((await get(`/export/v1/pages?limit=${limit}`, key)).status).toBe(400);
    }
    expect((await get('/export/v1/pages?format=adf', key)).status).toBe(400);
  });

  it('serves a body as ADF, Markdown or text from the mirror, with its version and checksum', async () => {
    await enable(acme);
    const { key } = await createKey(acme);
    await mirror.upsert(target(acme), observed('42'), { now: t.clock.now, runId: null });
    const adf = await get('/export/v1/pages/42?format=adf', key);
    expect(adf.status).toBe(200);
    expect(adf.body).toMatchObject({
      pageId: '42',
      title: 'Page 42',
      version: 1,
      format: 'adf',
      body: doc('body of 42'),
    });
    const markdown = await get('/export/v1/pages/42', key);
    expect(markdown.body).toMatchObject({
      format: 'markdown',
      body: testFormatter.markdown(doc('body of 42')),
    });
    expect(markdown.body.checksum).toBe(adf.body.checksum);
    const text = await get('/export/v1/pages/42?format=text', key);
    expect(text.body).toMatchObject({ format: 'text', body: 'text:1' });
    expect((await get('/export/v1/pages/42?format=html', key)).status).toBe(400);
  });

  it('answers 404 page_not_found for a page that is gone, unknown, or outside the key’s space', async () => {
    await enable(acme);
    await enable(acme, 'OPS');
    const { key } = await createKey(acme);
    await mirror.upsert(target(acme, 'OPS'), observed('7'), { now: t.clock.now, runId: null });
    await mirror.upsert(target(acme), observed('8'), { now: t.clock.now, runId: null });
    await mirror.tombstone(target(acme), '8', t.clock.now);
    for (const path of [
      '/export/v1/pages/7',
      '/export/v1/pages/8',
      '/export/v1/pages/999',
      '/export/v1/pages/..%2F7',
    ]) {
      const response = await get(path, key);
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('page_not_found');
    }
  });

  it('shows a view-restricted page as deleted, without its title, unless the admin includes restricted pages', async () => {
    await enable(acme);
    const { key } = await createKey(acme);
    await mirror.upsert(target(acme), observed('5', { title: 'Salaries', ownRestricted: true }), {
      now: t.clock.now,
      runId: null,
    });
    const hidden = await get('/export/v1/pages', key);
    expect(hidden.body.items).toEqual([
      expect.objectContaining({ pageId: '5', status: 'deleted', title: '', labels: [], checksum: '' }),
    ]);
    expect(JSON.stringify(hidden.body)).not.toContain('Salaries');
    expect((await get('/export/v1/pages/5?format=adf', key)).status).toBe(404);

    const cursor = Buffer.from('c1:1').toString('base64url');
    await enable(acme, 'ENG', true);
    // Including restricted pages is a change to them: a consumer past them sees them again.
    const shown = await get(`/export/v1/pages?cursor=${cursor}`, key);
    expect(shown.body.items).toEqual([
      expect.objectContaining({ pageId: '5', status: 'current', title: 'Salaries' }),
    ]);
    expect((await get('/export/v1/pages/5?format=adf', key)).status).toBe(200);
  });

  it('never shows one installation’s or space’s pages to another’s key', async () => {
    const globex = t.tenant('globex');
    await enable(acme);
    await enable(acme, 'OPS');
    await enable(globex);
    await mirror.upsert(target(acme), observed('100', { title: 'Acme ENG' }), {
      now: t.clock.now,
      runId: null,
    });
    await mirror.upsert(target(acme, 'OPS'), observed('101', { title: 'Acme OPS' }), {
      now: t.clock.now,
      runId: null,
    });
    await mirror.upsert(target(globex), observed('102', { title: 'Globex ENG' }), {
      now: t.clock.now,
      runId: null,
    });
    const keys = {
      acmeEng: (await createKey(acme)).key,
      acmeOps: (await createKey(acme, 'OPS')).key,
      globexEng: (await createKey(globex)).key,
    };
    const seen = async (key: string) =>
      (await get('/export/v1/pages', key)).body.items.map((item: { title: string }) => item.title);
    expect(await seen(keys.acmeEng)).toEqual(['Acme ENG']);
    expect(await seen(keys.acmeOps)).toEqual(['Acme OPS']);
    expect(await seen(keys.globexEng)).toEqual(['Globex ENG']);
    expect((await get('/export/v1/pages/102?format=adf', keys.acmeEng)).status).toBe(404);
    expect((await get('/export/v1/pages/100?format=adf', keys.globexEng)).status).toBe(404);
    expect((await get('/export/v1/pages/101?format=adf', keys.acmeEng)).status).toBe(404);
    // A key's sync view is its own space's.
    expect((await get('/export/v1/sync', keys.globexEng)).body.pages).toBe(1);
  });

  it('reports the sync state and queues a sync on POST /export/v1/sync with 202', async () => {
    await enable(acme);
    const { key } = await createKey(acme);
    const state = await get('/export/v1/sync', key);
    expect(state.status).toBe(200);
    expect(state.body).toEqual({
      state: 'backfilling',
      lastFullSyncAt: null,
      nextSyncAt: t.clock.now.toISOString(),
      pages: 0,
      lastError: null,
    });
    const asked = await t.http.post('/export/v1/sync').set('authorization', `Bearer ${key}`);
    expect(asked.status).toBe(202);
    expect(asked.body.state).toBe('backfilling');
    const wrongMethod = await t.http.delete('/export/v1/sync').set('authorization', `Bearer ${key}`);
    expect(wrongMethod.status).toBe(405);
  });
});
