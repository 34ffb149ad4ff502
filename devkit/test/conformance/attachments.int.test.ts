import { describe, expect, it } from 'vitest';
import { call, classicAuth, createPage, declareEmulator, scopedAuth } from '../support/emulator-fixture';

/**
 * Page attachments (docs/platform-notes.md#page-attachments): uploaded only
 * through v1 multipart with `X-Atlassian-Token: no-check`, listed through v2;
 * each new version of a file gets a new `fileId`.
 */
interface UploadAnswer {
  results: {
    id: string;
    title: string;
    version: { number: number };
    extensions: { mediaType: string; fileSize: number; fileId: string };
  }[];
  message?: string;
}

describe('page attachments', () => {
  const env = declareEmulator();
  const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

  function upload(
    url: string,
    authorization: string,
    options: { method?: 'PUT' | 'POST'; name?: string; bytes?: Buffer; xsrf?: boolean } = {},
  ) {
    const form = new FormData();
    form.append('file', new Blob([options.bytes ?? PNG], { type: 'image/png' }), options.name ?? 'arch.png');
    form.append('minorEdit', 'true');
    const headers: Record<string, string> = { authorization, accept: 'application/json' };
    if (options.xsrf !== false) headers['x-atlassian-token'] = 'no-check';
    return fetch(url, { method: options.method ?? 'PUT', headers, body: form }).then(async (response) => ({
      status: response.status,
      json: (await response.json()) as UploadAnswer,
    }));
  }

  async function pageOnSite(scopes?: string[]) {
    const site = await env.dev.seedSite(scopes === undefined ? {} : { tokenScopes: scopes });
    const page = await createPage(site, { title: 'With images' });
    const url = `${site.gatewayUrl}/wiki/rest/api/content/${page.json.id}/child/attachment`;
    return { site, pageId: page.json.id as string, url };
  }

  it('creates an attachment, then a new version with a new file id on the next PUT', async () => {
    const { site, pageId, url } = await pageOnSite();
    const first = await upload(url, scopedAuth(site));
    expect(first.status).toBe(200);
    const created = first.json.results[0]!;
    expect(created).toMatchObject({
      type: 'attachment',
      title: 'arch.png',
      version: { number: 1 },
      extensions: { mediaType: 'image/png', fileSize: PNG.length },
    });
    expect(created.id).toMatch(/^att\d+$/);
    expect(created.extensions.fileId).toMatch(/^[0-9a-f-]{36}$/);

    const second = await upload(url, scopedAuth(site), { bytes: Buffer.concat([PNG, Buffer.from([1])]) });
    const updated = second.json.results[0]!;
    expect(updated.id).toBe(created.id);
    expect(updated.version.number).toBe(2);
    expect(updated.extensions.fileId).not.toBe(created.extensions.fileId);

    const listed = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${pageId}/attachments`, {
      authorization: scopedAuth(site),
    });
    expect(listed.status).toBe(200);
    expect((listed.json as { results: unknown[] }).results).toEqual([
      expect.objectContaining({
        id: created.id,
        title: 'arch.png',
        pageId,
        mediaType: 'image/png',
        fileSize: PNG.length + 1,
        fileId: updated.extensions.fileId,
        version: expect.objectContaining({ number: 2 }),
      }),
    ]);
  });

  it('refuses a POST of a file name the page already has, and an upload without the XSRF header', async () => {
    const { site, url } = await pageOnSite();
    expect((await upload(url, scopedAuth(site), { method: 'POST' })).status).toBe(200);
    const again = await upload(url, scopedAuth(site), { method: 'POST' });
    expect(again.status).toBe(400);
    expect(again.json.message).toContain('same file name');
    const noXsrf = await upload(url, scopedAuth(site), { name: 'other.png', xsrf: false });
    expect(noXsrf.status).toBe(403);
    expect(noXsrf.json.message).toBe('XSRF check failed');
  });

  it('answers 401 "scope does not match" to a token without an attachment write scope', async () => {
    const { site, url } = await pageOnSite(['read:page:confluence', 'write:page:confluence']);
    const refused = await upload(url, scopedAuth(site));
    expect(refused.status).toBe(401);
    expect(JSON.stringify(refused.json)).toContain('scope does not match');
  });

  it('takes an upload from a classic token on the site URL and answers 404 for a page that does not exist', async () => {
    const { site, pageId, url } = await pageOnSite();
    const onSite = `${site.siteUrl}/wiki/rest/api/content/${pageId}/child/attachment`;
    expect((await upload(onSite, classicAuth(site))).status).toBe(200);
    const missing = await upload(url.replace(/content\/\d+/, 'content/999999'), scopedAuth(site));
    expect(missing.status).toBe(404);
  });
});
