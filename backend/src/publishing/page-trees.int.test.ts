import { ALL_CONFLUENCE_SCOPES, PAGEWIRE_APP_SCOPES } from '@pagewire/devkit';
import type { AdfDocument, AdfNode, PageOrigin } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { createJobAutomation } from './job-automation';
import { createPageTreeListing } from './page-tree-listing';
import { createPageIdentityRepository } from './store/page-identity-repository';
import { createPageTreeRepository } from './store/page-tree-repository';
import {
  declarePublishingHarnesses,
  type HarnessOptions,
  type PublishingHarness,
  pageWrites,
} from './testing/publishing-harness';

const publishing = declarePublishingHarnesses();

/** A harness whose installation knows its site's URL (as the first Forge call records it), started unless told not to. */
async function harness(
  options: Partial<HarnessOptions> & { start?: boolean } = {},
): Promise<PublishingHarness> {
  const { start = true, ...rest } = options;
  const h = await publishing.open(rest);
  await h.repositories.installations.record(
    {
      installationId: h.site.installationId,
      cloudId: h.site.cloudId,
      apiBaseUrl: publishing.dev.gatewayUrl(h.site.cloudId),
      environmentType: 'DEVELOPMENT',
      siteUrl: h.site.siteUrl,
    },
    new Date(),
  );
  if (start) await h.service.start();
  return h;
}

/** A space API token that may archive: archiving takes the classic `write:confluence-content`. */
async function archivingHarness(
  scopes = [...ALL_CONFLUENCE_SCOPES, 'write:confluence-content'],
  appScopes?: readonly string[],
): Promise<PublishingHarness> {
  const site = await publishing.dev.seedSite({ tokenScopes: scopes, ...(appScopes ? { appScopes } : {}) });
  return harness({ site, apiToken: true, apiTokenScopes: scopes });
}

function listingOf(h: PublishingHarness) {
  const db = h.database.database.db;
  const identities = createPageIdentityRepository(db);
  const automation = createJobAutomation({ db, identities, installations: h.repositories.installations });
  const list = createPageTreeListing({
    trees: createPageTreeRepository(db),
    identities,
    installations: h.repositories.installations,
    automation,
  });
  return (tree: string, cursor?: string) => list(h.principal, tree, cursor);
}

function origin(path: string, hash = 'a'): PageOrigin {
  return { tree: 'docs', path, sourceHash: hash.repeat(64).slice(0, 64) };
}

function linksIn(page: { body: { value: string } | null }): { text: string; href: string }[] {
  const found: { text: string; href: string }[] = [];
  const walk = (nodes: AdfNode[]) => {
    for (const node of nodes) {
      const link = node.marks?.find((mark) => mark.type === 'link');
      if (link !== undefined) found.push({ text: node.text ?? '', href: String(link.attrs?.href) });
      if (node.content) walk(node.content);
    }
  };
  walk((JSON.parse(page.body?.value ?? '{"content":[]}') as AdfDocument).content);
  return found;
}

describe('page trees: parents by external id', () => {
  it('puts a page under the page its parentExternalId names, even when the parent is still queued', async () => {
    const h = await harness();
    const parentJob = await h.publish('docs~guide', { title: 'Guide', markdown: 'The guide.' });
    const childJob = await h.publish('docs~guide~setup', {
      title: 'Setup',
      markdown: 'Install it.',
      parentExternalId: 'docs~guide',
    });
    const parent = await h.settle(parentJob);
    const child = await h.settle(childJob);

    expect(child).toMatchObject({ state: 'published', written: 'created' });
    const pages = await h.pages();
    expect(pages.find((page) => page.id === child.pageId)?.parentId).toBe(parent.pageId);
  });

  it('fails a page whose parent was never published, nor queued, with parent_not_found', async () => {
    const h = await harness();
    const job = await h.settle(
      await h.publish('orphan', { title: 'Orphan', markdown: 'x', parentExternalId: 'nobody' }),
    );
    expect(job).toMatchObject({ state: 'failed', error: { code: 'parent_not_found' } });
    expect(await h.pages()).toEqual([]);
  });

  it('plans a page under a parent that is not published yet without failing, and says so', async () => {
    const h = await harness();
    const job = await h.settle(
      await h.publish('docs~new~page', {
        title: 'New page',
        markdown: 'x',
        parentExternalId: 'docs~new',
        dryRun: true,
      }),
    );
    expect(job).toMatchObject({ state: 'planned', plan: { action: 'create' } });
    expect(job.warnings).toEqual([expect.objectContaining({ code: 'parent_not_published' })]);
    expect(await h.pages()).toEqual([]);
  });

  it('moves a page whose parent changed with one write of the same content, reported as moved, and plans it as a move', async () => {
    const h = await harness();
    const a = await h.settle(await h.publish('a', { title: 'A', markdown: 'a' }));
    const b = await h.settle(await h.publish('b', { title: 'B', markdown: 'b' }));
    await h.settle(await h.publish('leaf', { title: 'Leaf', markdown: 'leaf', parentExternalId: 'a' }));

    const plan = await h.settle(
      await h.publish('leaf', { title: 'Leaf', markdown: 'leaf', parentExternalId: 'b', dryRun: true }),
    );
    expect(plan).toMatchObject({ state: 'planned', plan: { action: 'move' } });

    const before = await h.lastRequestSeq();
    const moved = await h.settle(
      await h.publish('leaf', { title: 'Leaf', markdown: 'leaf', parentExternalId: 'b' }),
    );
    expect(moved).toMatchObject({ state: 'published', written: 'moved', version: 2 });
    expect(pageWrites(await h.requestsSince(before))).toHaveLength(1);
    const leaf = (await h.pages()).find((page) => page.id === moved.pageId);
    expect(leaf?.parentId).toBe(b.pageId);
    expect(leaf?.parentId).not.toBe(a.pageId);

    const again = await h.settle(
      await h.publish('leaf', { title: 'Leaf', markdown: 'leaf', parentExternalId: 'b' }),
    );
    expect(again.state).toBe('unchanged');
  });

  it('reports an update as updated', async () => {
    const h = await harness();
    await h.settle(await h.publish('p', { title: 'P', markdown: 'one' }));
    const job = await h.settle(await h.publish('p', { title: 'P', markdown: 'two' }));
    expect(job).toMatchObject({ state: 'published', written: 'updated' });
  });
});

