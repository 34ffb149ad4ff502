import { createHash } from 'node:crypto';
import type { RequestLogEntry } from '@pagewire/devkit';
import type { AdfDocument, AdfNode, AttachmentContentType } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { createPageAttachmentRepository } from './store/page-attachment-repository';
import { anyWrites, declarePublishingHarnesses, type PublishingHarness } from './testing/publishing-harness';

/**
 * Docs-as-code images end to end against the devkit: the bytes a source sent
 * (`PUT …/attachments/{name}` keeps them in page_attachments), uploaded by
 * the publisher through v1 create-or-update before it writes the body, shown
 * as ADF media with the upload's file id, and uploaded again only when their
 * hash changes.
 */
const publishing = declarePublishingHarnesses();

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const MARKDOWN = '# Architecture\n\n![The system](pagewire:attachment/arch.png)\n\nThat is all.';

async function harness(appScopes?: readonly string[]): Promise<PublishingHarness> {
  const site =
    appScopes === undefined ? undefined : await publishing.dev.seedSite({ appScopes: [...appScopes] });
  const created = await publishing.open(site === undefined ? {} : { site });
  await created.service.start();
  return created;
}

async function sendImage(
  h: PublishingHarness,
  externalId: string,
  name: string,
  bytes: Buffer,
  contentType: AttachmentContentType = 'image/png',
) {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await createPageAttachmentRepository(h.database.database.db).put(
    { installationId: h.site.installationId, spaceKey: h.site.space.key, externalId },
    { name, contentType, bytes, sha256 },
    new Date(),
  );
}

function adfOf(page: { body: { value: string } | null }): AdfDocument {
  return JSON.parse(page.body?.value ?? 'null') as AdfDocument;
}

function mediaOf(document: AdfDocument): AdfNode[] {
  return document.content.filter((node) => node.type === 'mediaSingle').map((node) => node.content![0]!);
}

async function attachmentsOf(h: PublishingHarness, pageId: string) {
  const response = await fetch(`${h.site.gatewayUrl}/wiki/api/v2/pages/${pageId}/attachments`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${h.site.admin.email}:${h.site.scopedToken}`).toString('base64')}`,
    },
  });
  return (
    (await response.json()) as {
      results: { id: string; title: string; fileId: string; version: { number: number } }[];
    }
  ).results;
}

function uploads(requests: readonly RequestLogEntry[]): RequestLogEntry[] {
  return requests.filter((entry) => entry.operationId === 'createOrUpdateAttachments');
}

