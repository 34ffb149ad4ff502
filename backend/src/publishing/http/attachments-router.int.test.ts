import { attachmentResultSchema, MAX_ATTACHMENT_BYTES, problemSchema } from '@pagewire/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend, type TestTenant } from '../../testing/test-backend';
import { createPublishingExtension } from '../publishing-extension';
import { createPageAttachmentRepository } from '../store/page-attachment-repository';

/**
 * `PUT /ingest/v1/pages/{externalId}/attachments/{name}` through the real
 * backend: what the edge keeps and what it refuses. Confluence is out of
 * reach (uploads happen at publish, page-attachments.int.test.ts).
 */
let backend: TestBackend;
let tenant: TestTenant;
let key: string;

const offline: typeof fetch = async () => {
  throw new TypeError('fetch failed (no network in this test)');
};

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');
const SVG = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>');

beforeAll(async () => {
  backend = await startTestBackend({
    logLevel: 'silent',
    extensions: [createPublishingExtension({ env: { PAGEWIRE_PUBLISH_POLL_MS: '50' }, fetch: offline })],
  });
  tenant = backend.tenant('alpha');
  key = (await backend.createIngestKey(tenant, 'ENG')).key;
});
afterAll(async () => {
  await backend.close();
});

function putAttachment(path: string, body: Buffer | string, contentType: string | null = 'image/png') {
  const request = backend.http.put(`/ingest/v1/pages/${path}`).set('authorization', `Bearer ${key}`);
  if (contentType !== null) request.set('content-type', contentType);
  return request.send(body);
}

function expectProblem(response: { status: number; body: unknown }, status: number, code: string) {
  expect(response.status).toBe(status);
  const problem = problemSchema.parse(response.body);
  expect(problem.code).toBe(code);
  return problem;
}

describe('PUT /ingest/v1/pages/{externalId}/attachments/{name}', () => {
  it('answers 201 for a new file, 200 unchanged for the same bytes, and 200 changed for new bytes', async () => {
    const first = await putAttachment('docs~intro/attachments/arch.png', PNG);
    expect(first.status).toBe(201);
    const result = attachmentResultSchema.parse(first.body);
    expect(result).toMatchObject({
      name: 'arch.png',
      contentType: 'image/png',
      size: PNG.length,
      changed: true,
    });
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);

    const same = await putAttachment('docs~intro/attachments/arch.png', PNG);
    expect(same.status).toBe(200);
    expect(same.body).toEqual({ ...result, changed: false });

    const newer = Buffer.concat([PNG, Buffer.from([0])]);
    const changed = await putAttachment('docs~intro/attachments/arch.png', newer);
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ changed: true, size: newer.length });
    expect(changed.body.sha256).not.toBe(result.sha256);

    const stored = await createPageAttachmentRepository(backend.backend.context.db).find(
      { installationId: tenant.installationId, spaceKey: 'ENG', externalId: 'docs~intro' },
      ['arch.png'],
    );
    expect(stored.get('arch.png')).toMatchObject({ sha256: changed.body.sha256, uploaded: null });
  });

  it('keeps an SVG and a name with spaces and brackets', async () => {
    const response = await putAttachment(
      'docs~intro/attachments/Flow%20(v2).svg',
      SVG,
      'image/svg+xml; charset=utf-8',
    );
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ name: 'Flow (v2).svg', contentType: 'image/svg+xml' });
  });

  it('refuses a type outside the image allow-list, and no type at all, with 415 unsupported_media_type', async () => {
    const html = await putAttachment('docs~intro/attachments/page.html', '<html></html>', 'text/html');
    expect(expectProblem(html, 415, 'unsupported_media_type').detail).toMatch(/image\/png/);
    expectProblem(
      await putAttachment('docs~intro/attachments/x.png', PNG, null),
      415,
      'unsupported_media_type',
    );
  });

  it('refuses bytes that are not the declared type with 415', async () => {
    const lying = await putAttachment('docs~intro/attachments/evil.png', '<script>alert(1)</script>');
    expect(expectProblem(lying, 415, 'unsupported_media_type').detail).toMatch(/PNG signature/);
    const notSvg = await putAttachment(
      'docs~intro/attachments/evil.svg',
      '<html><svg/></html>',
      'image/svg+xml',
    );
    expect(expectProblem(notSvg, 415, 'unsupported_media_type').detail).toMatch(/root element/);
  });

  it(`refuses a file over ${MAX_ATTACHMENT_BYTES} bytes with 413 payload_too_large`, async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(MAX_ATTACHMENT_BYTES)]);
    expectProblem(await putAttachment('docs~intro/attachments/big.png', big), 413, 'payload_too_large');
  });

  it('refuses a name with a path in it, an invalid external id and an empty body with 400', async () => {
    const traversal = await putAttachment('docs~intro/attachments/..%2Fsecret.png', PNG);
    expect(expectProblem(traversal, 400, 'validation_failed').errors).toEqual([
      expect.objectContaining({ path: '/name' }),
    ]);
    expectProblem(await putAttachment('-bad/attachments/a.png', PNG), 400, 'validation_failed');
    expectProblem(
      await putAttachment('docs~intro/attachments/empty.png', Buffer.alloc(0)),
      400,
      'validation_failed',
    );
  });

  it('refuses a request without an ingest key with 401 and keeps nothing', async () => {
    const response = await backend.http
      .put('/ingest/v1/pages/docs~intro/attachments/anon.png')
      .set('content-type', 'image/png')
      .send(PNG);
    expectProblem(response, 401, 'invalid_ingest_key');
  });
});
