import type { SeededSite } from '@pagewire/devkit';
import { LabelArraySchema } from 'confluence.js/v1';
import {
  BlogPostSchema,
  BlogpostContentPropertiesSchema,
  ContentPropertySchema,
  LabelsSchema,
  PageContentPropertiesSchema,
  PageLabelsSchema,
  PageSchema,
  PagesInSpaceSchema,
  PagesSchema,
  PermittedOperationsSchema,
  SpacesSchema,
} from 'confluence.js/v2';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import {
  adfBody,
  bearer,
  call,
  declareEmulator,
  paragraphDoc,
  scopedAuth,
} from '../support/emulator-fixture';

/**
 * Every Confluence response the devkit produces for a call Pagewire makes,
 * parsed with the zod response schema the unmodified `confluence.js` 3.2 client
 * attaches to that operation (`dist/v2/api/*.js` → `schema:`). confluence.js
 * generates those schemas from Atlassian's v2 OpenAPI spec
 * (https://developer.atlassian.com/cloud/confluence/rest/v2/), so a body the
 * devkit invents where the spec says otherwise fails here.
 *
 * The calls, and who makes them:
 * - backend `confluence/api/spaces.ts`: getSpaces (`keys=`), getSpaceOperations;
 *   `credentials/token-health.ts` probes getSpaces and getPages with `limit=1`;
 * - backend `confluence/api/pages.ts`: createPage, getPageById (ADF body),
 *   updatePage, getPages (by space and title);
 * - backend `confluence/api/content-properties.ts` for pages and blog posts:
 *   getPage/BlogpostContentProperties (`key=`), createPage/BlogpostProperty,
 *   getPageContentPropertiesById, updatePage/BlogpostPropertyById,
 *   deletePagePropertyById (204, no body);
 * - backend `confluence/api/labels.ts`: v1 addLabelsToContent (the v2 label API
 *   is read-only) and v2 getPageLabels; `credentials/token-health.ts` probes
 *   label reads with v2 getLabels (the v1 read Atlassian removed answers 410);
 * - forge-app `platform/forge-platform.ts`: getSpaceOperations as the user,
 *   and the adfExport's getPage/BlogpostContentProperties (`key=`);
 * - blog posts (createBlogPost, getBlogPostById, updateBlogPost), which the
 *   conformance suite drives to place macros on them.
 * Not here: `/_edge/tenant_info`, which is no REST API operation and has no
 * schema in the spec; error answers, which confluence.js reads as errors, not
 * through a response schema; and the token-health write probes, which only
 * ever get errors.
 */
interface Fixture {
  site: SeededSite;
  appAuth: string;
  userAuth: string;
  pageId: string;
  pagePropertyId: string;
  blogPostId: string;
  blogPropertyId: string;
}

interface CallCase {
  readonly name: string;
  readonly schema: ZodType;
  readonly status?: number;
  request(f: Fixture): { path: string; method?: string; body?: unknown; authorization?: string };
}

const KEY = 'pagewire.snapshot.m1';

