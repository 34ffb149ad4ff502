import { basicAuthorization } from '@pagewire/devkit';
import { type BlockPayload, snapshotPropertyKey, snapshotPropertySchema } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { hashBlockPayload } from '../domain/block-content-hash';
import { declarePublishingHarnesses, drainQueue, type PublishingHarness } from './testing/publishing-harness';

const publishing = declarePublishingHarnesses();

/**
 * A macro on a blog post gets its snapshot in the blog post's content
 * properties, `/wiki/api/v2/blogposts/{id}/properties`
 * (https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-content-properties/;
 * docs/platform-notes.md#blog-post-content-properties), which is where the
 * macro's adfExport reads it back.
 */
describe('snapshots of macros on blog posts', () => {
  async function blogPostWithMacro(harness: PublishingHarness) {
    const { site } = harness;
    const auth = basicAuthorization(site.admin.email, site.scopedToken);
    const created = await fetch(`${site.gatewayUrl}/wiki/api/v2/blogposts`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        spaceId: site.space.id,
        status: 'current',
        title: 'Weekly status',
        body: { representation: 'storage', value: '<p>macro here</p>' },
      }),
    });
    expect(created.status).toBe(200);
    const { id } = (await created.json()) as { id: string };
    await harness.repositories.spaceSettings.update(
      site.installationId,
      site.space.key,
      { publishingPolicy: 'snapshot' },
      { accountId: site.admin.accountId, now: new Date() },
    );
    await harness.repositories.placements.record(
      {
        installationId: site.installationId,
        spaceKey: site.space.key,
        blockKey: 'deploys',
        contentId: id,
        contentType: 'blogpost',
        localId: 'macro-1',
      },
      new Date(),
    );
    return { id, auth };
  }

  it('writes the snapshot to the blog post properties, not to a page', async () => {
    const harness = await publishing.open();
    const { id, auth } = await blogPostWithMacro(harness);
    const payload: BlockPayload = {
      kind: 'status',
      title: 'Deploys',
      content: { status: 'Green', tone: 'success' },
    };
    const written = await harness.repositories.blocks.write({
      installationId: harness.site.installationId,
      spaceKey: harness.site.space.key,
      key: 'deploys',
      payload,
      contentHash: hashBlockPayload(payload),
      source: 'status-page',
      now: new Date(),
    });
    const before = await harness.lastRequestSeq();
    expect(
      await harness.service.refreshSnapshotsOfBlock({
        installationId: harness.site.installationId,
        spaceKey: harness.site.space.key,
        blockKey: 'deploys',
        source: 'status-page',
      }),
    ).toBe(1);
    await harness.service.start();
    await drainQueue(harness);

    const key = snapshotPropertyKey('macro-1');
    const listed = await fetch(
      `${harness.site.gatewayUrl}/wiki/api/v2/blogposts/${id}/properties?key=${key}`,
      {
        headers: { authorization: auth, accept: 'application/json' },
      },
    );
    const { results } = (await listed.json()) as { results: Array<{ value: unknown }> };
    expect(snapshotPropertySchema.parse(results[0]?.value)).toMatchObject({
      blockKey: 'deploys',
      revision: written.revision,
    });
    const paths = (await harness.requestsSince(before)).map((entry) => `${entry.method} ${entry.path}`);
    expect(
      paths.some((path) => path.startsWith('POST') && path.endsWith(`/blogposts/${id}/properties`)),
    ).toBe(true);
    expect(paths.some((path) => path.includes('/pages/'))).toBe(false);
  });
});
