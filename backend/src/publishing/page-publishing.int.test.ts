import type { RequestLogEntry } from '@pagewire/devkit';
import type { AdfDocument } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { PAGE_OWNERSHIP_PROPERTY_KEY } from './page-ownership';
import { createPageIdentityRepository } from './store/page-identity-repository';
import {
  anyWrites,
  declarePublishingHarnesses,
  type HarnessOptions,
  type PublishingHarness,
  pageWrites,
} from './testing/publishing-harness';

const publishing = declarePublishingHarnesses();

async function harness(options: Partial<HarnessOptions> = {}): Promise<PublishingHarness> {
  const created = await publishing.open(options);
  await created.service.start();
  return created;
}

function adfOf(page: { body: { value: string } | null }): AdfDocument {
  return JSON.parse(page.body?.value ?? 'null') as AdfDocument;
}

function textOf(page: { body: { value: string } | null }): string {
  return JSON.stringify(adfOf(page));
}

/** What each request was, in the v2 spec's words (`updatePage 200`). */
function operations(requests: readonly RequestLogEntry[]): string[] {
  return requests.map((entry) => `${entry.operationId} ${entry.status}`);
}

function identitiesOf(h: PublishingHarness) {
  return createPageIdentityRepository(h.database.database.db);
}

describe('publishing whole pages', () => {
  it('creates a page from Markdown, records who owns it on the page, and reports the version', async () => {
    const h = await harness();
    const jobId = await h.publish('runbook', {
      title: 'Runbook',
      markdown: '# Deploy\n\nRun **make deploy**.',
    });
    const job = await h.settle(jobId);
    expect(job).toMatchObject({ state: 'published', version: 1, externalId: 'runbook' });

    const [page] = await h.pages();
    expect(page).toMatchObject({ id: job.pageId, title: 'Runbook', parentId: h.site.space.homepageId });
    expect(adfOf(page!).content[0]).toEqual({
      type: 'heading',
      attrs: { level: 1 },
      content: [{ type: 'text', text: 'Deploy' }],
    });
    const ownership = page!.properties.find((property) => property.key === PAGE_OWNERSHIP_PROPERTY_KEY);
    expect(ownership?.value).toMatchObject({ externalId: 'runbook', version: 1, jobId, source: 'ci' });

    const activity = await h.repositories.activity.list(h.site.installationId, h.site.space.key, {
      limit: 10,
    });
    expect(activity.items[0]).toMatchObject({
      action: 'page.published',
      result: 'ok',
      actor: { kind: 'source', id: 'ci' },
      pageId: job.pageId,
      version: 1,
    });
  });

  it('does not write a page whose content has not changed, so watchers hear nothing', async () => {
    const h = await harness();
    await h.settle(await h.publish('status', { title: 'Status', markdown: 'All good' }));
    const before = await h.lastRequestSeq();
    const job = await h.settle(await h.publish('status', { title: 'Status', markdown: 'All good' }));
    expect(job).toMatchObject({ state: 'unchanged', version: 1 });
    expect(anyWrites(await h.requestsSince(before))).toEqual([]);
    expect((await h.pages())[0]?.versions).toHaveLength(1);
  });

  it('updates the page with the next version and the source’s message, marked as Pagewire’s in the page history', async () => {
    const h = await harness();
    await h.settle(await h.publish('status', { title: 'Status', markdown: 'v1' }));
    const job = await h.settle(
      await h.publish('status', {
        title: 'Status now',
        markdown: 'v2',
        versionMessage: 'from CI run 42',
        minorEdit: false,
      }),
    );
    expect(job).toMatchObject({ state: 'published', version: 2, plan: { action: 'update' } });
    const [page] = await h.pages();
    expect(page?.title).toBe('Status now');
    expect(page?.version.number).toBe(2);
    expect(page?.version.message).toMatch(/^from CI run 42 \(published by Pagewire, content [0-9a-f]{16}\)$/);
    expect(textOf(page!)).toContain('v2');
  });

  it('spends two writes on a new page, one request on an update nobody interfered with, and none on unchanged content', async () => {
    const h = await harness();
    // The first page of the space also looks the space up and reads its homepage index once.
    await h.settle(await h.publish('first', { title: 'First', markdown: 'x' }));

    let before = await h.lastRequestSeq();
    const created = await h.settle(await h.publish('status', { title: 'Status', markdown: 'v1' }));
    expect(created).toMatchObject({ state: 'published', version: 1 });
    // The page and its ownership property.
    expect(operations(await h.requestsSince(before))).toEqual(['createPage 200', 'createPageProperty 200']);

    for (const [version, markdown] of [
      [2, 'v2'],
      [3, 'v3'],
    ] as const) {
      before = await h.lastRequestSeq();
      const updated = await h.settle(await h.publish('status', { title: 'Status', markdown }));
      expect(updated).toMatchObject({ state: 'published', version, plan: { action: 'update' } });
      expect(operations(await h.requestsSince(before))).toEqual(['updatePage 200']);
    }

    before = await h.lastRequestSeq();
    const same = await h.settle(await h.publish('status', { title: 'Status', markdown: 'v3' }));
    expect(same).toMatchObject({ state: 'unchanged', version: 3 });
    expect(await h.requestsSince(before)).toEqual([]);

    const page = (await h.pages()).find((candidate) => candidate.id === created.pageId)!;
    expect(page.versions.map((version) => version.number)).toEqual([1, 2, 3]);
    expect(textOf(page)).toContain('v3');
    // The ownership property was written once, with the create.
    const ownership = page.properties.find((property) => property.key === PAGE_OWNERSHIP_PROPERTY_KEY);
    expect(ownership).toMatchObject({ version: 1, value: { externalId: 'status', version: 1 } });
  });

  it('indexes the pages created since the last flush with one property write on the space homepage', async () => {
    const h = await harness();
    const first = await h.settle(await h.publish('a', { title: 'A', markdown: 'a' }));
    let before = await h.lastRequestSeq();
    await h.service.flushPageIndex();
    expect(operations(await h.requestsSince(before))).toEqual(['createPageProperty 200']);

    const created = [first];
    for (const name of ['b', 'c', 'd']) {
      created.push(await h.settle(await h.publish(name, { title: name.toUpperCase(), markdown: name })));
    }
    before = await h.lastRequestSeq();
    await h.service.flushPageIndex();
    expect(operations(await h.requestsSince(before))).toEqual(['updatePagePropertyById 200']);
    // Nothing new: nothing written.
    before = await h.lastRequestSeq();
    await h.service.flushPageIndex();
    expect(await h.requestsSince(before)).toEqual([]);

    const homepage = (await publishing.dev.pages(h.site.cloudId)).find(
      (page) => page.id === h.site.space.homepageId,
    )!;
    expect(homepage.version.number).toBe(1);
    const chunk = homepage.properties.find((property) => property.key === 'pagewire.index.chunk-1');
    expect(chunk?.value).toEqual({
      entries: Object.fromEntries(created.map((job) => [job.externalId, job.pageId])),
    });
  });

  it('adds labels only when the set changes and moves the page only when its parent changes', async () => {
    // The bodies of the page updates the engine sends.
    const pageUpdates: Record<string, unknown>[] = [];
    const recording: typeof fetch = async (input, init) => {
      if (init?.method === 'PUT' && /\/wiki\/api\/v2\/pages\/\d+$/.test(String(input))) {
        pageUpdates.push(JSON.parse(String(init.body)) as Record<string, unknown>);
      }
      return fetch(input, init);
    };
    const h = await harness({ apiToken: true, fetch: recording });
    const parent = await h.settle(await h.publish('parent', { title: 'Parent', markdown: 'p' }));
    await h.settle(await h.publish('child', { title: 'Child', markdown: 'c1', labels: ['ops'] }));

    let before = await h.lastRequestSeq();
    await h.settle(await h.publish('child', { title: 'Child', markdown: 'c2', labels: ['ops'] }));
    expect(operations(await h.requestsSince(before))).toEqual(['updatePage 200']);

    before = await h.lastRequestSeq();
    await h.settle(
      await h.publish('child', { title: 'Child', markdown: 'c2', labels: ['ops', 'generated'] }),
    );
    expect(operations(await h.requestsSince(before))).toEqual(['addLabelsToContent 200']);

    before = await h.lastRequestSeq();
    const moved = await h.settle(
      await h.publish('child', { title: 'Child', markdown: 'c3', parentId: parent.pageId!, labels: ['ops'] }),
    );
    expect(moved).toMatchObject({ state: 'published', version: 3 });
    const move = await h.requestsSince(before);
    expect(operations(move)).toEqual(['updatePage 200']);
    const child = (await h.pages()).find((page) => page.id === moved.pageId)!;
    expect(child.parentId).toBe(parent.pageId);
    expect(child.labels.sort()).toEqual(['generated', 'ops']);

    // Same parent again: the update does not send it.
    before = await h.lastRequestSeq();
    await h.settle(
      await h.publish('child', { title: 'Child', markdown: 'c4', parentId: parent.pageId!, labels: ['ops'] }),
    );
    expect(operations(await h.requestsSince(before))).toEqual(['updatePage 200']);
    expect(pageUpdates.map((update) => 'parentId' in update)).toEqual([false, true, false]);
    expect((await h.pages()).find((page) => page.id === moved.pageId)?.parentId).toBe(parent.pageId);
  });

  it('reads the page only after its optimistic write met a 409, and then leaves the person’s edit alone', async () => {
    const h = await harness();
    const first = await h.settle(await h.publish('guide', { title: 'Guide', markdown: 'generated' }));
    await publishing.dev.humanEdit(first.pageId!);
    const before = await h.lastRequestSeq();
    const job = await h.settle(await h.publish('guide', { title: 'Guide', markdown: 'generated again' }));
    expect(job).toMatchObject({ state: 'skipped_human_edit', version: 2 });
    expect(operations(await h.requestsSince(before))).toEqual(['updatePage 409', 'getPageById 200']);
  });

  it('answers a waiting reader as soon as the job is final', async () => {
    const h = await harness();
    const jobId = await h.publish('waited', { title: 'Waited', markdown: 'x' });
    const view = await h.service.waitForJob(h.principal, jobId, 20_000);
    expect(view).toMatchObject({ id: jobId, state: 'published', version: 1 });
    const update = await h.publish('waited', { title: 'Waited', markdown: 'y' });
    expect(await h.service.waitForJob(h.principal, update, 20_000)).toMatchObject({
      state: 'published',
      version: 2,
    });
    expect(await h.service.waitForJob({ ...h.principal, spaceKey: 'OTHER' }, update, 1_000)).toBeNull();
  });

  it('leaves a page a person edited alone and says who edited it and when', async () => {
    const h = await harness();
    const first = await h.settle(await h.publish('guide', { title: 'Guide', markdown: 'generated' }));
    const edited = await publishing.dev.humanEdit(first.pageId!, { accountId: h.site.member.accountId });

    const job = await h.settle(await h.publish('guide', { title: 'Guide', markdown: 'generated again' }));
    expect(job).toMatchObject({
      state: 'skipped_human_edit',
      pageId: first.pageId,
      version: 2,
      humanEdit: { by: h.site.member.accountId, at: edited.version.createdAt, version: 2 },
      plan: { action: 'skip' },
    });
    const [page] = await h.pages();
    expect(page?.version.number).toBe(2);
    expect(page?.version.authorId).toBe(h.site.member.accountId);
    const activity = await h.repositories.activity.list(h.site.installationId, h.site.space.key, {
      limit: 1,
    });
    expect(activity.items[0]).toMatchObject({
      action: 'page.skipped_human_edit',
      result: 'skipped',
      version: 2,
      pageId: first.pageId,
      // Who and when as data, for the settings page to show a name and a relative time.
      humanEdit: { by: h.site.member.accountId, at: edited.version.createdAt },
    });
    expect(activity.items[0]?.detail).not.toContain(h.site.member.accountId);
    expect(activity.items[0]?.detail).not.toContain(edited.version.createdAt);
  });

  it('overwrites a person’s edit when the source asks for it, and keeps protecting later edits', async () => {
    const h = await harness();
    const first = await h.settle(await h.publish('guide', { title: 'Guide', markdown: 'generated' }));
    await publishing.dev.humanEdit(first.pageId!);
    const job = await h.settle(
      await h.publish('guide', { title: 'Guide', markdown: 'regenerated', onHumanEdit: 'overwrite' }),
    );
    expect(job).toMatchObject({ state: 'published', version: 3, plan: { action: 'update' } });
    expect(job.plan?.reason).toMatch(/overwrites the edit by/);
    expect(textOf((await h.pages())[0]!)).toContain('regenerated');

    // Pagewire wrote version 3; a new edit is protected again by default.
    await publishing.dev.humanEdit(first.pageId!);
    expect((await h.settle(await h.publish('guide', { title: 'Guide', markdown: 'again' }))).state).toBe(
      'skipped_human_edit',
    );
  });

  it('ends skipped_human_edit when a person saves the page between Pagewire’s read and its write', async () => {
    let armedPage: string | null = null;
    const h = await harness({
      async beforeCall(operation) {
        if (operation === 'page.update' && armedPage !== null) {
          const pageId = armedPage;
          armedPage = null;
          await publishing.dev.humanEdit(pageId, {
            body: JSON.stringify({
              version: 1,
              type: 'doc',
              content: [{ type: 'paragraph', content: [{ type: 'text', text: 'human words' }] }],
            }),
          });
        }
      },
    });
    const first = await h.settle(await h.publish('race', { title: 'Race', markdown: 'one' }));
    armedPage = first.pageId!;
    const job = await h.settle(await h.publish('race', { title: 'Race', markdown: 'two' }));
    expect(job).toMatchObject({ state: 'skipped_human_edit', version: 2 });
    const [page] = await h.pages();
    expect(page?.version.number).toBe(2);
    expect(textOf(page!)).toContain('human words');
  });

  it('re-reads after the conflict and overwrites a person’s racing save when asked to', async () => {
    let armedPage: string | null = null;
    const h = await harness({
      async beforeCall(operation) {
        if (operation === 'page.update' && armedPage !== null) {
          const pageId = armedPage;
          armedPage = null;
          await publishing.dev.humanEdit(pageId);
        }
      },
    });
    const first = await h.settle(await h.publish('race', { title: 'Race', markdown: 'one' }));
    armedPage = first.pageId!;
    const job = await h.settle(
      await h.publish('race', { title: 'Race', markdown: 'two', onHumanEdit: 'overwrite' }),
    );
    expect(job).toMatchObject({ state: 'published', version: 3 });
    const [page] = await h.pages();
    expect(page?.versions.map((version) => version.number)).toEqual([1, 2, 3]);
    expect(textOf(page!)).toContain('two');
  });

  it('gives up after three version conflicts in a row and overwrites nothing', async () => {
    let target: string | null = null;
    const h = await harness({
      async beforeCall(operation) {
        if (operation === 'page.update' && target !== null) await publishing.dev.humanEdit(target);
      },
    });
    const first = await h.settle(await h.publish('busy', { title: 'Busy', markdown: 'one' }));
    target = first.pageId!;
    const job = await h.settle(
      await h.publish('busy', { title: 'Busy', markdown: 'two', onHumanEdit: 'overwrite' }),
    );
    target = null;
    expect(job).toMatchObject({ state: 'failed', error: { code: 'confluence_conflict' } });
    const [page] = await h.pages();
    expect(
      page?.versions.every((version) => version.number === 1 || version.authorId !== page.authorId),
    ).toBe(true);
    expect(textOf(page!)).not.toContain('two');
  });

  it('answers a dry run with the plan and a diff summary and writes nothing at all', async () => {
    const h = await harness();
    const before = await h.lastRequestSeq();
    const create = await h.settle(
      await h.publish('plan', { title: 'Plan', markdown: '# A\n\nB\n\n- c', labels: ['ops'], dryRun: true }),
    );
    expect(create).toMatchObject({
      state: 'planned',
      dryRun: true,
      plan: { action: 'create', diff: { added: 3, removed: 0, titleChanged: false, labelsAdded: ['ops'] } },
    });
    expect(anyWrites(await h.requestsSince(before))).toEqual([]);
    expect(await h.pages()).toEqual([]);

    await h.settle(await h.publish('plan', { title: 'Plan', markdown: '# A\n\nB' }));
    const afterPublish = await h.lastRequestSeq();
    const update = await h.settle(
      await h.publish('plan', { title: 'Plan 2', markdown: '# A\n\nC', dryRun: true }),
    );
    expect(update).toMatchObject({
      state: 'planned',
      plan: { action: 'update', currentVersion: 1, diff: { added: 1, removed: 1, titleChanged: true } },
    });
    const same = await h.settle(
      await h.publish('plan', { title: 'Plan', markdown: '# A\n\nB', dryRun: true }),
    );
    expect(same.plan?.action).toBe('unchanged');
    expect(anyWrites(await h.requestsSince(afterPublish))).toEqual([]);
  });

  it('plans a skip in a dry run when a person edited the page', async () => {
    const h = await harness();
    const first = await h.settle(await h.publish('plan', { title: 'Plan', markdown: 'x' }));
    await publishing.dev.humanEdit(first.pageId!);
    const job = await h.settle(await h.publish('plan', { title: 'Plan', markdown: 'y', dryRun: true }));
    expect(job).toMatchObject({ state: 'planned', plan: { action: 'skip' }, humanEdit: { version: 2 } });
  });

  it('publishes the page but warns when no credential may add its labels', async () => {
    const h = await harness();
    const job = await h.settle(
      await h.publish('tagged', { title: 'Tagged', markdown: 'x', labels: ['ops'] }),
    );
    expect(job.state).toBe('published');
    expect(job.warnings).toEqual([
      expect.objectContaining({
        code: 'labels_not_applied',
        detail: expect.stringMatching(/write:label:confluence/),
      }),
    ]);
    expect((await h.pages())[0]?.labels).toEqual([]);
    const activity = await h.repositories.activity.list(h.site.installationId, h.site.space.key, {
      limit: 1,
    });
    expect(activity.items[0]).toMatchObject({ action: 'page.published', result: 'warning' });
  });

  it('adds labels through the space’s API token when one is configured, and only once', async () => {
    const h = await harness({ apiToken: true });
    const job = await h.settle(
      await h.publish('tagged', { title: 'Tagged', markdown: 'x', labels: ['ops', 'generated'] }),
    );
    expect(job).toMatchObject({ state: 'published' });
    expect(job.warnings).toBeUndefined();
    expect((await h.pages())[0]?.labels.sort()).toEqual(['generated', 'ops']);
    const before = await h.lastRequestSeq();
    expect(
      (
        await h.settle(
          await h.publish('tagged', { title: 'Tagged', markdown: 'x', labels: ['generated', 'ops'] }),
        )
      ).state,
    ).toBe('unchanged');
    expect(anyWrites(await h.requestsSince(before))).toEqual([]);
  });

  it('refuses to take over a page with the same title that it did not publish', async () => {
    const h = await harness();
    const mine = await h.settle(await h.publish('one', { title: 'Shared title', markdown: 'mine' }));
    const before = await h.lastRequestSeq();
    const job = await h.settle(await h.publish('two', { title: 'Shared title', markdown: 'theirs' }));
    expect(job).toMatchObject({ state: 'failed', error: { code: 'confluence_conflict' } });
    expect(job.error?.detail).toContain(`page ${mine.pageId}`);
    // The create is tried first and refused (the title is taken): nothing written.
    expect(pageWrites(await h.requestsSince(before)).filter((entry) => entry.status < 400)).toEqual([]);
    const pages = await h.pages();
    expect(pages).toHaveLength(1);
    expect(textOf(pages[0]!)).toContain('mine');
  });

  it('finds its page again after losing its database, even when the page was renamed meanwhile', async () => {
    const first = await harness();
    const published = await first.settle(
      await first.publish('handbook', { title: 'Handbook', markdown: 'v1' }),
    );
    await first.dispose();

    // A new backend with an empty database, against the same Confluence site.
    const second = await harness({ site: first.site });
    const renamed = await second.settle(
      await second.publish('handbook', { title: 'Team handbook', markdown: 'v2' }),
    );
    expect(renamed).toMatchObject({ state: 'published', pageId: published.pageId, version: 2 });
    const pages = await second.pages();
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ title: 'Team handbook' });

    // And it still protects human edits, from the version recorded on the page.
    await publishing.dev.humanEdit(published.pageId!);
    const third = await harness({ site: first.site });
    expect(
      (await third.settle(await third.publish('handbook', { title: 'Team handbook', markdown: 'v3' }))).state,
    ).toBe('skipped_human_edit');
  });

  it('after losing its database, knows the versions it wrote since the create from their version messages', async () => {
    const first = await harness();
    const created = await first.settle(await first.publish('notes', { title: 'Notes', markdown: 'v1' }));
    await first.settle(await first.publish('notes', { title: 'Notes', markdown: 'v2' }));
    await first.settle(await first.publish('notes', { title: 'Notes', markdown: 'v3' }));
    await first.dispose();

    // The ownership property still says version 1; versions 2 and 3 carry Pagewire's marker.
    const second = await harness({ site: first.site });
    const again = await second.settle(await second.publish('notes', { title: 'Notes', markdown: 'v3' }));
    expect(again).toMatchObject({ state: 'unchanged', pageId: created.pageId, version: 3 });
    const updated = await second.settle(await second.publish('notes', { title: 'Notes', markdown: 'v4' }));
    expect(updated).toMatchObject({ state: 'published', pageId: created.pageId, version: 4 });
    await second.dispose();

    // A person's edit carries no marker: still protected with an empty database.
    await publishing.dev.humanEdit(created.pageId!);
    const third = await harness({ site: first.site });
    const skipped = await third.settle(await third.publish('notes', { title: 'Notes', markdown: 'v5' }));
    expect(skipped).toMatchObject({ state: 'skipped_human_edit', version: 5 });
    expect((await third.pages())[0]?.versions).toHaveLength(5);
  });

  it('after a database restored from an older backup, takes the versions it wrote since for its own and a person’s edit for theirs', async () => {
    const h = await harness();
    const created = await h.settle(await h.publish('report', { title: 'Report', markdown: 'v1' }));
    const identities = identitiesOf(h);
    const backup = (await identities.find(h.site.installationId, h.site.space.key, 'report'))!;
    await h.settle(await h.publish('report', { title: 'Report', markdown: 'v2' }));
    await h.settle(await h.publish('report', { title: 'Report', markdown: 'v3' }));
    await identities.save(backup);

    // The record says version 1; the write as version 2 meets a 409, the read shows Pagewire's version 3.
    const next = await h.settle(await h.publish('report', { title: 'Report', markdown: 'v4' }));
    expect(next).toMatchObject({ state: 'published', pageId: created.pageId, version: 4 });

    await identities.save(backup);
    await publishing.dev.humanEdit(created.pageId!);
    const skipped = await h.settle(await h.publish('report', { title: 'Report', markdown: 'v5' }));
    expect(skipped).toMatchObject({ state: 'skipped_human_edit', version: 5 });
    expect(textOf((await h.pages())[0]!)).not.toContain('v5');
  });

  it('restores a page a person moved to the trash with its next update, and creates one a person purged again', async () => {
    const h = await harness();
    const first = await h.settle(await h.publish('gone', { title: 'Gone', markdown: 'x' }));
    const remove = async (purge: boolean) => {
      const response = await fetch(
        `${publishing.dev.gatewayUrl(h.site.cloudId)}/wiki/api/v2/pages/${first.pageId}${purge ? '?purge=true' : ''}`,
        {
          method: 'DELETE',
          headers: {
            authorization: `Basic ${Buffer.from(`${h.site.admin.email}:${h.site.scopedToken}`).toString('base64')}`,
          },
        },
      );
      expect(response.status).toBe(204);
    };
    await remove(false);
    // An update with status `current` restores a trashed page: same page, its history kept.
    const restored = await h.settle(await h.publish('gone', { title: 'Gone', markdown: 'y' }));
    expect(restored).toMatchObject({ state: 'published', pageId: first.pageId, version: 2 });
    const [page] = await h.pages();
    expect(page).toMatchObject({ id: first.pageId, status: 'current' });
    expect(textOf(page!)).toContain('y');

    await remove(false);
    await remove(true);
    const recreated = await h.settle(await h.publish('gone', { title: 'Gone', markdown: 'z' }));
    expect(recreated).toMatchObject({ state: 'published', version: 1 });
    expect(recreated.pageId).not.toBe(first.pageId);
    expect(recreated.plan?.reason).toMatch(/no longer exists/);
  });

  it('knows a write that landed before a crash is its own, even when the next update dies before it is sent', async () => {
    // What the wire does to the next page PUTs: deliver it and lose the answer
    // (as a crash right after sending would), then refuse to send one at all.
    const plan: Array<'land-and-lose-answer' | 'refuse'> = [];
    const faulty: typeof fetch = async (input, init) => {
      const isPageUpdate = init?.method === 'PUT' && /\/wiki\/api\/v2\/pages\/\d+$/.test(String(input));
      const step = isPageUpdate ? plan.shift() : undefined;
      if (step === 'refuse')
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      const response = await fetch(input, init);
      if (step === 'land-and-lose-answer') {
        await response.text();
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
      }
      return response;
    };
    const h = await harness({ fetch: faulty, config: { retryBaseMs: 400, retryMaxMs: 400 } });
    const first = await h.settle(await h.publish('fragile', { title: 'Fragile', markdown: 'one' }));
    plan.push('land-and-lose-answer', 'refuse');

    const second = await h.publish('fragile', { title: 'Fragile', markdown: 'two' });
    // The write of "two" landed, its answer was lost: the job waits for a retry.
    const deadline = Date.now() + 10_000;
    while ((await h.job(second)).error === undefined) {
      if (Date.now() > deadline) throw new Error('the lost answer never surfaced');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // A newer update arrives before the retry; its own first write is never sent.
    const third = await h.publish('fragile', { title: 'Fragile', markdown: 'three' });

    const result = await h.settle(third);
    expect(result).toMatchObject({ state: 'published', version: 3, pageId: first.pageId });
    expect(await h.job(second)).toMatchObject({ state: 'published', supersededBy: third });
    const [page] = await h.pages();
    expect(page?.versions.map((version) => version.number)).toEqual([1, 2, 3]);
    expect(textOf(page!)).toContain('three');
  });

  it('finishes a create whose ownership property was never written, even when the next update is cut off after it landed', async () => {
    // The wire: refuse property creates while `refuseProperties` holds (the
    // create landed and was recorded, then the process died before the
    // ownership property), and deliver the next page PUT but lose its answer
    // (a crash right after the update was sent).
    let refuseProperties = true;
    let loseNextUpdateAnswer = false;
    const faulty: typeof fetch = async (input, init) => {
      const url = String(input);
      const isPropertyCreate =
        init?.method === 'POST' && /\/wiki\/api\/v2\/pages\/\d+\/properties$/.test(url);
      if (isPropertyCreate && refuseProperties)
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      const isPageUpdate = init?.method === 'PUT' && /\/wiki\/api\/v2\/pages\/\d+$/.test(url);
      const response = await fetch(input, init);
      if (isPageUpdate && loseNextUpdateAnswer) {
        loseNextUpdateAnswer = false;
        await response.text();
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
      }
      return response;
    };
    const h = await harness({ fetch: faulty, config: { retryBaseMs: 400, retryMaxMs: 400 } });
    const first = await h.publish('half-made', { title: 'Half made', markdown: 'one' });
    // The create landed; writing its ownership property failed: the job waits for a retry.
    const deadline = Date.now() + 10_000;
    while ((await h.job(first)).error === undefined) {
      if (Date.now() > deadline) throw new Error('the refused property write never surfaced');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // A newer update arrives before the retry; its write lands and its answer is lost.
    const second = await h.publish('half-made', { title: 'Half made', markdown: 'two' });
    loseNextUpdateAnswer = true;
    refuseProperties = false;

    const result = await h.settle(second);
    expect(result).toMatchObject({ state: 'published', version: 2 });
    const pages = await h.pages();
    expect(pages).toHaveLength(1);
    expect(pages[0]!.versions.map((version) => version.number)).toEqual([1, 2]);
    expect(textOf(pages[0]!)).toContain('two');
    // The page says it is Pagewire's, so it is found again after a lost database.
    const ownership = pages[0]!.properties.find((property) => property.key === PAGE_OWNERSHIP_PROPERTY_KEY);
    expect(ownership?.value).toMatchObject({ externalId: 'half-made', version: 2 });
  });
});

describe('a parent page that does not exist', () => {
  it('fails the job naming the parentId, not the page’s title', async () => {
    const h = await harness();
    const job = await h.settle(
      await h.publish('orphan', { title: 'Orphan', markdown: 'x', parentId: '999999' }),
    );
    expect(job.state).toBe('failed');
    expect(job.error?.detail).toContain('The parent page 999999 given as "parentId" does not exist in space');
    expect(job.error?.detail).not.toContain('"Orphan"');
    expect(job.attempts).toBe(1);
  });

  it('fails a move of a published page under a missing parent the same way', async () => {
    const h = await harness();
    await h.settle(await h.publish('mover', { title: 'Mover', markdown: 'one' }));
    const job = await h.settle(
      await h.publish('mover', { title: 'Mover', markdown: 'two', parentId: '999998' }),
    );
    expect(job.state).toBe('failed');
    expect(job.error?.detail).toContain('The parent page 999998 given as "parentId"');
  });
});
