import { type BlockPayload, snapshotPropertyKey, snapshotPropertySchema } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { hashBlockPayload } from '../domain/block-content-hash';
import { type BlockEvents, createBlockEvents } from '../domain/block-events';
import { declarePublishingHarnesses, drainQueue, type PublishingHarness } from './testing/publishing-harness';

const publishing = declarePublishingHarnesses();

const statusBlock = (status: string): BlockPayload => ({
  kind: 'status',
  title: 'Deploys',
  content: { status, tone: status === 'Green' ? 'success' : 'danger' },
});

/**
 * A harness whose space has `policy`, with the `deploys` block shown by each
 * macro in `placements` (by default two on the space homepage).
 */
async function setUp(
  policy: 'live' | 'snapshot',
  options: { placements?: Array<{ contentId?: string; localId: string }>; blockEvents?: BlockEvents } = {},
) {
  const harness = await publishing.open(options.blockEvents ? { blockEvents: options.blockEvents } : {});
  const { installationId, space } = harness.site;
  await harness.repositories.spaceSettings.update(
    installationId,
    space.key,
    { publishingPolicy: policy },
    { accountId: harness.site.admin.accountId, now: new Date() },
  );
  const pageId = space.homepageId!;
  for (const placement of options.placements ?? [{ localId: 'macro-a' }, { localId: 'macro-b' }]) {
    await harness.repositories.placements.record(
      {
        installationId,
        spaceKey: space.key,
        blockKey: 'deploys',
        contentId: placement.contentId ?? pageId,
        localId: placement.localId,
      },
      new Date(),
    );
  }
  return { harness, pageId };
}

/** Queues the snapshot refreshes of the `deploys` block, as a change from its source does. */
function refreshDeploys(harness: PublishingHarness): Promise<number> {
  return harness.service.refreshSnapshotsOfBlock({
    installationId: harness.site.installationId,
    spaceKey: harness.site.space.key,
    blockKey: 'deploys',
    source: 'status-page',
  });
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
  return (await publishing.dev.pages(harness.site.cloudId)).find((page) => page.id === pageId)!;
}

