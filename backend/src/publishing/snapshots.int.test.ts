import { createDevApiClient, type DevApiClient, type RunningEmulator, startEmulator } from '@pagewire/devkit';
import { type BlockPayload, snapshotPropertyKey, snapshotPropertySchema } from '@pagewire/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashBlockPayload } from '../domain/block-content-hash';
import { createBlockEvents } from '../domain/block-events';
import { createPublishingHarness, type PublishingHarness } from './testing/publishing-harness';

let emulator: RunningEmulator;
let dev: DevApiClient;
let h: PublishingHarness | null = null;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  dev = createDevApiClient(emulator.url);
});
afterAll(async () => {
  await emulator.close();
});
afterEach(async () => {
  await h?.dispose();
  h = null;
});

const statusBlock = (status: string): BlockPayload => ({
  kind: 'status',
  title: 'Deploys',
  content: { status, tone: status === 'Green' ? 'success' : 'danger' },
});

async function setUp(policy: 'live' | 'snapshot') {
  h = await createPublishingHarness({ dev, emulatorUrl: emulator.url });
  const { installationId, space } = h.site;
  await h.repositories.spaceSettings.update(
    installationId,
    space.key,
    { publishingPolicy: policy },
    { accountId: h.site.admin.accountId, now: new Date() },
  );
  const pageId = space.homepageId!;
  for (const localId of ['macro-a', 'macro-b']) {
    await h.repositories.placements.record(
      { installationId, spaceKey: space.key, blockKey: 'deploys', contentId: pageId, localId },
      new Date(),
    );
  }
  return { harness: h, pageId };
}

async function writeBlock(harness: PublishingHarness, payload: BlockPayload, key = 'deploys') {
  return harness.repositories.blocks.write({
    installationId: harness.site.installationId,
    spaceKey: harness.site.space.key,
    key,
    payload,
    contentHash: hashBlockPayload(payload),
    source: 'status-page',
    now: new Date(),
  });
}

async function homepage(harness: PublishingHarness, pageId: string) {
  return (await dev.pages(harness.site.cloudId)).find((page) => page.id === pageId)!;
}

