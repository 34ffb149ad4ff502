import { blockListSchema, problemSchema } from '@pagewire/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from '../testing/test-backend';

let t: TestBackend;
let key: string;
let otherSpaceKey: string;
let otherTenantKey: string;

beforeAll(async () => {
  t = await startTestBackend({ logLevel: 'silent' });
  ({ key } = await t.createIngestKey(t.tenant('acme'), 'ENG', 'deploy-bot'));
  ({ key: otherSpaceKey } = await t.createIngestKey(t.tenant('acme'), 'OPS', 'ops-bot'));
  ({ key: otherTenantKey } = await t.createIngestKey(t.tenant('globex'), 'ENG', 'deploy-bot'));
});
afterAll(async () => {
  await t.close();
});

const bearer = (ingestKey: string) => ({ authorization: `Bearer ${ingestKey}` });
const put = (blockKey: string, body: object, ingestKey = key) =>
  t.http.put(`/ingest/v1/blocks/${blockKey}`).set(bearer(ingestKey)).send(body);
const status = (text: string) => ({ kind: 'status', title: 'Build', content: { status: text } });

describe('listing, reading and deleting blocks with an ingest key', () => {
  it('lists the key’s space’s blocks with source, last update and the pages that show them', async () => {
    await put('build', status('Passing'));
    await put('ops-only', status('Fine'), otherSpaceKey);
    // A macro on page 9001 shows "build".
    await t.call(t.tenant('acme'), 'blocks.get', { key: 'build' }, { contentId: '9001', localId: 'm1' });

    const response = await t.http.get('/ingest/v1/blocks').set(bearer(key));
    expect(response.status).toBe(200);
    const list = blockListSchema.parse(response.body);
    expect(list.blocks.map((block) => block.key)).toEqual(['build']);
    expect(list.blocks[0]).toMatchObject({
      title: 'Build',
      kind: 'status',
      source: 'deploy-bot',
      revision: 1,
      placements: [{ contentId: '9001' }],
    });
  });

  it('reads one block back as it was written, with its revision', async () => {
    await put('read-me', { kind: 'markdown', title: 'Notes', content: '# Hi' });
    const response = await t.http.get('/ingest/v1/blocks/read-me').set(bearer(key));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      key: 'read-me',
      kind: 'markdown',
      title: 'Notes',
      content: '# Hi',
      revision: 1,
    });
  });

  it('does not show or delete another space’s or another site’s block', async () => {
    await put('private', status('Secret'), otherTenantKey);
    expect((await t.http.get('/ingest/v1/blocks/private').set(bearer(key))).status).toBe(404);
    expect((await t.http.delete('/ingest/v1/blocks/private').set(bearer(key))).status).toBe(404);
    expect((await t.http.get('/ingest/v1/blocks/private').set(bearer(otherTenantKey))).status).toBe(200);
  });

  it('deletes a block: 204, gone from the list, logged, and the macro showing it says it was deleted', async () => {
    await put('doomed', status('Old'));
    const deleted = await t.http.delete('/ingest/v1/blocks/doomed').set(bearer(key));
    expect(deleted.status).toBe(204);

    const list = blockListSchema.parse((await t.http.get('/ingest/v1/blocks').set(bearer(key))).body);
    expect(list.blocks.map((block) => block.key)).not.toContain('doomed');
    const picker = await t.call(t.tenant('acme'), 'blocks.list', {});
    expect(picker.body.data.blocks.map((block: { key: string }) => block.key)).not.toContain('doomed');

    const macro = await t.call(t.tenant('acme'), 'blocks.get', { key: 'doomed' });
    expect(macro.status).toBe(410);
    expect(macro.body.code).toBe('block_deleted');
    expect(macro.body.detail).toContain('was deleted on 28 Nov 2026, 10:00 UTC by its source "deploy-bot"');

    const read = await t.http.get('/ingest/v1/blocks/doomed').set(bearer(key));
    expect(read.status).toBe(410);
    expect(problemSchema.parse(read.body).code).toBe('block_deleted');

    const activity = await t.call(t.tenant('acme'), 'activity.list', { limit: 1 });
    expect(activity.body.data.items[0]).toMatchObject({
      action: 'block.deleted',
      actor: { kind: 'source', id: 'deploy-bot' },
    });
  });

  it('brings a deleted block back when a source writes it again', async () => {
    await put('phoenix', status('One'));
    await t.http.delete('/ingest/v1/blocks/phoenix').set(bearer(key));
    expect((await put('phoenix', status('Two'))).status).toBe(201);
    const macro = await t.call(t.tenant('acme'), 'blocks.get', { key: 'phoenix' });
    expect(macro.status).toBe(200);
    await t.http.delete('/ingest/v1/blocks/phoenix').set(bearer(key));
    expect((await t.call(t.tenant('acme'), 'blocks.get', { key: 'phoenix' })).body.code).toBe(
      'block_deleted',
    );
  });

  it('tells a key that never existed apart from a deleted one: 404 block_not_found', async () => {
    const response = await t.http.delete('/ingest/v1/blocks/never-was').set(bearer(key));
    expect(response.status).toBe(404);
    expect(problemSchema.parse(response.body).code).toBe('block_not_found');
    expect((await t.call(t.tenant('acme'), 'blocks.get', { key: 'never-was' })).body.code).toBe(
      'block_not_found',
    );
  });

  it('refuses every one of them without a valid key', async () => {
    for (const request of [
      t.http.get('/ingest/v1/blocks'),
      t.http.get('/ingest/v1/blocks/build'),
      t.http.delete('/ingest/v1/blocks/build'),
    ]) {
      const response = await request.set(bearer(`pwk_${'A'.repeat(43)}`));
      expect(response.status).toBe(401);
      expect(problemSchema.parse(response.body).code).toBe('invalid_ingest_key');
    }
  });

  it('refuses a malformed key in the URL with a field error', async () => {
    const response = await t.http.get('/ingest/v1/blocks/Not%20Valid').set(bearer(key));
    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe('/key');
  });
});

describe('the settings page’s block operations', () => {
  it('lists blocks with placements for any reader and lets a space admin delete one', async () => {
    const tenant = t.tenant('acme');
    await put('admin-deletes', status('Up'));
    const overview = await t.call(tenant, 'blocks.overview', {});
    expect(overview.body.data.blocks.map((block: { key: string }) => block.key)).toContain('admin-deletes');

    const denied = await t.call(tenant, 'blocks.delete', { key: 'admin-deletes' }, { isSpaceAdmin: false });
    expect(denied.body.code).toBe('not_space_admin');

    const deleted = await t.call(tenant, 'blocks.delete', { key: 'admin-deletes' }, { isSpaceAdmin: true });
    expect(deleted.body.data).toEqual({ deleted: true });
    const macro = await t.call(tenant, 'blocks.get', { key: 'admin-deletes' });
    expect(macro.body.detail).toContain('by a space admin');
    const activity = await t.call(tenant, 'activity.list', { limit: 1 });
    expect(activity.body.data.items[0]).toMatchObject({ action: 'block.deleted', actor: { kind: 'user' } });
  });
});