describe('block snapshots', () => {
  it('writes the block into a property of every page that shows it, without a new page version', async () => {
    const { harness, pageId } = await setUp('snapshot');
    const written = await writeBlock(harness, statusBlock('Green'));
    expect(await refreshDeploys(harness)).toBe(2);
    await harness.service.start();
    await drainQueue(harness);

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
    for (const status of ['Red', 'Amber', 'Green']) {
      await writeBlock(harness, statusBlock(status));
      await refreshDeploys(harness);
    }
    const before = await harness.lastRequestSeq();
    await harness.service.start();
    await drainQueue(harness);
    const propertyWrites = (await harness.requestsSince(before)).filter((entry) => entry.method !== 'GET');
    expect(propertyWrites).toHaveLength(2);
    const page = await homepage(harness, pageId);
    const value = snapshotPropertySchema.parse(
      page.properties.find((p) => p.key === snapshotPropertyKey('macro-a'))?.value,
    );
    expect(value.revision).toBe(3);

    const again = await harness.lastRequestSeq();
    await refreshDeploys(harness);
    await drainQueue(harness);
    expect((await harness.requestsSince(again)).filter((entry) => entry.method !== 'GET')).toEqual([]);
  });

  it('writes nothing while the space shows blocks live', async () => {
    const { harness } = await setUp('live');
    await writeBlock(harness, statusBlock('Green'));
    const before = await harness.lastRequestSeq();
    expect(await refreshDeploys(harness)).toBe(0);
    await harness.service.start();
    await drainQueue(harness);
    expect(await harness.requestsSince(before)).toEqual([]);
  });

  it('refreshes a snapshot with one request per block change and none when the block did not change', async () => {
    const { harness, pageId } = await setUp('snapshot', { placements: [{ localId: 'macro-a' }] });
    await harness.service.start();
    await writeBlock(harness, statusBlock('Green'));
    await refreshDeploys(harness);
    await drainQueue(harness);

    for (const status of ['Red', 'Green', 'Red']) {
      const before = await harness.lastRequestSeq();
      const written = await writeBlock(harness, statusBlock(status));
      await refreshDeploys(harness);
      await drainQueue(harness);
      const requests = await harness.requestsSince(before);
      expect(requests.map((entry) => `${entry.operationId} ${entry.status}`)).toEqual([
        'updatePagePropertyById 200',
      ]);
      const property = (await homepage(harness, pageId)).properties.find(
        (candidate) => candidate.key === snapshotPropertyKey('macro-a'),
      );
      expect(snapshotPropertySchema.parse(property?.value)).toMatchObject({ revision: written.revision });
    }

    const before = await harness.lastRequestSeq();
    await refreshDeploys(harness);
    await drainQueue(harness);
    expect(await harness.requestsSince(before)).toEqual([]);
    expect((await homepage(harness, pageId)).version.number).toBe(1);
  });

  it('re-reads a snapshot property someone else changed and writes it again', async () => {
    const { harness, pageId } = await setUp('snapshot', { placements: [{ localId: 'macro-a' }] });
    await harness.service.start();
    await writeBlock(harness, statusBlock('Green'));
    await refreshDeploys(harness);
    await drainQueue(harness);
    const key = snapshotPropertyKey('macro-a');
    const original = (await homepage(harness, pageId)).properties.find((candidate) => candidate.key === key)!;
    // Another writer (an app sharing the key namespace) bumps the property's version.
    const response = await fetch(
      `${publishing.dev.gatewayUrl(harness.site.cloudId)}/wiki/api/v2/pages/${pageId}/properties/${original.id}`,
      {
        method: 'PUT',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${harness.site.admin.email}:${harness.site.scopedToken}`).toString('base64')}`,
        },
        body: JSON.stringify({ key, value: { scribbled: true }, version: { number: original.version + 1 } }),
      },
    );
    expect(response.status).toBe(200);

    const before = await harness.lastRequestSeq();
    const written = await writeBlock(harness, statusBlock('Red'));
    await refreshDeploys(harness);
    await drainQueue(harness);
    expect(
      (await harness.requestsSince(before)).map((entry) => `${entry.operationId} ${entry.status}`),
    ).toEqual(['updatePagePropertyById 409', 'getPageContentProperties 200', 'updatePagePropertyById 200']);
    const property = (await homepage(harness, pageId)).properties.find((candidate) => candidate.key === key);
    expect(snapshotPropertySchema.parse(property?.value)).toMatchObject({ revision: written.revision });
  });

  it('follows block-changed events from the ingest route', async () => {
    const events = createBlockEvents();
    const { harness } = await setUp('snapshot', {
      placements: [{ localId: 'macro-a' }],
      blockEvents: events,
    });
    const { installationId, space } = harness.site;
    await harness.service.start();
    const written = await writeBlock(harness, statusBlock('Red'));
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
    await drainQueue(harness);
    const page = await homepage(harness, space.homepageId!);
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
    await refreshDeploys(harness);
    await harness.service.start();
    await drainQueue(harness);
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
    await drainQueue(harness);
    const page = await homepage(harness, pageId);
    const value = snapshotPropertySchema.parse(
      page.properties.find((p) => p.key === snapshotPropertyKey('macro-b'))?.value,
    );
    expect(value.revision).toBe(1);
    expect(await harness.service.reconcileSnapshots()).toBe(0);
  });

  it('leaves a placement on a page that no longer exists alone, once', async () => {
    const { harness } = await setUp('snapshot', {
      placements: [{ contentId: '999999', localId: 'gone' }],
    });
    const { installationId, space } = harness.site;
    await writeBlock(harness, statusBlock('Green'));
    await harness.service.start();
    await drainQueue(harness);
    expect(await harness.service.reconcileSnapshots()).toBe(0);
    const activity = await harness.repositories.activity.list(installationId, space.key, { limit: 5 });
    expect(activity.items.filter((item) => item.action === 'snapshot.failed')).toEqual([]);
  });
});