describe('page trees: the tree listing', () => {
  it('lists every page of a tree with its origin and parent, before and after its first publish', async () => {
    const h = await harness({ start: false });
    const list = listingOf(h);
    await h.publish('docs~index', { title: 'Docs', markdown: 'home', origin: origin('index.md') });
    await h.publish('docs~a', {
      title: 'A',
      markdown: 'a',
      parentExternalId: 'docs~index',
      origin: origin('a.md', 'b'),
    });
    await h.publish('elsewhere', {
      title: 'Other',
      markdown: 'x',
      origin: { ...origin('x.md'), tree: 'other' },
    });

    const queued = await list('docs');
    expect(queued.pages.map((page) => [page.externalId, page.pageId, page.lastJob?.state])).toEqual([
      ['docs~a', null, 'queued'],
      ['docs~index', null, 'queued'],
    ]);

    await h.service.start();
    for (const page of queued.pages) await h.settle(page.lastJob!.id);
    const listed = await list('docs');
    expect(listed.nextCursor).toBeNull();
    const a = listed.pages.find((page) => page.externalId === 'docs~a');
    expect(a).toMatchObject({
      origin: { tree: 'docs', path: 'a.md', sourceHash: 'b'.repeat(64) },
      title: 'A',
      parentExternalId: 'docs~index',
      status: 'current',
      lastJob: { state: 'published', written: 'created' },
    });
    expect(a?.pageUrl).toBe(`${h.site.siteUrl}/wiki/spaces/${h.site.space.key}/pages/${a?.pageId}`);
    expect((await list('nothing-here')).pages).toEqual([]);
  });

  it('hands out the pages of a long tree a page at a time', async () => {
    const h = await harness({ start: false });
    const list = listingOf(h);
    for (let index = 0; index < 205; index += 1) {
      const name = `p${String(index).padStart(3, '0')}`;
      await h.publish(`docs~${name}`, { title: name, markdown: name, origin: origin(`${name}.md`) });
    }
    const first = await list('docs');
    expect(first.pages).toHaveLength(200);
    const rest = await list('docs', first.nextCursor!);
    expect(rest.pages.map((page) => page.externalId)).toEqual([
      'docs~p200',
      'docs~p201',
      'docs~p202',
      'docs~p203',
      'docs~p204',
    ]);
    expect(rest.nextCursor).toBeNull();
  });
});

