import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '../store/testing/test-databases';
import { createTestSigner, type TestSigner } from '../testing/forge-tokens';
import { startTestBackend, type TestBackend, type TestTenant } from '../testing/test-backend';

const admin = { isSpaceAdmin: true };

let signer: TestSigner;
beforeAll(async () => {
  signer = await createTestSigner();
});

/**
 * Two installations that share everything a guesser could know: the same
 * space key, the same block keys, ids read from the other's responses. A
 * must never read or change B's blocks, settings, keys or activity.
 */
describe.each(testDatabaseTargets())('tenant isolation on $name', (target) => {
  let t: TestBackend;
  let a: TestTenant;
  let b: TestTenant;
  let bKey: { id: string; key: string };
  let aKey: { id: string; key: string };

  const put = (key: string, ingestKey: string, content: string) =>
    t.http
      .put(`/ingest/v1/blocks/${key}`)
      .set('authorization', `Bearer ${ingestKey}`)
      .send({ kind: 'markdown', title: key, content });

  beforeAll(async () => {
    t = await startTestBackend({ database: target, signer });
    a = t.tenant('alpha');
    b = t.tenant('bravo');
    aKey = await t.createIngestKey(a, 'ENG', 'a-source');
    bKey = await t.createIngestKey(b, 'ENG', 'b-source');
    await put('deploys', aKey.key, 'A deploys');
    await put('deploys', bKey.key, 'B deploys');
    await put('b-secret-plans', bKey.key, 'B only');
    await t.call(b, 'settings.update', { staleAfterMinutes: 7, publishingPolicy: 'snapshot' }, admin);
    await t.call(
      b,
      'apiToken.set',
      {
        email: 'b@serviceaccount.atlassian.com',
        token: 'ATATT3x-bravo-token-000000',
        expiresAt: '2027-03-01',
      },
      admin,
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('blocks.list shows only the caller’s blocks', async () => {
    const response = await t.call(a, 'blocks.list', {});
    expect(response.body.data.blocks.map((block: { key: string }) => block.key)).toEqual(['deploys']);
  });

  it('blocks.get never returns the other installation’s block, even by its exact key', async () => {
    expect((await t.call(a, 'blocks.get', { key: 'deploys' })).body.data.block.content).toBe('A deploys');
    const other = await t.call(a, 'blocks.get', { key: 'b-secret-plans' });
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('block_not_found');
  });

  it('settings.get shows the caller’s own settings, keys and token only', async () => {
    const view = (await t.call(a, 'settings.get', {})).body.data;
    expect(view.settings).toEqual({ publishingPolicy: 'live', staleAfterMinutes: 60 });
    expect(view.ingestKeys.map((key: { id: string }) => key.id)).toEqual([aKey.id]);
    expect(view.apiToken).toBeNull();
    expect(JSON.stringify(view)).not.toContain('bravo');
  });

  it('settings.update by A leaves B’s settings alone', async () => {
    await t.call(a, 'settings.update', { staleAfterMinutes: 99 }, admin);
    expect((await t.call(b, 'settings.get', {})).body.data.settings).toEqual({
      publishingPolicy: 'snapshot',
      staleAfterMinutes: 7,
    });
  });

  it('apiToken.remove by A does not touch B’s token', async () => {
    expect((await t.call(a, 'apiToken.remove', {}, admin)).body.data).toEqual({ removed: false });
    expect((await t.call(b, 'settings.get', {})).body.data.apiToken?.email).toBe(
      'b@serviceaccount.atlassian.com',
    );
  });

  it('apiToken.set by A stores A’s token, not over B’s', async () => {
    await t.call(
      a,
      'apiToken.set',
      {
        email: 'a@serviceaccount.atlassian.com',
        token: 'ATATT3x-alpha-token-000000',
        expiresAt: '2027-03-01',
      },
      admin,
    );
    expect((await t.call(b, 'settings.get', {})).body.data.apiToken?.email).toBe(
      'b@serviceaccount.atlassian.com',
    );
    const sources = t.backend.context.credentialSources;
    expect((await sources.apiToken(b.installationId, 'ENG'))?.token).toBe('ATATT3x-bravo-token-000000');
    expect((await sources.apiToken(a.installationId, 'ENG'))?.token).toBe('ATATT3x-alpha-token-000000');
  });

  it('ingestKeys.revoke cannot revoke B’s key by its id, and B’s key keeps working', async () => {
    const response = await t.call(a, 'ingestKeys.revoke', { id: bKey.id }, admin);
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('ingest_key_not_found');
    expect((await put('deploys', bKey.key, 'B deploys again')).status).toBe(200);
  });

  it('ingestKeys.create gives A a key that writes only into A', async () => {
    const fresh = await t.createIngestKey(a, 'ENG', 'a-second');
    expect((await put('b-secret-plans', fresh.key, 'A’s own block of that name')).status).toBe(201);
    expect((await t.call(b, 'blocks.get', { key: 'b-secret-plans' })).body.data.block.content).toBe('B only');
  });

  it('an ingest key of one space cannot write into another space of the same installation', async () => {
    await put('space-bound', aKey.key, 'in ENG');
    const ops = await t.call(a, 'blocks.list', {}, { spaceKey: 'OPS' });
    expect(ops.body.data.blocks).toEqual([]);
  });

  it('activity.list never shows the other installation’s entries', async () => {
    const items = (await t.call(a, 'activity.list', { limit: 100 })).body.data.items as Array<{
      actor: { id: string };
      detail?: string;
    }>;
    expect(items.length).toBeGreaterThan(0);
    expect(items.some((item) => item.actor.id === 'b-source' || (item.detail ?? '').includes('bravo'))).toBe(
      false,
    );
  });

  it('activity.list refuses to page with B’s cursor into B’s log', async () => {
    const bPage = (await t.call(b, 'activity.list', { limit: 1 })).body.data;
    const response = await t.call(a, 'activity.list', { cursor: bPage.nextCursor, limit: 100 });
    const items = response.body.data.items as Array<{ actor: { id: string } }>;
    expect(items.some((item) => item.actor.id === 'b-source')).toBe(false);
  });

  it('lifecycle calls record only the caller’s own installation', async () => {
    await t.call(a, 'lifecycle.installed', {});
    const recorded = await t.backend.context.repositories.installations.find(b.installationId);
    expect(recorded?.cloudId).toBe(b.cloudId);
    expect((await t.call(a, 'lifecycle.tokenRefresh', {})).body.data.installationId).toBe(a.installationId);
  });

  it('an envelope naming B’s site under A’s token is refused', async () => {
    const response = await t.call(a, 'blocks.list', {}, { cloudId: b.cloudId });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('tenant_mismatch');
  });
});
