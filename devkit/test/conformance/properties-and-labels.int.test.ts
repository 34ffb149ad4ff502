import { describe, expect, it } from 'vitest';
import { GONE_MESSAGE, removedV1Endpoints } from '../../src/emulator/confluence/removed-v1-endpoints';
import { call, createPage, declareEmulator, scopedAuth } from '../support/emulator-fixture';

/**
 * Page content properties (docs/platform-notes.md#content-properties: JSON ≤ 32 KB, versioned,
 * found by key then addressed by id, never bumping the page version) and labels
 * through the v1 path production uses for writes (docs/platform-notes.md#confluence-v1-leftovers: the v2 label API is
 * read-only).
 */
describe('content properties', () => {
  const env = declareEmulator();

  async function pageWithProperty(value: unknown = { hash: 'abc' }) {
    const site = await env.dev.seedSite();
    const page = await createPage(site, { title: 'With property' });
    const created = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${page.json.id}/properties`, {
      method: 'POST',
      authorization: scopedAuth(site),
      body: { key: 'com.example.pagewire.sync', value },
    });
    return { site, page: page.json, created };
  }

  it('creates a property with version 1 and finds it by key (createPageProperty, getPageContentProperties)', async () => {
    const { site, page, created } = await pageWithProperty();
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      key: 'com.example.pagewire.sync',
      value: { hash: 'abc' },
      version: { number: 1 },
    });
    const byKey = await call(
      `${site.gatewayUrl}/wiki/api/v2/pages/${page.id}/properties?key=com.example.pagewire.sync`,
      { authorization: scopedAuth(site) },
    );
    expect(byKey.json.results).toEqual([created.json]);
  });

  it('updates a property only with version current + 1 and never bumps the page version', async () => {
    const { site, page, created } = await pageWithProperty();
    const url = `${site.gatewayUrl}/wiki/api/v2/pages/${page.id}/properties/${created.json.id}`;
    const stale = await call(url, {
      method: 'PUT',
      authorization: scopedAuth(site),
      body: { key: created.json.key, value: 'x', version: { number: 1 } },
    });
    expect(stale.status).toBe(409);
    expect(stale.json.errors[0].code).toBe('CONFLICT');
    const fresh = await call(url, {
      method: 'PUT',
      authorization: scopedAuth(site),
      body: { key: created.json.key, value: { hash: 'def' }, version: { number: 2 } },
    });
    expect(fresh.status).toBe(200);
    expect(fresh.json).toMatchObject({ value: { hash: 'def' }, version: { number: 2 } });
    const pageNow = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${page.id}`, {
      authorization: scopedAuth(site),
    });
    expect(pageNow.json.version.number).toBe(1);
  });

  it('refuses a value above 32 KB and accepts one just under it', async () => {
    const site = await env.dev.seedSite();
    const page = await createPage(site, { title: 'Big' });
    const url = `${site.gatewayUrl}/wiki/api/v2/pages/${page.json.id}/properties`;
    const tooBig = await call(url, {
      method: 'POST',
      authorization: scopedAuth(site),
      body: { key: 'big', value: 'x'.repeat(32 * 1024) },
    });
    expect(tooBig.status).toBe(400);
    const fits = await call(url, {
      method: 'POST',
      authorization: scopedAuth(site),
      body: { key: 'fits', value: 'x'.repeat(32 * 1024 - 2) },
    });
    expect(fits.status).toBe(200);
  });

  it('refuses a second property with the same key on a page', async () => {
    const { site, page } = await pageWithProperty();
    const again = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${page.id}/properties`, {
      method: 'POST',
      authorization: scopedAuth(site),
      body: { key: 'com.example.pagewire.sync', value: 2 },
    });
    expect(again.status).toBe(409);
  });

  it('deletes a property with 204 and then answers 404 for it', async () => {
    const { site, page, created } = await pageWithProperty();
    const url = `${site.gatewayUrl}/wiki/api/v2/pages/${page.id}/properties/${created.json.id}`;
    expect((await call(url, { method: 'DELETE', authorization: scopedAuth(site) })).status).toBe(204);
    expect((await call(url, { authorization: scopedAuth(site) })).status).toBe(404);
  });

  it('adds labels through v1, reads them through v2, and removes them by path and by query', async () => {
    const site = await env.dev.seedSite();
    const page = await createPage(site, { title: 'Tagged' });
    const v1 = `${site.gatewayUrl}/wiki/rest/api/content/${page.json.id}/label`;
    const added = await call(v1, {
      method: 'POST',
      authorization: scopedAuth(site),
      body: [
        { prefix: 'global', name: 'Runbook' },
        { prefix: 'global', name: 'ops' },
      ],
    });
    expect(added.status).toBe(200);
    expect(added.json.results.map((label: { name: string }) => label.name)).toEqual(['runbook', 'ops']);
    const v2 = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${page.json.id}/labels`, {
      authorization: scopedAuth(site),
    });
    expect(v2.json.results.map((label: { name: string }) => label.name)).toEqual(['runbook', 'ops']);
    expect((await call(`${v1}/runbook`, { method: 'DELETE', authorization: scopedAuth(site) })).status).toBe(
      204,
    );
    expect((await call(`${v1}?name=ops`, { method: 'DELETE', authorization: scopedAuth(site) })).status).toBe(
      204,
    );
    const left = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${page.json.id}/labels`, {
      authorization: scopedAuth(site),
    });
    expect(left.json).toMatchObject({ results: [] });
  });

  it('lists the site labels through v2 getLabels with read:label:confluence', async () => {
    const site = await env.dev.seedSite();
    const page = await createPage(site, { title: 'Tagged' });
    await call(`${site.gatewayUrl}/wiki/rest/api/content/${page.json.id}/label`, {
      method: 'POST',
      authorization: scopedAuth(site),
      body: [{ prefix: 'global', name: 'ops' }],
    });
    const listed = await call(`${site.gatewayUrl}/wiki/api/v2/labels?limit=1`, {
      authorization: scopedAuth(site),
    });
    expect(listed.status).toBe(200);
    expect(listed.json.results).toEqual([{ id: expect.any(String), name: 'ops', prefix: 'global' }]);
  });

  it('refuses a label with spaces in the v1 error shape', async () => {
    const site = await env.dev.seedSite();
    const page = await createPage(site, { title: 'Bad label' });
    const response = await call(`${site.gatewayUrl}/wiki/rest/api/content/${page.json.id}/label`, {
      method: 'POST',
      authorization: scopedAuth(site),
      body: { prefix: 'global', name: 'two words' },
    });
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ statusCode: 400 });
  });
});

/**
 * Every v1 operation Atlassian removed because v2 covers it answers 410 Gone,
 * as production does (CHANGE-864,
 * https://community.developer.atlassian.com/t/deprecating-many-confluence-v1-apis-that-have-v2-equivalents/66883;
 * confluence.js MIGRATION.md), so a dead endpoint cannot pass a test again.
 */
describe('removed v1 operations', () => {
  const env = declareEmulator();

  it('answers each removed v1 operation 410 Gone in the v1 error shape, and keeps the v1 label write', async () => {
    const site = await env.dev.seedSite();
    const page = await createPage(site, { title: 'Still here' });
    for (const [operationId, method, path] of removedV1Endpoints) {
      const concrete = path.replace(/:[A-Za-z]+/g, (param) =>
        param === ':spaceKey' ? site.space.key : page.json.id,
      );
      const response = await call(`${site.gatewayUrl}${concrete}`, {
        method,
        authorization: scopedAuth(site),
        ...(method === 'POST' || method === 'PUT' ? { body: {} } : {}),
      });
      expect({ operationId, status: response.status }).toEqual({ operationId, status: 410 });
      expect(response.json).toMatchObject({ statusCode: 410, message: GONE_MESSAGE });
    }
    const write = await call(`${site.gatewayUrl}/wiki/rest/api/content/${page.json.id}/label`, {
      method: 'POST',
      authorization: scopedAuth(site),
      body: [{ prefix: 'global', name: 'kept' }],
    });
    expect(write.status).toBe(200);
  });
});