describe('page attachments', () => {
  it('creates a new page, uploads its image, then writes the body with the file: reported as created', async () => {
    const h = await harness();
    await sendImage(h, 'arch', 'arch.png', PNG);
    const before = await h.lastRequestSeq();
    const job = await h.settle(await h.publish('arch', { title: 'Architecture', markdown: MARKDOWN }));
    expect(job).toMatchObject({ state: 'published', version: 2, plan: { action: 'create' } });
    expect(job.warnings ?? []).toEqual([]);

    const requests = await h.requestsSince(before);
    expect(
      anyWrites(requests)
        .map((entry) => entry.operationId)
        .filter((operation) => operation !== 'createPageProperty'),
    ).toEqual(['createPage', 'createOrUpdateAttachments', 'updatePage']);

    const [page] = await h.pages();
    const [attachment] = await attachmentsOf(h, page!.id);
    expect(attachment).toMatchObject({ title: 'arch.png', version: { number: 1 } });
    expect(mediaOf(adfOf(page!))).toEqual([
      {
        type: 'media',
        attrs: {
          type: 'file',
          id: attachment!.fileId,
          collection: `contentId-${page!.id}`,
          alt: 'The system',
        },
      },
    ]);
  });

  it('uploads an image again only when its hash changes, counted in the devkit’s request log', async () => {
    const h = await harness();
    await sendImage(h, 'arch', 'arch.png', PNG);
    await h.settle(await h.publish('arch', { title: 'Architecture', markdown: MARKDOWN }));

    // Same page, same image: nothing is sent to Confluence at all.
    let before = await h.lastRequestSeq();
    const same = await h.settle(await h.publish('arch', { title: 'Architecture', markdown: MARKDOWN }));
    expect(same.state).toBe('unchanged');
    expect(await h.requestsSince(before)).toEqual([]);

    // New text, same image: the body is written, the image is not uploaded.
    before = await h.lastRequestSeq();
    const edited = await h.settle(
      await h.publish('arch', { title: 'Architecture', markdown: `${MARKDOWN}\n\nOne more line.` }),
    );
    expect(edited).toMatchObject({ state: 'published', version: 3 });
    expect(uploads(await h.requestsSince(before))).toHaveLength(0);

    // The same bytes sent again change nothing either.
    await sendImage(h, 'arch', 'arch.png', PNG);
    before = await h.lastRequestSeq();
    const resent = await h.settle(
      await h.publish('arch', { title: 'Architecture', markdown: `${MARKDOWN}\n\nOne more line.` }),
    );
    expect(resent.state).toBe('unchanged');
    expect(uploads(await h.requestsSince(before))).toHaveLength(0);

    // New bytes: one upload (a new version with a new file id), then the body points at it.
    const [page] = await h.pages();
    const [first] = await attachmentsOf(h, page!.id);
    await sendImage(h, 'arch', 'arch.png', Buffer.concat([PNG, Buffer.from([0])]));
    before = await h.lastRequestSeq();
    const redrawn = await h.settle(
      await h.publish('arch', { title: 'Architecture', markdown: `${MARKDOWN}\n\nOne more line.` }),
    );
    expect(redrawn).toMatchObject({ state: 'published', version: 4 });
    const requests = await h.requestsSince(before);
    expect(anyWrites(requests).map((entry) => entry.operationId)).toEqual([
      'createOrUpdateAttachments',
      'updatePage',
    ]);
    const [second] = await attachmentsOf(h, page!.id);
    expect(second).toMatchObject({ id: first!.id, version: { number: 2 } });
    expect(second!.fileId).not.toBe(first!.fileId);
    const [now] = await h.pages();
    expect(mediaOf(adfOf(now!))[0]?.attrs?.id).toBe(second!.fileId);
  });

  it('warns attachment_missing for an image never sent and shows its alt text', async () => {
    const h = await harness();
    const job = await h.settle(await h.publish('arch', { title: 'Architecture', markdown: MARKDOWN }));
    expect(job).toMatchObject({ state: 'published', version: 1 });
    expect(job.warnings).toEqual([
      expect.objectContaining({ code: 'attachment_missing', detail: expect.stringContaining('"arch.png"') }),
    ]);
    const [page] = await h.pages();
    expect(mediaOf(adfOf(page!))).toEqual([]);
    expect(JSON.stringify(adfOf(page!))).toContain('The system');
  });

  it('plans a dry run without uploading anything', async () => {
    const h = await harness();
    await sendImage(h, 'arch', 'arch.png', PNG);
    const before = await h.lastRequestSeq();
    const job = await h.settle(
      await h.publish('arch', { title: 'Architecture', markdown: MARKDOWN, dryRun: true }),
    );
    expect(job).toMatchObject({ state: 'planned', plan: { action: 'create' } });
    expect(anyWrites(await h.requestsSince(before))).toEqual([]);
  });

  it('publishes the page with alt text and a warning when no credential may upload files', async () => {
    const h = await harness(['read:page:confluence', 'write:page:confluence', 'read:space:confluence']);
    await sendImage(h, 'arch', 'arch.png', PNG);
    const job = await h.settle(await h.publish('arch', { title: 'Architecture', markdown: MARKDOWN }));
    expect(job).toMatchObject({ state: 'published', version: 1 });
    expect(job.warnings).toEqual([
      expect.objectContaining({
        code: 'attachment_not_uploaded',
        detail: expect.stringMatching(/write:attachment:confluence/),
      }),
    ]);
    const [page] = await h.pages();
    expect(mediaOf(adfOf(page!))).toEqual([]);
  });
});