async function drain(harness: PublishingHarness) {
  // Snapshot jobs have no public id: wait until the queue holds nothing due or in hand.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const items = await harness.service.queue.countWorkByState();
    if ((items.ready ?? 0) === 0 && (items.leased ?? 0) === 0) return;
    if (Date.now() > deadline) throw new Error(`queue not drained: ${JSON.stringify(items)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('block snapshots', () => {
  it('writes the block into a property of every page that shows it, without a new page version', async () => {
    const { harness, pageId } = await setUp('snapshot');
    const written = await writeBlock(harness, statusBlock('Green'));
    expect(
      await harness.service.refreshSnapshotsOfBlock({
        installationId: harness.site.installationId,
        spaceKey: harness.site.space.key,
        blockKey: 'deploys',
        source: 'status-page',
      }),
    ).toBe(2);
    await harness.service.start();
    await drain(harness);

    const page = await homepage(harness, pageId);
    expect(page.version.number).toBe(1);
    for (const localId of ['macro-a', 'macro-b']) {
      const property = page.properties.find((candidate) => candidate.key === snapshotPropertyKey(localId));
      const value = snapshotPropertySchema.parse(property?.value);
      expect(value).toMatchObject({ blockKey: 'deploys', revision: written.revision, title: 'Deploys' });
      expect(value.adf.content[0]?.content?.[0]).toEqual({
        type: 'status',
        attrs: { text: 'Green', color: 'green' },
      });
    }
    const activity = await harness.repositories.activity.list(
      harness.site.installationId,
      harness.site.space.key,
      { limit: 5 },
    );
    expect(activity.items.filter((item) => item.action === 'snapshot.written')).toHaveLength(2);
    expect(activity.items[0]?.actor).toEqual({ kind: 'source', id: 'status-page' });
  });

  it('writes only the latest of several quick block changes, and nothing when the snapshot already shows it', async () => {
    const { harness, pageId } = await setUp('snapshot');
    const target = {
      installationId: harness.site.installationId,
      spaceKey: harness.site.space.key,
      blockKey: 'deploys',
      source: 'status-page',
    };
    for (const status of ['Red', 'Amber', 'Green']) {
      await writeBlock(harness, statusBlock(status));
      await harness.service.refreshSnapshotsOfBlock(target);
    }
    const before = await harness.lastRequestSeq();
    await harness.service.start();
    await drain(harness);
    const propertyWrites = (await harness.requestsSince(before)).filter((entry) => entry.method !== 'GET');
    expect(propertyWrites).toHaveLength(2);
    const page = await homepage(harness, pageId);
    const value = snapshotPropertySchema.parse(
      page.properties.find((p) => p.key === snapshotPropertyKey('macro-a'))?.value,
    );
    expect(value.revision).toBe(3);

    const again = await harness.lastRequestSeq();
    await harness.service.refreshSnapshotsOfBlock(target);
    await drain(harness);
    expect((await harness.requestsSince(again)).filter((entry) => entry.method !== 'GET')).toEqual([]);
  });

  it('writes nothing while the space shows blocks live', async () => {
    const { harness } = await setUp('live');
    await writeBlock(harness, statusBlock('Green'));
    const before = await harness.lastRequestSeq();
    expect(
      await harness.service.refreshSnapshotsOfBlock({
        installationId: harness.site.installationId,
        spaceKey: harness.site.space.key,
        blockKey: 'deploys',
        source: 'status-page',
      }),
    ).toBe(0);
    await harness.service.start();
    await drain(harness);
    expect(await harness.requestsSince(before)).toEqual([]);
  });

  it('follows block-changed events from the ingest route', async () => {
    const events = createBlockEvents();
    h = await createPublishingHarness({ dev, emulatorUrl: emulator.url, blockEvents: events });
    const { installationId, space } = h.site;
    await h.repositories.spaceSettings.update(
      installationId,
      space.key,
      { publishingPolicy: 'snapshot' },
      { accountId: h.site.admin.accountId, now: new Date() },
    );
    await h.repositories.placements.record(
      {
        installationId,
        spaceKey: space.key,
        blockKey: 'deploys',
        contentId: space.homepageId!,
        localId: 'macro-a',
      },
      new Date(),
    );
    await h.service.start();
    const written = await writeBlock(h, statusBlock('Red'));
    expect(
      await events.publish({
        installationId,
        spaceKey: space.key,
        key: 'deploys',
        revision: written.revision,
        source: 'status-page',
        at: new Date(),
      }),
    ).toEqual([]);
    await drain(h);
    const page = await homepage(h, space.homepageId!);
    expect(page.properties.map((property) => property.key)).toContain(snapshotPropertyKey('macro-a'));
  });

  it('cuts a block larger than a property can hold, says so on the page, and warns in the activity log', async () => {
    const { harness, pageId } = await setUp('snapshot');
    const rows = Array.from({ length: 1_000 }, (_, index) => ({
      name: `service-${index}`,
      owner: `team-${index % 17} ${'x'.repeat(30)}`,
    }));
    await writeBlock(harness, {
      kind: 'table',
      title: 'Services',
      content: {
        columns: [
          { key: 'name', title: 'Name', format: 'text' },
          { key: 'owner', title: 'Owner', format: 'text' },
        ],
        rows,
      },
    });
    await harness.service.refreshSnapshotsOfBlock({
      installationId: harness.site.installationId,
      spaceKey: harness.site.space.key,
      blockKey: 'deploys',
      source: 'status-page',
    });
    await harness.service.start();
    await drain(harness);
    const page = await homepage(harness, pageId);
    const value = snapshotPropertySchema.parse(
      page.properties.find((p) => p.key === snapshotPropertyKey('macro-a'))?.value,
    );
    expect(JSON.stringify(value.adf)).toContain('too large to keep a full copy in the page');
    const activity = await harness.repositories.activity.list(
      harness.site.installationId,
      harness.site.space.key,
      { limit: 5 },
    );
    expect(activity.items.find((item) => item.action === 'snapshot.written')).toMatchObject({
      result: 'warning',
    });
  });

  it('finds a block change whose refresh was never queued (a crash in between) when it starts', async () => {
    const { harness, pageId } = await setUp('snapshot');
    await writeBlock(harness, statusBlock('Red'));
    // No refresh was queued for this change, as if the process died right after storing the block.
    await harness.service.start();
    await drain(harness);
    const page = await homepage(harness, pageId);
    const value = snapshotPropertySchema.parse(
      page.properties.find((p) => p.key === snapshotPropertyKey('macro-b'))?.value,
    );
    expect(value.revision).toBe(1);
    expect(await harness.service.reconcileSnapshots()).toBe(0);
  });

  it('leaves a placement on a page that no longer exists alone, once', async () => {
    h = await createPublishingHarness({ dev, emulatorUrl: emulator.url });
    const { installationId, space } = h.site;
    await h.repositories.spaceSettings.update(
      installationId,
      space.key,
      { publishingPolicy: 'snapshot' },
      { accountId: h.site.admin.accountId, now: new Date() },
    );
    await h.repositories.placements.record(
      { installationId, spaceKey: space.key, blockKey: 'deploys', contentId: '999999', localId: 'gone' },
      new Date(),
    );
    await writeBlock(h, statusBlock('Green'));
    await h.service.start();
    await drain(h);
    expect(await h.service.reconcileSnapshots()).toBe(0);
    const activity = await h.repositories.activity.list(installationId, space.key, { limit: 5 });
    expect(activity.items.filter((item) => item.action === 'snapshot.failed')).toEqual([]);
  });
});