describe('page trees: links between pages', () => {
  it('writes a link to another page as its Confluence URL, anchor kept', async () => {
    const h = await harness();
    const target = await h.settle(await h.publish('docs~api', { title: 'API', markdown: '# Auth' }));
    const job = await h.settle(
      await h.publish('docs~intro', {
        title: 'Intro',
        markdown: 'See [the API](pagewire:page/docs~api#Auth).',
      }),
    );
    expect(job.warnings).toBeUndefined();
    const intro = (await h.pages()).find((page) => page.id === job.pageId)!;
    expect(linksIn(intro)).toEqual([
      {
        text: 'the API',
        href: `${h.site.siteUrl}/wiki/spaces/${h.site.space.key}/pages/${target.pageId}#Auth`,
      },
    ]);
  });

  it('writes a link to a page not created yet as text, warns, and re-publishes the page once the target exists', async () => {
    const h = await harness({ start: false });
    const introJob = await h.publish('docs~intro', {
      title: 'Intro',
      markdown: 'Next: [setup](pagewire:page/docs~setup).',
    });
    const setupJob = await h.publish('docs~setup', { title: 'Setup', markdown: 'Steps.' });
    // The intro is written first, while its link's target is still queued.
    await h.service.start();
    const intro = await h.settle(introJob);
    const setup = await h.settle(setupJob);
    expect(intro).toMatchObject({ state: 'published', written: 'created' });
    expect(intro.warnings).toEqual([expect.objectContaining({ code: 'link_target_pending' })]);

    const deadline = Date.now() + 20_000;
    let links: { text: string; href: string }[] = [];
    while (Date.now() < deadline) {
      const page = (await h.pages()).find((candidate) => candidate.id === intro.pageId)!;
      links = linksIn(page);
      if (links.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(links).toEqual([
      { text: 'setup', href: `${h.site.siteUrl}/wiki/spaces/${h.site.space.key}/pages/${setup.pageId}` },
    ]);
    const page = (await h.pages()).find((candidate) => candidate.id === intro.pageId)!;
    expect(page.version.number).toBe(2);
  });

  it('keeps a link to a page that does not exist at all as text, with a warning', async () => {
    const h = await harness();
    const job = await h.settle(
      await h.publish('docs~intro', { title: 'Intro', markdown: 'See [gone](pagewire:page/docs~gone).' }),
    );
    expect(job.state).toBe('published');
    expect(job.warnings).toEqual([expect.objectContaining({ code: 'link_target_missing' })]);
    const intro = (await h.pages()).find((page) => page.id === job.pageId)!;
    expect(linksIn(intro)).toEqual([]);
    expect(intro.body?.value).toContain('gone');
  });
});

describe('page trees: archiving', () => {
  it('archives a page in Confluence without deleting it, and the tree lists it archived', async () => {
    const h = await archivingHarness();
    const list = listingOf(h);
    const old = await h.settle(
      await h.publish('docs~old', { title: 'Old', markdown: 'x', origin: origin('old.md') }),
    );

    const plan = await h.settle((await h.service.acceptArchive(h.principal, 'docs~old', true)).id);
    expect(plan).toMatchObject({ state: 'planned', plan: { action: 'archive', pageId: old.pageId } });
    expect((await h.pages()).find((page) => page.id === old.pageId)?.status).toBe('current');

    const job = await h.settle((await h.service.acceptArchive(h.principal, 'docs~old', false)).id);
    expect(job).toMatchObject({ state: 'published', written: 'archived', pageId: old.pageId });
    const page = (await h.pages()).find((candidate) => candidate.id === old.pageId);
    expect(page?.status).toBe('archived');
    const activity = await h.repositories.activity.list(h.site.installationId, h.site.space.key, {
      limit: 1,
    });
    expect(activity.items[0]).toMatchObject({ action: 'page.archived', result: 'ok', pageId: old.pageId });
    const listed = await list('docs');
    expect(listed.pages).toEqual([
      expect.objectContaining({
        externalId: 'docs~old',
        status: 'archived',
        lastJob: expect.objectContaining({ id: job.id }),
      }),
    ]);
  });

  it('archives on a site where no credential may read long tasks by watching the page’s status instead', async () => {
    const h = await archivingHarness(
      [
        ...ALL_CONFLUENCE_SCOPES.filter((scope) => scope !== 'read:content.metadata:confluence'),
        'write:confluence-content',
      ],
      PAGEWIRE_APP_SCOPES.filter((scope) => scope !== 'read:confluence-content.summary'),
    );
    const old = await h.settle(await h.publish('old', { title: 'Old', markdown: 'x' }));
    const before = await h.lastRequestSeq();
    const job = await h.settle((await h.service.acceptArchive(h.principal, 'old', false)).id);
    expect(job).toMatchObject({ state: 'published', written: 'archived' });
    expect((await h.pages()).find((page) => page.id === old.pageId)?.status).toBe('archived');
    const operations = (await h.requestsSince(before)).map((entry) => `${entry.operationId} ${entry.status}`);
    expect(operations).toContain('archivePages 202');
    expect(operations).not.toContain('getTask 200');
  });

  it('refuses to archive a page Pagewire pages still sit under, with page_has_children', async () => {
    const h = await archivingHarness();
    await h.settle(await h.publish('parent', { title: 'Parent', markdown: 'p' }));
    await h.settle(await h.publish('child', { title: 'Child', markdown: 'c', parentExternalId: 'parent' }));
    const job = await h.settle((await h.service.acceptArchive(h.principal, 'parent', false)).id);
    expect(job).toMatchObject({ state: 'failed', error: { code: 'page_has_children' } });
    expect((await h.pages()).every((page) => page.status === 'current')).toBe(true);
  });

  it('cannot archive without a credential holding the classic write scope, and says which scope is missing', async () => {
    const h = await harness();
    const old = await h.settle(await h.publish('old', { title: 'Old', markdown: 'x' }));
    const job = await h.settle((await h.service.acceptArchive(h.principal, 'old', false)).id);
    expect(job).toMatchObject({ state: 'failed', error: { code: 'confluence_scope_missing' } });
    expect(job.error?.detail).toContain('write:confluence-content');
    expect((await h.pages()).find((page) => page.id === old.pageId)?.status).toBe('current');
  });
});
