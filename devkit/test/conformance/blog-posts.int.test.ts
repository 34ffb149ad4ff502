import { describe, expect, it } from 'vitest';
import { call, createPage, declareEmulator, scopedAuth, storageBody } from '../support/emulator-fixture';

/**
 * Blog posts as the v2 API serves them
 * (https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-blog-post/ and
 * https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-content-properties/):
 * create, read, full-replace update with version + 1, and content properties
 * under `/blogposts/{id}/properties`. Blog posts and pages share content ids but
 * never answer for each other.
 */
describe('blog posts', () => {
  const env = declareEmulator();

  it('creates, reads and updates a blog post, refusing a stale version with 409', async () => {
    const site = await env.dev.seedSite();
    const auth = scopedAuth(site);
    const base = `${site.gatewayUrl}/wiki/api/v2/blogposts`;
    const created = await call(base, {
      method: 'POST',
      authorization: auth,
      body: {
        spaceId: site.space.id,
        status: 'current',
        title: 'Release notes',
        body: storageBody('<p>v1</p>'),
      },
    });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      title: 'Release notes',
      spaceId: site.space.id,
      version: { number: 1 },
    });
    expect(created.json).not.toHaveProperty('parentId');
    const id = created.json.id as string;

    const read = await call(`${base}/${id}?body-format=storage`, { authorization: auth });
    expect(read.json.body.storage.value).toBe('<p>v1</p>');

    const update = (number: number) =>
      call(`${base}/${id}`, {
        method: 'PUT',
        authorization: auth,
        body: {
          id,
          status: 'current',
          title: 'Release notes',
          body: storageBody('<p>v2</p>'),
          version: { number },
        },
      });
    expect((await update(2)).json.version.number).toBe(2);
    const stale = await update(2);
    expect(stale.status).toBe(409);
    expect(stale.json.errors[0].title).toContain('Current Version: [2]');
  });

  it('keeps content properties of a blog post under /blogposts/{id}/properties, not under /pages', async () => {
    const site = await env.dev.seedSite();
    const auth = scopedAuth(site);
    const post = await call(`${site.gatewayUrl}/wiki/api/v2/blogposts`, {
      method: 'POST',
      authorization: auth,
      body: { spaceId: site.space.id, title: 'Weekly', body: storageBody('<p/>') },
    });
    const id = post.json.id as string;
    const properties = `${site.gatewayUrl}/wiki/api/v2/blogposts/${id}/properties`;
    const created = await call(properties, {
      method: 'POST',
      authorization: auth,
      body: { key: 'pagewire.snapshot.m1', value: { revision: 1 } },
    });
    expect(created.status).toBe(200);
    const updated = await call(`${properties}/${created.json.id}`, {
      method: 'PUT',
      authorization: auth,
      body: { key: 'pagewire.snapshot.m1', value: { revision: 2 }, version: { number: 2 } },
    });
    expect(updated.json.version.number).toBe(2);
    const listed = await call(`${properties}?key=pagewire.snapshot.m1`, { authorization: auth });
    expect(listed.json.results.map((p: { value: unknown }) => p.value)).toEqual([{ revision: 2 }]);
    // The blog post is not a page, and a page is not a blog post.
    expect(
      (await call(`${site.gatewayUrl}/wiki/api/v2/pages/${id}/properties`, { authorization: auth })).status,
    ).toBe(404);
    expect((await call(`${site.gatewayUrl}/wiki/api/v2/pages/${id}`, { authorization: auth })).status).toBe(
      404,
    );
    const page = await createPage(site, { title: 'A page' });
    expect(
      (await call(`${site.gatewayUrl}/wiki/api/v2/blogposts/${page.json.id}`, { authorization: auth }))
        .status,
    ).toBe(404);
    const listing = await call(`${site.gatewayUrl}/wiki/api/v2/spaces/${site.space.id}/pages`, {
      authorization: auth,
    });
    expect(listing.json.results.map((p: { id: string }) => p.id)).not.toContain(id);
  });
});
