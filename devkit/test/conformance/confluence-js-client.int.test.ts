import { createV1Client, createV2Client, isApiError, isNotFoundError, isScopeError } from 'confluence.js';
import { describe, expect, it } from 'vitest';
import { declareEmulator } from '../support/emulator-fixture';

/**
 * The unmodified `confluence.js` 3.2 client from npm, pointed at the gateway
 * with a scoped token exactly as docs/platform-notes.md#confluencejs-against-the-gateway describes for
 * production (`host: https://api.atlassian.com/ex/confluence/<cloudId>` +
 * basic auth). It validates every response with its zod schemas, so these
 * tests also prove the emulator's bodies match Atlassian's spec.
 */
describe('confluence.js against the emulator', () => {
  const env = declareEmulator();

  async function client(scopes?: string[]) {
    const site = await env.dev.seedSite(scopes ? { tokenScopes: scopes } : {});
    const confluence = createV2Client({
      host: site.gatewayUrl,
      auth: { type: 'basic', email: site.admin.email, apiToken: site.scopedToken },
    });
    return { site, confluence };
  }

  it('creates, reads and updates a page through the gateway with a scoped token', async () => {
    const { site, confluence } = await client();
    const created = await confluence.page.createPage({
      body: {
        spaceId: site.space.id,
        status: 'current',
        title: 'Made by confluence.js',
        body: { representation: 'storage', value: '<p>first</p>' },
      },
    });
    expect(created.id).toBeDefined();
    expect(created.version?.number).toBe(1);

    const read = await confluence.page.getPageById({ id: Number(created.id), bodyFormat: 'storage' });
    expect(read.title).toBe('Made by confluence.js');
    expect(read.body?.storage?.value).toBe('<p>first</p>');
    expect(read.createdAt).toBeInstanceOf(Date);

    const updated = await confluence.page.updatePage({
      id: Number(created.id),
      body: {
        id: created.id,
        status: 'current',
        title: 'Made by confluence.js',
        body: { representation: 'storage', value: '<p>second</p>' },
        version: { number: 2, message: 'from confluence.js' },
      },
    });
    expect(updated.version?.number).toBe(2);

    const pages = await confluence.page.getPagesInSpace({
      id: Number(site.space.id),
      title: 'Made by confluence.js',
    });
    expect(pages.results?.map((page) => page.id)).toEqual([created.id]);
    const spaces = await confluence.space.getSpaces({ keys: ['DOCS'] });
    expect(spaces.results?.[0]?.id).toBe(site.space.id);
  });

  it('sees a 409 ApiError on a stale version after a human edit', async () => {
    const { site, confluence } = await client();
    const created = await confluence.page.createPage({
      body: {
        spaceId: site.space.id,
        status: 'current',
        title: 'Contested',
        body: { representation: 'storage', value: '<p/>' },
      },
    });
    await env.dev.humanEdit(created.id!);
    const stale = confluence.page.updatePage({
      id: Number(created.id),
      body: {
        id: created.id,
        status: 'current',
        title: 'Contested',
        body: { representation: 'storage', value: '<p>mine</p>' },
        version: { number: 2 },
      },
    });
    await expect(stale).rejects.toSatisfy((error: unknown) => isApiError(error) && error.status === 409);
  });

  it('turns a missing scope into its ScopeError and a hidden page into NotFoundError', async () => {
    const { site, confluence } = await client(['read:page:confluence']);
    await expect(confluence.space.getSpaces({})).rejects.toSatisfy((error: unknown) => isScopeError(error));
    await expect(confluence.page.getPageById({ id: 999_999_999 })).rejects.toSatisfy((error: unknown) =>
      isNotFoundError(error),
    );
    expect(site.cloudId).toBeDefined();
  });

  it('reads content properties and permitted operations with their schemas', async () => {
    const { site, confluence } = await client();
    const created = await confluence.page.createPage({
      body: {
        spaceId: site.space.id,
        status: 'current',
        title: 'Props',
        body: { representation: 'storage', value: '<p/>' },
      },
    });
    await confluence.contentProperties.createPageProperty({
      pageId: Number(created.id),
      key: 'com.example.sync',
      value: { hash: 'h1' },
    });
    const properties = await confluence.contentProperties.getPageContentProperties({
      pageId: Number(created.id),
      key: 'com.example.sync',
    });
    expect(properties.results?.[0]?.value).toEqual({ hash: 'h1' });
    const operations = await confluence.operation.getSpaceOperations({ id: Number(site.space.id) });
    expect(operations.operations).toContainEqual({ operation: 'administer', targetType: 'space' });
  });

  it('adds labels through the v1 client on the same gateway host', async () => {
    const { site, confluence } = await client();
    const created = await confluence.page.createPage({
      body: {
        spaceId: site.space.id,
        status: 'current',
        title: 'Labels',
        body: { representation: 'storage', value: '<p/>' },
      },
    });
    const v1 = createV1Client({
      host: site.gatewayUrl,
      auth: { type: 'basic', email: site.admin.email, apiToken: site.scopedToken },
    });
    const labels = await v1.contentLabels.addLabelsToContent({
      id: created.id!,
      body: [{ prefix: 'global', name: 'ops' }],
    });
    expect(labels.results.map((label) => label.name)).toEqual(['ops']);
  });
});
