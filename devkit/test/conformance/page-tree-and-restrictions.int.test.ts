import { describe, expect, it } from 'vitest';
import type { SeededSite } from '../../src/client/dev-api-client';
import {
  bearer,
  call,
  classicAuth,
  createPage,
  declareEmulator,
  scopedAuth,
} from '../support/emulator-fixture';

/**
 * What an exporter of a space needs beyond reading single pages, as
 * documented (docs/platform-notes.md#listing-a-spaces-pages,
 * docs/platform-notes.md#page-view-restrictions): the pages list with status
 * filters and sorts, archived and trashed pages, purging, ancestors, labels
 * with the page, and view restrictions hiding pages from whoever they leave out.
 */
describe('page trees, archive, trash, purge and view restrictions', () => {
  const env = declareEmulator();

  const spacePages = (site: SeededSite, query: string, authorization = scopedAuth(site)) =>
    call(`${site.gatewayUrl}/wiki/api/v2/spaces/${site.space.id}/pages?${query}`, { authorization });
  const idsOf = (result: { json: { results: { id: string }[] } }) =>
    result.json.results.map((page) => page.id);

  async function tree(site: SeededSite) {
    const root = await createPage(site, { title: 'Handbook' });
    const child = await createPage(site, { title: 'Onboarding', parentId: root.json.id });
    const grandchild = await createPage(site, { title: 'First day', parentId: child.json.id });
    return {
      root: root.json.id as string,
      child: child.json.id as string,
      grandchild: grandchild.json.id as string,
    };
  }

  async function restrictToAdmin(site: SeededSite, pageId: string) {
    // A classic token works on the site URL only.
    return call(`${site.siteUrl}/wiki/rest/api/content/${pageId}/restriction`, {
      method: 'PUT',
      authorization: classicAuth(site),
      body: [
        { operation: 'read', restrictions: { user: [{ type: 'known', accountId: site.admin.accountId }] } },
      ],
    });
  }

  it('lists a page’s ancestors top to bottom, the nearest ones when limited', async () => {
    const site = await env.dev.seedSite();
    const { root, child, grandchild } = await tree(site);
    const all = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${grandchild}/ancestors`, {
      authorization: scopedAuth(site),
    });
    expect(all.status).toBe(200);
    expect(idsOf(all)).toEqual([site.space.homepageId, root, child]);
    expect(all.json.results[0]).toEqual({ id: site.space.homepageId, type: 'page' });
    const nearest = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${grandchild}/ancestors?limit=2`, {
      authorization: scopedAuth(site),
    });
    expect(idsOf(nearest)).toEqual([root, child]);
  });

  it('asks for read:content.metadata:confluence to list ancestors', async () => {
    const site = await env.dev.seedSite({ tokenScopes: ['read:page:confluence', 'write:page:confluence'] });
    const { grandchild } = await tree(site);
    const refused = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${grandchild}/ancestors`, {
      authorization: scopedAuth(site),
    });
    expect(refused.status).toBe(401);
    expect(refused.text).toMatch(/scope does not match/);
  });

  it('archives pages with a 202 long task; archived pages are listed by default and by status=archived only', async () => {
    const site = await env.dev.seedSite();
    const { child } = await tree(site);
    const archived = await call(`${site.siteUrl}/wiki/rest/api/content/archive`, {
      method: 'POST',
      authorization: classicAuth(site),
      body: { pages: [{ id: Number(child) }] },
    });
    expect(archived.status).toBe(202);
    // Relative to the `/wiki` context, as Confluence's LongTask answer gives it.
    expect(archived.json.links.status).toBe(`/rest/api/longtask/${archived.json.id}`);
    const task = await call(`${site.siteUrl}/wiki${archived.json.links.status}`, {
      method: 'GET',
      authorization: classicAuth(site),
    });
    expect(task.status).toBe(200);
    expect(task.json).toMatchObject({
      id: archived.json.id,
      finished: true,
      successful: true,
      percentageComplete: 100,
    });
    const unknownTask = await call(`${site.siteUrl}/wiki/rest/api/longtask/1`, {
      method: 'GET',
      authorization: classicAuth(site),
    });
    expect(unknownTask.status).toBe(404);
    const v2 = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${child}`, {
      authorization: scopedAuth(site),
    });
    expect(v2.json.status).toBe('archived');
    const byDefault = await spacePages(site, 'limit=250');
    expect(byDefault.json.results.find((page: { id: string }) => page.id === child).status).toBe('archived');
    expect(idsOf(await spacePages(site, 'status=current'))).not.toContain(child);
    expect(idsOf(await spacePages(site, 'status=archived'))).toEqual([child]);
    const again = await call(`${site.siteUrl}/wiki/rest/api/content/archive`, {
      method: 'POST',
      authorization: classicAuth(site),
      body: { pages: [{ id: child }] },
    });
    expect(again.status).toBe(400);
  });

  it('lists trashed pages only when asked for, finds them by id only with status=trashed, and purges them for good', async () => {
    const site = await env.dev.seedSite();
    const { grandchild } = await tree(site);
    const page = `${site.gatewayUrl}/wiki/api/v2/pages/${grandchild}`;
    expect((await call(page, { method: 'DELETE', authorization: scopedAuth(site) })).status).toBe(204);
    expect(idsOf(await spacePages(site, 'limit=250'))).not.toContain(grandchild);
    expect(idsOf(await spacePages(site, 'status=trashed'))).toEqual([grandchild]);
    expect((await call(page, { authorization: scopedAuth(site) })).status).toBe(404);
    const trashed = await call(`${page}?status=trashed`, { authorization: scopedAuth(site) });
    expect(trashed.json.status).toBe('trashed');

    const purged = await call(`${page}?purge=true`, { method: 'DELETE', authorization: scopedAuth(site) });
    expect(purged.status).toBe(204);
    expect(idsOf(await spacePages(site, 'status=current,archived,trashed,deleted'))).not.toContain(
      grandchild,
    );
    expect((await call(`${page}?status=trashed`, { authorization: scopedAuth(site) })).status).toBe(404);
  });

  it('sorts the pages list by modified date, newest first with -modified-date', async () => {
    const site = await env.dev.seedSite();
    const { root, child } = await tree(site);
    await env.dev.humanEdit(root, {});
    const sorted = await spacePages(site, 'sort=-modified-date&limit=250');
    expect(idsOf(sorted)[0]).toBe(root);
    const oldestFirst = await spacePages(site, 'sort=modified-date&limit=250');
    expect(idsOf(oldestFirst).indexOf(child)).toBeLessThan(idsOf(oldestFirst).indexOf(root));
    expect((await spacePages(site, 'sort=size')).status).toBe(400);
  });

  it('returns up to 50 labels with the page when include-labels=true', async () => {
    const site = await env.dev.seedSite();
    const { root } = await tree(site);
    await call(`${site.gatewayUrl}/wiki/rest/api/content/${root}/label`, {
      method: 'POST',
      authorization: scopedAuth(site),
      body: [
        { prefix: 'global', name: 'howto' },
        { prefix: 'global', name: 'team' },
      ],
    });
    const read = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${root}?include-labels=true`, {
      authorization: scopedAuth(site),
    });
    expect(read.json.labels.results.map((label: { name: string }) => label.name).sort()).toEqual([
      'howto',
      'team',
    ]);
    expect(read.json.labels.meta.hasMore).toBe(false);
  });

  it('reports a page’s own view restriction through v1 byOperation/read', async () => {
    const site = await env.dev.seedSite();
    const { root, child } = await tree(site);
    const before = await call(
      `${site.gatewayUrl}/wiki/rest/api/content/${root}/restriction/byOperation/read`,
      {
        authorization: scopedAuth(site),
      },
    );
    expect(before.status).toBe(200);
    expect(before.json.restrictions.user.results).toEqual([]);
    expect((await restrictToAdmin(site, root)).status).toBe(200);
    const after = await call(
      `${site.gatewayUrl}/wiki/rest/api/content/${root}/restriction/byOperation/read`,
      {
        authorization: scopedAuth(site),
      },
    );
    expect(after.json.operation).toBe('read');
    expect(after.json.restrictions.user.results).toEqual([
      expect.objectContaining({ type: 'known', accountId: site.admin.accountId }),
    ]);
    // Only the page's own restriction: the child inherits it but carries none itself.
    const inherited = await call(
      `${site.gatewayUrl}/wiki/rest/api/content/${child}/restriction/byOperation/read`,
      {
        authorization: scopedAuth(site),
      },
    );
    expect(inherited.json.restrictions.user.results).toEqual([]);
  });

  it('hides a view-restricted page and its descendants, as not found, from everyone the restriction leaves out, the app included', async () => {
    const site = await env.dev.seedSite();
    const { root, child, grandchild } = await tree(site);
    await restrictToAdmin(site, root);
    const { token } = await env.dev.mintAppToken({ installationId: site.installationId });
    const memberToken = await env.dev.createApiToken({
      email: site.member.email,
      scopes: ['read:page:confluence'],
    });
    const member = `Basic ${Buffer.from(`${site.member.email}:${memberToken.token}`).toString('base64')}`;
    for (const authorization of [bearer(token), member]) {
      for (const id of [root, child, grandchild]) {
        expect((await call(`${site.gatewayUrl}/wiki/api/v2/pages/${id}`, { authorization })).status).toBe(
          404,
        );
      }
      const listed = idsOf(await spacePages(site, 'limit=250', authorization));
      expect(listed).not.toContain(root);
      expect(listed).not.toContain(grandchild);
      expect(listed).toContain(site.space.homepageId);
    }
    // The admin the restriction names still sees all three.
    expect(idsOf(await spacePages(site, 'limit=250'))).toEqual(
      expect.arrayContaining([root, child, grandchild]),
    );
  });

  it('asks for a read scope to read restrictions and write:confluence-content to change them', async () => {
    const site = await env.dev.seedSite({ tokenScopes: ['read:page:confluence', 'write:page:confluence'] });
    const { root } = await tree(site);
    const read = await call(`${site.gatewayUrl}/wiki/rest/api/content/${root}/restriction/byOperation/read`, {
      authorization: scopedAuth(site),
    });
    expect(read.status).toBe(401);
    const write = await call(`${site.gatewayUrl}/wiki/rest/api/content/${root}/restriction`, {
      method: 'PUT',
      authorization: scopedAuth(site),
      body: [],
    });
    expect(write.status).toBe(401);
  });
});
