import { describe, expect, it } from 'vitest';
import {
  adfBody,
  call,
  createPage,
  declareEmulator,
  paragraphDoc,
  scopedAuth,
  storageBody,
} from '../support/emulator-fixture';

/**
 * The v2 pages API as documented in docs/platform-notes.md#reading-a-page-body,
 * docs/platform-notes.md#updating-a-page, docs/platform-notes.md#creating-a-page,
 * docs/platform-notes.md#page-version-conflicts and the v2 OpenAPI
 * spec (`getPages`, `getPageById`, `createPage`, `updatePage`, `deletePage`,
 * `getChildPages`, `getPageVersions`).
 */
/** A full-replace update (`PUT /pages/{id}`) with status current, as a scoped-token client sends it. */
function updateToCurrent(
  site: Parameters<typeof scopedAuth>[0],
  pageId: string,
  update: { title: string; body: unknown; version: Record<string, unknown> },
) {
  return call(`${site.gatewayUrl}/wiki/api/v2/pages/${pageId}`, {
    method: 'PUT',
    authorization: scopedAuth(site),
    body: { id: pageId, status: 'current', ...update },
  });
}

describe('pages', () => {
  const env = declareEmulator();

  it('creates a page with 200 (not 201) under the space homepage when no parent is given (docs/platform-notes.md#creating-a-page)', async () => {
    const site = await env.dev.seedSite();
    const response = await createPage(site, { title: 'Runbook' });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      title: 'Runbook',
      status: 'current',
      spaceId: site.space.id,
      parentId: site.space.homepageId,
      version: { number: 1 },
    });
    expect(response.json._links.base).toBe(`${site.siteUrl}/wiki`);
  });

  it('returns an empty body unless body-format is given (docs/platform-notes.md#reading-a-page-body)', async () => {
    const site = await env.dev.seedSite();
    const page = await createPage(site, { title: 'Body', body: storageBody('<p>kept <b>as</b> given</p>') });
    const url = `${site.gatewayUrl}/wiki/api/v2/pages/${page.json.id}`;
    const bare = await call(url, { authorization: scopedAuth(site) });
    expect(bare.json.body).toEqual({});
    const withStorage = await call(`${url}?body-format=storage`, { authorization: scopedAuth(site) });
    expect(withStorage.json.body).toEqual({
      storage: { representation: 'storage', value: '<p>kept <b>as</b> given</p>' },
    });
  });

  it('keeps an ADF body as a JSON string and returns it with body-format=atlas_doc_format (docs/platform-notes.md#adf-page-bodies)', async () => {
    const site = await env.dev.seedSite();
    const doc = paragraphDoc('hello ADF');
    const page = await createPage(site, { title: 'ADF', body: adfBody(doc) });
    expect(page.status).toBe(200);
    const read = await call(
      `${site.gatewayUrl}/wiki/api/v2/pages/${page.json.id}?body-format=atlas_doc_format`,
      {
        authorization: scopedAuth(site),
      },
    );
    expect(read.json.body.atlas_doc_format.representation).toBe('atlas_doc_format');
    expect(JSON.parse(read.json.body.atlas_doc_format.value)).toEqual(doc);
  });

  it('refuses an ADF body that does not match the ADF schema with 400', async () => {
    const site = await env.dev.seedSite();
    const invalid = {
      type: 'doc',
      version: 1,
      content: [{ type: 'paragraph', content: [{ type: 'nonsense' }] }],
    };
    const response = await createPage(site, { title: 'Bad ADF', body: adfBody(invalid) });
    expect(response.status).toBe(400);
    expect(response.json.errors[0]).toMatchObject({ status: 400, code: 'INVALID_REQUEST_PARAMETER' });
    const notJson = await createPage(site, {
      title: 'Not JSON',
      body: { representation: 'atlas_doc_format', value: '{oops' },
    });
    expect(notJson.status).toBe(400);
  });

  it('accepts the nested body form {storage: {value, representation}} (docs/platform-notes.md#updating-a-page)', async () => {
    const site = await env.dev.seedSite();
    const response = await createPage(site, {
      title: 'Nested',
      body: { storage: { value: '<p>nested</p>', representation: 'storage' } },
    });
    expect(response.status).toBe(200);
    expect(response.json.body.storage.value).toBe('<p>nested</p>');
  });

  it('refuses a second current page with the same title in a space (docs/platform-notes.md#creating-a-page)', async () => {
    const site = await env.dev.seedSite();
    expect((await createPage(site, { title: 'Twin' })).status).toBe(200);
    const again = await createPage(site, { title: 'Twin' });
    expect(again.status).toBe(400);
  });

  it('updates as a full replace when version.number is current + 1 (docs/platform-notes.md#updating-a-page)', async () => {
    const site = await env.dev.seedSite();
    const page = await createPage(site, { title: 'Replace', body: storageBody('<p>one</p>') });
    const update = await updateToCurrent(site, page.json.id, {
      title: 'Replaced',
      body: storageBody('<p>two</p>'),
      version: { number: 2, message: 'sync' },
    });
    expect(update.status).toBe(200);
    expect(update.json).toMatchObject({
      title: 'Replaced',
      version: { number: 2, message: 'sync', minorEdit: false },
      body: { storage: { value: '<p>two</p>' } },
    });
  });

  // https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-page/#api-pages-id-put:
  // PageUpdateRequest's version is {number, message}; v2 has no minorEdit.
  it('ignores a version.minorEdit that v2 PageUpdateRequest does not have: the update is saved, never as a minor edit', async () => {
    const site = await env.dev.seedSite();
    const page = await createPage(site, { title: 'Quiet', body: storageBody('<p>one</p>') });
    const update = await updateToCurrent(site, page.json.id, {
      title: 'Quiet',
      body: storageBody('<p>two</p>'),
      version: { number: 2, message: 'nightly', minorEdit: true },
    });
    expect(update.status).toBe(200);
    expect(update.json.version).toMatchObject({ number: 2, message: 'nightly', minorEdit: false });
    const versions = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${page.json.id}/versions`, {
      authorization: scopedAuth(site),
    });
    expect(versions.json.results[0]).toMatchObject({ number: 2, minorEdit: false });
  });

  it('answers a stale version with 409 and the documented v2 body naming both versions (docs/platform-notes.md#page-version-conflicts)', async () => {
    const site = await env.dev.seedSite();
    const page = await createPage(site, { title: 'Stale' });
    await env.dev.humanEdit(page.json.id);
    const update = await updateToCurrent(site, page.json.id, {
      title: 'Stale',
      body: storageBody('<p>x</p>'),
      version: { number: 2 },
    });
    expect(update.status).toBe(409);
    expect(update.json).toEqual({
      errors: [
        {
          status: 409,
          code: 'CONFLICT',
          title:
            'Version must be incremented when updating a page. Current Version: [2]. Provided version: [2]',
          detail: null,
        },
      ],
    });
  });

  it('refuses an update without the required fields (id, status, title, body, version) with 400', async () => {
    const site = await env.dev.seedSite();
    const page = await createPage(site, { title: 'Required' });
    const url = `${site.gatewayUrl}/wiki/api/v2/pages/${page.json.id}`;
    const base = {
      id: page.json.id,
      status: 'current',
      title: 'Required',
      body: storageBody('<p/>'),
      version: { number: 2 },
    };
    for (const field of ['id', 'status', 'title', 'body', 'version'] as const) {
      const { [field]: _omitted, ...rest } = base;
      const response = await call(url, { method: 'PUT', authorization: scopedAuth(site), body: rest });
      expect(response.status, `without ${field}`).toBe(400);
    }
  });

  it('moves a deleted page to the trash, hides it from default reads and finds it with status=trashed (deletePage)', async () => {
    const site = await env.dev.seedSite();
    const parent = await createPage(site, { title: 'Parent' });
    const child = await createPage(site, { title: 'Child', parentId: parent.json.id });
    const token = await env.dev.createApiToken({
      email: site.admin.email,
      scopes: ['delete:page:confluence', 'read:page:confluence'],
    });
    const auth = `Basic ${Buffer.from(`${site.admin.email}:${token.token}`).toString('base64')}`;
    const url = `${site.gatewayUrl}/wiki/api/v2/pages/${parent.json.id}`;
    expect((await call(url, { method: 'DELETE', authorization: auth })).status).toBe(204);
    expect((await call(url, { authorization: auth })).status).toBe(404);
    const trashed = await call(`${url}?status=trashed`, { authorization: auth });
    expect(trashed.json.status).toBe('trashed');
    const snapshot = (await env.dev.pages(site.cloudId)).find((page) => page.id === child.json.id);
    expect(snapshot?.parentId).toBe(site.space.homepageId);
  });

  it('purges only a trashed page and only for a space admin', async () => {
    const site = await env.dev.seedSite();
    const page = await createPage(site, { title: 'Purge me' });
    const url = `${site.gatewayUrl}/wiki/api/v2/pages/${page.json.id}`;
    expect(
      (await call(`${url}?purge=true`, { method: 'DELETE', authorization: scopedAuth(site) })).status,
    ).toBe(400);
    expect((await call(url, { method: 'DELETE', authorization: scopedAuth(site) })).status).toBe(204);
    expect(
      (await call(`${url}?purge=true`, { method: 'DELETE', authorization: scopedAuth(site) })).status,
    ).toBe(204);
    expect((await env.dev.pages(site.cloudId)).some((snapshot) => snapshot.id === page.json.id)).toBe(false);
  });

  it('restores a trashed page when it is updated with status current', async () => {
    const site = await env.dev.seedSite();
    const page = await createPage(site, { title: 'Restore' });
    const url = `${site.gatewayUrl}/wiki/api/v2/pages/${page.json.id}`;
    await call(url, { method: 'DELETE', authorization: scopedAuth(site) });
    const restored = await updateToCurrent(site, page.json.id, {
      title: 'Restore',
      body: storageBody('<p/>'),
      version: { number: 2 },
    });
    expect(restored.status).toBe(200);
    expect(restored.json.status).toBe('current');
  });

  it('lists pages filtered by space-id, title and status (getPages)', async () => {
    const site = await env.dev.seedSite();
    await createPage(site, { title: 'Alpha' });
    const beta = await createPage(site, { title: 'Beta' });
    await call(`${site.gatewayUrl}/wiki/api/v2/pages/${beta.json.id}`, {
      method: 'DELETE',
      authorization: scopedAuth(site),
    });
    const base = `${site.gatewayUrl}/wiki/api/v2/pages?space-id=${site.space.id}`;
    const titled = await call(`${base}&title=Alpha`, { authorization: scopedAuth(site) });
    expect(titled.json.results.map((page: { title: string }) => page.title)).toEqual(['Alpha']);
    const current = await call(base, { authorization: scopedAuth(site) });
    expect(current.json.results.map((page: { title: string }) => page.title)).toEqual([
      'Documentation Home',
      'Alpha',
    ]);
    const trashed = await call(`${base}&status=trashed`, { authorization: scopedAuth(site) });
    expect(trashed.json.results.map((page: { title: string }) => page.title)).toEqual(['Beta']);
  });

  it('lists root pages of a space with depth=root (getPagesInSpace)', async () => {
    const site = await env.dev.seedSite();
    await createPage(site, { title: 'Under home' });
    const root = await call(`${site.gatewayUrl}/wiki/api/v2/spaces/${site.space.id}/pages?depth=root`, {
      authorization: scopedAuth(site),
    });
    expect(root.json.results.map((page: { id: string }) => page.id)).toEqual([site.space.homepageId]);
  });

  it('lists a page’s children and its version history, newest first (getChildPages, getPageVersions)', async () => {
    const site = await env.dev.seedSite();
    const parent = await createPage(site, { title: 'Family' });
    await createPage(site, { title: 'Kid one', parentId: parent.json.id });
    await createPage(site, { title: 'Kid two', parentId: parent.json.id });
    const children = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${parent.json.id}/children`, {
      authorization: scopedAuth(site),
    });
    expect(children.json.results.map((child: { title: string }) => child.title)).toEqual([
      'Kid one',
      'Kid two',
    ]);
    await env.dev.humanEdit(parent.json.id, { message: 'tweak' });
    const versions = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${parent.json.id}/versions`, {
      authorization: scopedAuth(site),
    });
    expect(versions.json.results.map((version: { number: number }) => version.number)).toEqual([2, 1]);
    expect(versions.json.results[0]).toMatchObject({ message: 'tweak', page: { id: parent.json.id } });
    const old = await call(
      `${site.gatewayUrl}/wiki/api/v2/pages/${parent.json.id}?version=1&body-format=storage`,
      {
        authorization: scopedAuth(site),
      },
    );
    expect(old.json.version.number).toBe(1);
    expect(old.json.body.storage.value).toBe('<p>Family</p>');
  });

  it('has a human edit bump the version with new content in the page’s own representation', async () => {
    const site = await env.dev.seedSite();
    const page = await createPage(site, { title: 'Edited', body: adfBody(paragraphDoc('mine')) });
    const snapshot = await env.dev.humanEdit(page.json.id, { accountId: site.member.accountId });
    expect(snapshot.version).toMatchObject({ number: 2, authorId: site.member.accountId });
    expect(snapshot.body?.representation).toBe('atlas_doc_format');
    const document = JSON.parse(snapshot.body!.value);
    expect(document.content).toHaveLength(2);
    expect(document.content[0]).toEqual(paragraphDoc('mine').content[0]);
  });

  it('refuses a body-format that is not a representation with 400', async () => {
    const site = await env.dev.seedSite();
    const response = await call(`${site.gatewayUrl}/wiki/api/v2/pages?body-format=html`, {
      authorization: scopedAuth(site),
    });
    expect(response.status).toBe(400);
  });

  it('answers 404 in the v2 error shape for a page that does not exist', async () => {
    const site = await env.dev.seedSite();
    const response = await call(`${site.gatewayUrl}/wiki/api/v2/pages/999999999`, {
      authorization: scopedAuth(site),
    });
    expect(response.status).toBe(404);
    expect(response.json.errors[0]).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('refuses a body that is not JSON with 400, and a non-JSON media type with 415', async () => {
    const site = await env.dev.seedSite();
    const url = `${site.gatewayUrl}/wiki/api/v2/pages`;
    const malformed = await fetch(url, {
      method: 'POST',
      headers: { authorization: scopedAuth(site), 'content-type': 'application/json' },
      body: '{"spaceId":',
    });
    expect(malformed.status).toBe(400);
    const wrongType = await fetch(url, {
      method: 'POST',
      headers: { authorization: scopedAuth(site), 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(wrongType.status).toBe(415);
  });
});
