import { describe, expect, it } from 'vitest';
import { call, createPage, declareEmulator, scopedAuth } from '../support/emulator-fixture';

/**
 * Cursor pagination as docs/platform-notes.md#cursor-pagination documents it: `limit` 1–250,
 * the next page in both the `Link` header and `_links.next`, both relative to
 * the site (so a gateway client prefixes its own base URL), an opaque cursor,
 * and 400 "Expected type is Cursor" for a damaged one (pipedream #15776).
 */
describe('cursor pagination', () => {
  const env = declareEmulator();

  async function siteWithPages(count: number) {
    const site = await env.dev.seedSite();
    for (let index = 0; index < count; index++) await createPage(site, { title: `Page ${index}` });
    return site;
  }

  it('walks every page by following _links.next from the gateway base URL, not from _links.base', async () => {
    const site = await siteWithPages(6);
    const seen: string[] = [];
    let next: string | undefined = `/wiki/api/v2/pages?space-id=${site.space.id}&limit=2`;
    let calls = 0;
    while (next) {
      const response = await call(`${site.gatewayUrl}${next}`, { authorization: scopedAuth(site) });
      expect(response.status).toBe(200);
      expect(response.json._links.base).toBe(`${site.siteUrl}/wiki`);
      seen.push(...response.json.results.map((page: { title: string }) => page.title));
      next = response.json._links.next;
      calls++;
    }
    expect(calls).toBe(4);
    expect(seen).toEqual(['Documentation Home', 'Page 0', 'Page 1', 'Page 2', 'Page 3', 'Page 4', 'Page 5']);
  });

  it('announces the next page in the Link header with rel="next" and rel="base", matching _links.next', async () => {
    const site = await siteWithPages(2);
    const response = await call(`${site.gatewayUrl}/wiki/api/v2/pages?limit=1`, {
      authorization: scopedAuth(site),
    });
    const link = response.headers.get('link') ?? '';
    expect(link).toBe(`<${response.json._links.next}>; rel="next", <${site.siteUrl}/wiki>; rel="base"`);
    expect(response.json._links.next).toMatch(/^\/wiki\/api\/v2\/pages\?limit=1&cursor=/);
  });

  it('leaves out _links.next and rel="next" on the last page', async () => {
    const site = await siteWithPages(1);
    const response = await call(`${site.gatewayUrl}/wiki/api/v2/pages?limit=25`, {
      authorization: scopedAuth(site),
    });
    expect(response.json._links.next).toBeUndefined();
    expect(response.headers.get('link')).not.toContain('rel="next"');
  });

  it('returns 25 results by default, silently truncating longer lists (confluence.js #145)', async () => {
    const site = await siteWithPages(26);
    const response = await call(`${site.gatewayUrl}/wiki/api/v2/pages`, { authorization: scopedAuth(site) });
    expect(response.json.results).toHaveLength(25);
    expect(response.json._links.next).toBeDefined();
  });

  it('refuses limit above 250 and below 1 with 400', async () => {
    const site = await env.dev.seedSite();
    for (const limit of ['251', '0', 'ten']) {
      const response = await call(`${site.gatewayUrl}/wiki/api/v2/pages?limit=${limit}`, {
        authorization: scopedAuth(site),
      });
      expect(response.status, `limit=${limit}`).toBe(400);
      expect(response.json.errors[0].code).toBe('INVALID_REQUEST_PARAMETER');
    }
    const max = await call(`${site.gatewayUrl}/wiki/api/v2/spaces?limit=250`, {
      authorization: scopedAuth(site),
    });
    expect(max.status).toBe(200);
  });

  it('refuses a damaged cursor with 400 "Expected type is Cursor"', async () => {
    const site = await env.dev.seedSite();
    const response = await call(`${site.gatewayUrl}/wiki/api/v2/pages?cursor=not-a-cursor`, {
      authorization: scopedAuth(site),
    });
    expect(response.status).toBe(400);
    expect(response.json.errors[0]).toMatchObject({
      code: 'INVALID_REQUEST_PARAMETER',
      title: 'Expected type is Cursor',
    });
  });

  it('paginates spaces and content properties the same way', async () => {
    const site = await env.dev.seedSite();
    await env.dev.createSpace({
      cloudId: site.cloudId,
      key: 'OPS',
      name: 'Ops',
      admins: [site.admin.accountId],
    });
    const spaces = await call(`${site.gatewayUrl}/wiki/api/v2/spaces?limit=1`, {
      authorization: scopedAuth(site),
    });
    expect(spaces.json.results).toHaveLength(1);
    const second = await call(`${site.gatewayUrl}${spaces.json._links.next}`, {
      authorization: scopedAuth(site),
    });
    expect(second.json.results[0].key).toBe('OPS');
    const page = await createPage(site, { title: 'Props' });
    for (const key of ['a', 'b', 'c']) {
      await call(`${site.gatewayUrl}/wiki/api/v2/pages/${page.json.id}/properties`, {
        method: 'POST',
        authorization: scopedAuth(site),
        body: { key, value: key },
      });
    }
    const properties = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${page.json.id}/properties?limit=2`, {
      authorization: scopedAuth(site),
    });
    expect(properties.json.results.map((property: { key: string }) => property.key)).toEqual(['a', 'b']);
    expect(properties.headers.get('link')).toContain('rel="next"');
  });
});
