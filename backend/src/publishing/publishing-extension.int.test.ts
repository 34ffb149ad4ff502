import type { Kysely } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestSigner, type TestSigner } from '../testing/forge-tokens';
import { startTestBackend, type TestBackend } from '../testing/test-backend';
import { createPublishingExtension } from './publishing-extension';

let t: TestBackend | undefined;
let signer: TestSigner;

beforeAll(async () => {
  signer = await createTestSigner();
});
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/**
 * The whole backend with the publishing engine, whose Confluence answers 503
 * (no request leaves the machine): a queued snapshot stays queued, retried.
 */
async function startWithEngine(): Promise<TestBackend> {
  return startTestBackend({
    signer,
    extensions: [
      createPublishingExtension({
        env: { PAGEWIRE_PUBLISH_POLL_MS: '60000' },
        fetch: async () => new Response('unavailable', { status: 503 }),
      }),
    ],
  });
}

/** The snapshot work items queued, by macro, with the sequence number of their latest job. */
async function snapshotRows(
  backend: TestBackend,
): Promise<Array<{ target_key: string; latest_seq: number }>> {
  const db = backend.backend.context.db;
  return db
    .selectFrom('publish_work')
    .select(['target_key', 'latest_seq'])
    .where('kind', '=', 'snapshot')
    .orderBy('target_key')
    .execute();
}

async function snapshotWork(backend: TestBackend): Promise<string[]> {
  return (await snapshotRows(backend)).map((row) => row.target_key);
}

describe('the publishing engine as a backend module', () => {
  it('queues the snapshot of a placement a macro shows for the first time, under the snapshot policy', async () => {
    t = await startWithEngine();
    const tenant = t.tenant('acme');
    const { key } = await t.createIngestKey(tenant, 'ENG');
    const policy = await t.call(
      tenant,
      'settings.update',
      { publishingPolicy: 'snapshot' },
      { isSpaceAdmin: true },
    );
    expect(policy.status).toBe(200);
    const put = await t.http
      .put('/ingest/v1/blocks/oncall')
      .set('authorization', `Bearer ${key}`)
      .send({ kind: 'markdown', title: 'On call', content: 'Ana' });
    expect(put.status).toBe(201);
    expect(await snapshotWork(t)).toEqual([]);

    const read = await t.call(
      tenant,
      'blocks.get',
      { key: 'oncall' },
      { contentId: '5341185', localId: 'macro-a' },
    );
    expect(read.status).toBe(200);
    await t.backend.settled();
    expect(await snapshotWork(t)).toEqual(['snapshot:5341185:macro-a']);
  });

  it('queues no snapshot for a new placement under the live policy', async () => {
    t = await startWithEngine();
    const tenant = t.tenant('acme');
    const { key } = await t.createIngestKey(tenant, 'ENG');
    await t.http
      .put('/ingest/v1/blocks/oncall')
      .set('authorization', `Bearer ${key}`)
      .send({ kind: 'markdown', title: 'On call', content: 'Ana' });
    const read = await t.call(
      tenant,
      'blocks.get',
      { key: 'oncall' },
      { contentId: '5341185', localId: 'macro-a' },
    );
    expect(read.status).toBe(200);
    await t.backend.settled();
    expect(await snapshotWork(t)).toEqual([]);
  });

  it('queues the snapshots of the pages showing a block when a source changes it', async () => {
    t = await startWithEngine();
    const tenant = t.tenant('acme');
    const { key } = await t.createIngestKey(tenant, 'ENG');
    const write = (content: string) =>
      t!.http
        .put('/ingest/v1/blocks/oncall')
        .set('authorization', `Bearer ${key}`)
        .send({ kind: 'markdown', title: 'On call', content });
    await write('Ana');
    for (const localId of ['macro-a', 'macro-b']) {
      await t.call(tenant, 'blocks.get', { key: 'oncall' }, { contentId: '5341185', localId });
    }
    await t.backend.settled();
    // Under the live policy nothing was queued; the switch queues every placed block's snapshots.
    expect(await snapshotWork(t)).toEqual([]);
    await t.call(tenant, 'settings.update', { publishingPolicy: 'snapshot' }, { isSpaceAdmin: true });
    expect(await snapshotWork(t)).toEqual(['snapshot:5341185:macro-a', 'snapshot:5341185:macro-b']);
    const before = await snapshotRows(t);
    expect((await write('Bo')).status).toBe(200);
    const after = await snapshotRows(t);
    // A new job on each macro's item (coalesced with the one before it).
    expect(after.map((row) => row.target_key)).toEqual(before.map((row) => row.target_key));
    for (const [index, row] of after.entries())
      expect(row.latest_seq).toBeGreaterThan(before[index]!.latest_seq);
  });
});