const CALLS: readonly CallCase[] = [
  {
    name: 'getSpaces (keys=)',
    schema: SpacesSchema,
    request: (f) => ({ path: `/wiki/api/v2/spaces?keys=${f.site.space.key}&limit=250` }),
  },
  {
    name: 'getSpaces (token health, limit=1)',
    schema: SpacesSchema,
    request: () => ({ path: '/wiki/api/v2/spaces?limit=1' }),
  },
  {
    name: 'getSpaceOperations (app token)',
    schema: PermittedOperationsSchema,
    request: (f) => ({ path: `/wiki/api/v2/spaces/${f.site.space.id}/operations` }),
  },
  {
    name: 'getSpaceOperations (forge-app asUser)',
    schema: PermittedOperationsSchema,
    request: (f) => ({
      path: `/wiki/api/v2/spaces/${f.site.space.id}/operations`,
      authorization: f.userAuth,
    }),
  },
  {
    name: 'createPage',
    schema: PageSchema,
    request: (f) => ({
      path: '/wiki/api/v2/pages',
      method: 'POST',
      body: {
        spaceId: f.site.space.id,
        status: 'current',
        title: 'Created',
        body: adfBody(paragraphDoc('x')),
      },
    }),
  },
  {
    name: 'getPageById (body-format=atlas_doc_format)',
    schema: PageSchema,
    request: (f) => ({ path: `/wiki/api/v2/pages/${f.pageId}?body-format=atlas_doc_format` }),
  },
  {
    name: 'getPageById (no body)',
    schema: PageSchema,
    request: (f) => ({ path: `/wiki/api/v2/pages/${f.pageId}` }),
  },
  {
    name: 'updatePage',
    schema: PageSchema,
    request: (f) => ({
      path: `/wiki/api/v2/pages/${f.pageId}`,
      method: 'PUT',
      body: {
        id: f.pageId,
        status: 'current',
        title: 'Fixture page',
        body: adfBody(paragraphDoc('v2')),
        version: { number: 2, message: 'Pagewire' },
      },
    }),
  },
  {
    name: 'getPages (space-id, title, body-format)',
    schema: PagesSchema,
    request: (f) => ({
      path: `/wiki/api/v2/pages?space-id=${f.site.space.id}&title=Fixture+page&status=current&body-format=atlas_doc_format&limit=25`,
    }),
  },
  {
    name: 'getPages (token health, limit=1)',
    schema: PagesSchema,
    request: () => ({ path: '/wiki/api/v2/pages?limit=1' }),
  },
  {
    name: 'getPagesInSpace',
    schema: PagesInSpaceSchema,
    request: (f) => ({ path: `/wiki/api/v2/spaces/${f.site.space.id}/pages?limit=25` }),
  },
  {
    name: 'getPageContentProperties (key=)',
    schema: PageContentPropertiesSchema,
    request: (f) => ({ path: `/wiki/api/v2/pages/${f.pageId}/properties?key=${KEY}&limit=1` }),
  },
  {
    name: 'createPageProperty',
    schema: ContentPropertySchema,
    request: (f) => ({
      path: `/wiki/api/v2/pages/${f.pageId}/properties`,
      method: 'POST',
      body: { key: 'pagewire.page', value: { externalId: 'runbook' } },
    }),
  },
  {
    name: 'getPageContentPropertiesById',
    schema: ContentPropertySchema,
    request: (f) => ({ path: `/wiki/api/v2/pages/${f.pageId}/properties/${f.pagePropertyId}` }),
  },
  {
    name: 'updatePagePropertyById',
    schema: ContentPropertySchema,
    request: (f) => ({
      path: `/wiki/api/v2/pages/${f.pageId}/properties/${f.pagePropertyId}`,
      method: 'PUT',
      body: { key: KEY, value: { revision: 2 }, version: { number: 2 } },
    }),
  },
  {
    name: 'createBlogPost',
    schema: BlogPostSchema,
    request: (f) => ({
      path: '/wiki/api/v2/blogposts',
      method: 'POST',
      body: {
        spaceId: f.site.space.id,
        status: 'current',
        title: 'Another post',
        body: adfBody(paragraphDoc('b')),
      },
    }),
  },
  {
    name: 'getBlogPostById (body-format=atlas_doc_format)',
    schema: BlogPostSchema,
    request: (f) => ({ path: `/wiki/api/v2/blogposts/${f.blogPostId}?body-format=atlas_doc_format` }),
  },
  {
    name: 'updateBlogPost',
    schema: BlogPostSchema,
    request: (f) => ({
      path: `/wiki/api/v2/blogposts/${f.blogPostId}`,
      method: 'PUT',
      body: {
        id: f.blogPostId,
        status: 'current',
        title: 'Fixture post',
        body: adfBody(paragraphDoc('v2')),
        version: { number: 2 },
      },
    }),
  },
  {
    name: 'getBlogpostContentProperties (key=, also the adfExport read)',
    schema: BlogpostContentPropertiesSchema,
    request: (f) => ({ path: `/wiki/api/v2/blogposts/${f.blogPostId}/properties?key=${KEY}` }),
  },
  {
    name: 'createBlogpostProperty',
    schema: ContentPropertySchema,
    request: (f) => ({
      path: `/wiki/api/v2/blogposts/${f.blogPostId}/properties`,
      method: 'POST',
      body: { key: 'pagewire.snapshot.m2', value: { revision: 1 } },
    }),
  },
  {
    name: 'updateBlogpostPropertyById',
    schema: ContentPropertySchema,
    request: (f) => ({
      path: `/wiki/api/v2/blogposts/${f.blogPostId}/properties/${f.blogPropertyId}`,
      method: 'PUT',
      body: { key: KEY, value: { revision: 2 }, version: { number: 2 } },
    }),
  },
  {
    name: 'addLabelsToContent (v1)',
    schema: LabelArraySchema,
    request: (f) => ({
      path: `/wiki/rest/api/content/${f.pageId}/label`,
      method: 'POST',
      body: [{ prefix: 'global', name: 'pagewire' }],
      authorization: scopedAuth(f.site),
    }),
  },
  {
    name: 'getPageLabels',
    schema: PageLabelsSchema,
    request: (f) => ({
      path: `/wiki/api/v2/pages/${f.pageId}/labels?limit=250`,
      authorization: scopedAuth(f.site),
    }),
  },
  {
    name: 'getLabels (token health probe)',
    schema: LabelsSchema,
    request: (f) => ({ path: '/wiki/api/v2/labels?limit=1', authorization: scopedAuth(f.site) }),
  },
];

