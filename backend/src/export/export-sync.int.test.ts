import { declareEmulator } from '@pagewire/devkit/testing';
import type { AdfDocument } from '@pagewire/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { hashAdf } from '../adf/canonical-adf';
import type { ConfluenceClientResolver } from '../publishing/confluence-gateway';
import type { MirroredPageChange } from './page-mirror';
import { createExportHarness, type ExportHarness } from './testing/export-harness';

/**
 * The mirror against the devkit emulator: a backfill, then what a reconcile
 * must find without change events (an edit, a move, a trash, a purge, a view
 * restriction), a crash in the middle of a backfill, and the event handler's
 * single-page refresh.
 */
const doc = (text: string): AdfDocument => ({
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
});

describe('export sync against the emulator', () => {
  const env = declareEmulator();
  const opened: ExportHarness[] = [];
  afterEach(async () => {
    await env.dev.setLimits({ burstPerSecond: 100, quotaPointsPerHour: 65_000 });
    while (opened.length > 0) await opened.pop()!.dispose();
  });

  async function open(options: Partial<Parameters<typeof createExportHarness>[0]> = {}) {
    const harness = await createExportHarness({ dev: env.dev, emulatorUrl: env.emulator.url, ...options });
    opened.push(harness);
    return harness;
  }

  async function api(harness: ExportHarness, path: string, init: { method?: string; body?: unknown } = {}) {
    const response = await fetch(`${harness.site.gatewayUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Basic ${Buffer.from(`${harness.site.admin.email}:${harness.site.scopedToken}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  }

  async function classic(harness: ExportHarness, path: string, body: unknown) {
    const response = await fetch(`${harness.site.siteUrl}${path}`, {
      method: path.endsWith('/archive') ? 'POST' : 'PUT',
      headers: {
        authorization: `Basic ${Buffer.from(`${harness.site.admin.email}:${harness.site.classicToken}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    expect(response.status).toBeLessThan(300);
  }

  async function createPage(harness: ExportHarness, title: string, parentId?: string) {
    const created = await api(harness, '/wiki/api/v2/pages', {
      method: 'POST',
      body: {
        spaceId: harness.site.space.id,
        status: 'current',
        title,
        ...(parentId === undefined ? {} : { parentId }),
        body: { representation: 'atlas_doc_format', value: JSON.stringify(doc(`${title} body`)) },
      },
    });
    expect(created.status).toBe(200);
    return created.json.id as string;
  }

  async function homepageTitle(harness: ExportHarness) {
    return (await harness.mirror.get(harness.target, harness.site.space.homepageId!))!.title;
  }

  async function requestsSince(seq: number, cloudId: string) {
    return (await env.dev.requests({ cloudId })).filter((entry) => entry.seq > seq);
  }
  const lastSeq = async () => (await env.dev.requests()).at(-1)?.seq ?? 0;

  async function reconcile(harness: ExportHarness) {
    harness.clock.now = new Date(harness.clock.now.getTime() + 1000);
    expect(await harness.spaces.request(harness.target, harness.clock.now)).toBe(true);
    expect(await harness.drain()).toBe(1);
  }

  it('backfills every page of the space with its tree, labels and body checksum', async () => {
    const harness = await open();
    const handbook = await createPage(harness, 'Handbook');
    const onboarding = await createPage(harness, 'Onboarding', handbook);
    await api(harness, `/wiki/rest/api/content/${onboarding}/label`, {
      method: 'POST',
      body: [{ prefix: 'global', name: 'howto' }],
    });
    await harness.enable();
    expect(await harness.drain()).toBe(1);

    const page = await harness.mirror.get(harness.target, onboarding);
    expect(page).toMatchObject({
      title: 'Onboarding',
      status: 'current',
      version: 1,
      parentId: handbook,
      path: [await homepageTitle(harness), 'Handbook'],
      labels: ['howto'],
      checksum: hashAdf(doc('Onboarding body')),
      restricted: false,
    });
    expect(page!.url).toMatch(
      new RegExp(`/spaces/${harness.site.space.key}/pages/${onboarding}/Onboarding$`),
    );
    expect(await harness.mirror.body(harness.target, onboarding, 1)).toEqual(doc('Onboarding body'));
    // The space homepage is a page of the space too.
    expect(await harness.mirror.countLive(harness.target)).toBe(3);
    const state = await harness.spaces.get(harness.target);
    expect(state!.lastFullSyncAt).not.toBeNull();
    expect(state!.spaceId).toBe(harness.site.space.id);
  });

  it('finds an edit, a move, a trash and a purge on the next reconcile, with only the changed pages read', async () => {
    const harness = await open();
    const ids = [];
    for (const title of ['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon'])
      ids.push(await createPage(harness, title));
    const [alpha, beta, gamma, delta, epsilon] = ids as [string, string, string, string, string];
    await harness.enable();
    await harness.drain();
    const before = await harness.mirror.get(harness.target, alpha);

    await env.dev.humanEdit(alpha, {
      body: { representation: 'atlas_doc_format', value: JSON.stringify(doc('edited')) },
    });
    await api(harness, `/wiki/api/v2/pages/${beta}`, {
      method: 'PUT',
      body: {
        id: beta,
        status: 'current',
        title: 'Beta',
        parentId: epsilon,
        body: { representation: 'atlas_doc_format', value: JSON.stringify(doc('Beta body')) },
        version: { number: 2 },
      },
    });
    expect((await api(harness, `/wiki/api/v2/pages/${gamma}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(harness, `/wiki/api/v2/pages/${delta}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(harness, `/wiki/api/v2/pages/${delta}?purge=true`, { method: 'DELETE' })).status).toBe(
      204,
    );

    const seq = await lastSeq();
    await reconcile(harness);
    const requests = await requestsSince(seq, harness.site.cloudId);

    const edited = await harness.mirror.get(harness.target, alpha);
    expect(edited).toMatchObject({ version: 2, checksum: hashAdf(doc('edited')) });
    expect(edited!.changeSeq).toBeGreaterThan(before!.changeSeq);
    expect(await harness.mirror.get(harness.target, beta)).toMatchObject({ parentId: epsilon, version: 2 });
    expect(await harness.mirror.get(harness.target, gamma)).toMatchObject({ status: 'trashed' });
    const tombstone = await harness.mirror.get(harness.target, delta);
    expect(tombstone).toMatchObject({ status: 'deleted' });
    expect(tombstone!.deletedAt).not.toBeNull();
    expect(await harness.mirror.body(harness.target, delta, 1)).toBeNull();
    // One listing page, then two reads (page + restriction) for each of alpha, beta, gamma and the purged delta.
    const lists = requests.filter((entry) => entry.operationId === 'getPagesInSpace');
    expect(lists).toHaveLength(1);
    const pageReads = requests
      .filter((entry) => entry.operationId === 'getPageById')
      .map((entry) => entry.path);
    expect(pageReads.sort()).toEqual(
      [alpha, beta, gamma, delta]
        .map((id) => `/ex/confluence/${harness.site.cloudId}/wiki/api/v2/pages/${id}`)
        .sort(),
    );
    // Nothing else changed, so the next reconcile only lists.
    const quiet = await lastSeq();
    await reconcile(harness);
    expect((await requestsSince(quiet, harness.site.cloudId)).map((entry) => entry.operationId)).toEqual([
      'getPagesInSpace',
    ]);
  });

  it('announces what the reconcile finds without an event (an edit, a trash, a purge, a new page), and nothing of the backfill', async () => {
    const announced: MirroredPageChange[] = [];
    const harness = await open({ announcer: { announce: async (change) => void announced.push(change) } });
    const [kept, trashed, purged] = [
      await createPage(harness, 'Kept'),
      await createPage(harness, 'Trashed'),
      await createPage(harness, 'Purged'),
    ];
    await harness.enable();
    await harness.drain();
    expect(announced).toEqual([]);

    await env.dev.humanEdit(kept, {
      body: { representation: 'atlas_doc_format', value: JSON.stringify(doc('edited while down')) },
    });
    expect((await api(harness, `/wiki/api/v2/pages/${trashed}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(harness, `/wiki/api/v2/pages/${purged}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(harness, `/wiki/api/v2/pages/${purged}?purge=true`, { method: 'DELETE' })).status).toBe(
      204,
    );
    const added = await createPage(harness, 'Added while down');
    await reconcile(harness);

    const byPage = new Map(announced.map((change) => [change.pageId, change]));
    expect(byPage.get(kept)).toMatchObject({
      before: { version: 1 },
      after: { version: 2, status: 'current' },
    });
    expect(byPage.get(trashed)).toMatchObject({
      before: { status: 'current' },
      after: { status: 'trashed' },
    });
    expect(byPage.get(purged)).toMatchObject({ before: { status: 'current' }, after: { status: 'deleted' } });
    expect(byPage.get(added)).toMatchObject({ before: null, after: { title: 'Added while down' } });
    expect(announced.every((change) => change.spaceKey === harness.site.space.key)).toBe(true);

    // A reconcile that finds nothing new announces nothing again.
    const count = announced.length;
    await reconcile(harness);
    expect(announced).toHaveLength(count);
  });

  it('marks view-restricted pages the app may read, and their children, and drops pages the app may not read', async () => {
    const harness = await open();
    const open1 = await createPage(harness, 'Shared');
    const secret = await createPage(harness, 'Secret');
    const hidden = await createPage(harness, 'Hidden');
    const secretChild = await createPage(harness, 'Secret child', secret);
    await harness.enable();
    await harness.drain();
    expect(await harness.mirror.get(harness.target, hidden)).toMatchObject({ status: 'current' });

    const { appAccountId } = await env.dev.getInstallation(harness.site.installationId);
    const only = (accountIds: string[]) => [
      {
        operation: 'read',
        restrictions: { user: accountIds.map((accountId) => ({ type: 'known', accountId })) },
      },
    ];
    await classic(
      harness,
      `/wiki/rest/api/content/${secret}/restriction`,
      only([harness.site.admin.accountId, appAccountId]),
    );
    await classic(
      harness,
      `/wiki/rest/api/content/${hidden}/restriction`,
      only([harness.site.admin.accountId]),
    );
    // Restrictions do not change versions: only a full sync reads every page again.
    harness.clock.now = new Date(harness.clock.now.getTime() + 25 * 60 * 60 * 1000);
    await reconcile(harness);

    expect(await harness.mirror.get(harness.target, open1)).toMatchObject({ restricted: false });
    expect(await harness.mirror.get(harness.target, secret)).toMatchObject({
      ownRestricted: true,
      restricted: true,
    });
    expect(await harness.mirror.get(harness.target, secretChild)).toMatchObject({
      ownRestricted: false,
      restricted: true,
      path: [await homepageTitle(harness), 'Secret'],
    });
    expect(await harness.mirror.get(harness.target, hidden)).toMatchObject({ status: 'deleted' });
  });

  it('resumes a backfill a crash cut short from its checkpoint instead of starting over', async () => {
    const harness = await open({ listLimit: 10, readConcurrency: 1 });
    for (let index = 0; index < 24; index++) await createPage(harness, `Page ${index}`);
    await harness.enable();
    const seq = await lastSeq();

    // The first worker hangs for good after 30 requests (its process died), holding its lease.
    let sent = 0;
    const crashing: ConfluenceClientResolver = {
      forJob() {
        const job = harness.clientFor.forJob();
        return {
          async clientFor(target, endpoint) {
            const client = await job.clientFor(target, endpoint);
            return {
              baseUrl: client.baseUrl,
              credential: client.credential,
              send(request) {
                sent += 1;
                return sent > 30 ? new Promise(() => {}) : client.send(request);
              },
            };
          },
        };
      },
    };
    void harness.engineWith({ clientFor: crashing, leaseMs: 60_000 }).runNext('worker-that-dies');
    await expect.poll(() => sent, { timeout: 10_000 }).toBeGreaterThan(30);

    // Another worker takes the space once the dead one's lease ran out, and finishes from the checkpoint.
    expect(await harness.engine.runNext('worker-2')).toBeNull();
    harness.clock.now = new Date(harness.clock.now.getTime() + 61_000);
    const report = await harness.engine.runNext('worker-2');
    expect(report).toMatchObject({ mode: 'full' });
    expect(await harness.mirror.countLive(harness.target)).toBe(25);

    const requests = await requestsSince(seq, harness.site.cloudId);
    const firstListings = requests.filter(
      (entry) => entry.operationId === 'getPagesInSpace' && !entry.query.includes('cursor='),
    );
    // The first listing page was read once: the second worker went on from the saved next link.
    expect(firstListings).toHaveLength(1);
    const reads = requests.filter((entry) => entry.operationId === 'getPageById');
    // 25 pages, each read once, except those the dead worker read after its last checkpoint.
    expect(reads.length).toBeGreaterThanOrEqual(25);
    expect(reads.length).toBeLessThan(25 + 15);
  });

  it('refreshes one page for the event handler: the higher version wins and an unchanged page is no change', async () => {
    const harness = await open();
    const page = await createPage(harness, 'Runbook');
    await harness.enable();
    await harness.drain();
    expect(
      await harness.engine.refreshPage(harness.site.installationId, harness.site.space.id, page),
    ).toBeNull();

    await env.dev.humanEdit(page, {
      body: { representation: 'atlas_doc_format', value: JSON.stringify(doc('v2')) },
    });
    const change = await harness.engine.refreshPage(harness.site.installationId, harness.site.space.id, page);
    expect(change).toMatchObject({
      spaceKey: harness.site.space.key,
      spaceId: harness.site.space.id,
      pageId: page,
      before: { version: 1 },
      after: { version: 2, checksum: hashAdf(doc('v2')) },
    });
    // A stale read (an older version arriving late) never takes the mirror back.
    const stale = await harness.mirror.upsert(
      harness.target,
      {
        pageId: page,
        title: 'Runbook',
        status: 'current',
        version: 1,
        parentId: change!.after.parentId,
        labels: [],
        url: '',
        updatedAt: new Date().toISOString(),
        ownRestricted: false,
        body: doc('v1'),
      },
      { now: new Date(), runId: null },
    );
    expect(stale).toBeNull();
    expect(await harness.mirror.get(harness.target, page)).toMatchObject({ version: 2 });

    expect((await api(harness, `/wiki/api/v2/pages/${page}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(harness, `/wiki/api/v2/pages/${page}?purge=true`, { method: 'DELETE' })).status).toBe(
      204,
    );
    const gone = await harness.engine.refreshPage(harness.site.installationId, harness.site.space.id, page);
    expect(gone).toMatchObject({ before: { version: 2 }, after: { status: 'deleted' } });
    expect(await harness.engine.refreshPage(harness.site.installationId, 'another-space', page)).toBeNull();
  });
});