describe('devkit responses against the confluence.js response schemas', () => {
  const env = declareEmulator();
  let fixture: Fixture;

  async function send(f: Fixture, request: ReturnType<CallCase['request']>) {
    return call(`${f.site.gatewayUrl}${request.path}`, {
      method: request.method ?? 'GET',
      authorization: request.authorization ?? f.appAuth,
      ...(request.body !== undefined ? { body: request.body } : {}),
    });
  }

  beforeAll(async () => {
    const site = await env.dev.seedSite({
      tokenScopes: [
        'read:space:confluence',
        'read:page:confluence',
        'write:page:confluence',
        'read:label:confluence',
        'write:label:confluence',
      ],
    });
    const app = await env.dev.mintAppToken({ installationId: site.installationId });
    const user = await env.dev.mintAppToken({
      installationId: site.installationId,
      accountId: site.admin.accountId,
    });
    const partial = { site, appAuth: bearer(app.token), userAuth: bearer(user.token) } as Fixture;
    const page = await send(partial, {
      path: '/wiki/api/v2/pages',
      method: 'POST',
      body: {
        spaceId: site.space.id,
        status: 'current',
        title: 'Fixture page',
        body: adfBody(paragraphDoc('v1')),
      },
    });
    const pageProperty = await send(partial, {
      path: `/wiki/api/v2/pages/${page.json.id}/properties`,
      method: 'POST',
      body: { key: KEY, value: { revision: 1 } },
    });
    const post = await send(partial, {
      path: '/wiki/api/v2/blogposts',
      method: 'POST',
      body: {
        spaceId: site.space.id,
        status: 'current',
        title: 'Fixture post',
        body: adfBody(paragraphDoc('v1')),
      },
    });
    const blogProperty = await send(partial, {
      path: `/wiki/api/v2/blogposts/${post.json.id}/properties`,
      method: 'POST',
      body: { key: KEY, value: { revision: 1 } },
    });
    fixture = {
      ...partial,
      pageId: page.json.id,
      pagePropertyId: pageProperty.json.id,
      blogPostId: post.json.id,
      blogPropertyId: blogProperty.json.id,
    };
  });

  // Sequential on purpose: the updates move the fixture's versions from 1 to 2.
  it.each(CALLS)('$name answers a body the confluence.js schema accepts', async (callCase) => {
    const response = await send(fixture, callCase.request(fixture));
    expect(response.status, response.text).toBe(callCase.status ?? 200);
    const parsed = callCase.schema.safeParse(response.json);
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues, null, 2)).toBe(true);
  });

  it('deletePagePropertyById answers 204 with no body, as the spec declares', async () => {
    const created = await send(fixture, {
      path: `/wiki/api/v2/pages/${fixture.pageId}/properties`,
      method: 'POST',
      body: { key: 'pagewire.gone', value: 1 },
    });
    const deleted = await send(fixture, {
      path: `/wiki/api/v2/pages/${fixture.pageId}/properties/${created.json.id}`,
      method: 'DELETE',
    });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
  });
});
