import { MAX_INGEST_BODY_BYTES, problemSchema } from '@pagewire/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from '../testing/test-backend';

let t: TestBackend;
let ingestKey: string;
let ingestKeyId: string;

beforeAll(async () => {
  t = await startTestBackend();
  ({ key: ingestKey, id: ingestKeyId } = await t.createIngestKey(t.tenant('acme'), 'ENG', 'deploy-bot'));
});
afterAll(async () => {
  await t.close();
});

const put = (key: string, body: unknown, bearer = ingestKey) =>
  t.http
    .put(`/ingest/v1/blocks/${key}`)
    .set('authorization', `Bearer ${bearer}`)
    .send(body as object);

async function ingestWrites(result: string): Promise<number> {
  const metric = await t.backend.context.metrics.ingestWrites.get();
  return metric.values.find((value) => value.labels.result === result)?.value ?? 0;
}

describe('writing a block through the ingest API', () => {
  it('answers 201 on the first write and 200 after, with the revision', async () => {
    const first = await put('build-status', {
      kind: 'status',
      title: 'Build',
      content: { status: 'Passing' },
    });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ key: 'build-status', revision: 1, changed: true });
    const second = await put('build-status', {
      kind: 'status',
      title: 'Build',
      content: { status: 'Failing', tone: 'danger' },
    });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ key: 'build-status', revision: 2, changed: true });
  });

  it('makes no new revision for the same content, even with keys in another order', async () => {
    await put('slo', {
      kind: 'metrics',
      title: 'SLO',
      content: { metrics: [{ label: 'Uptime', value: 99.9, unit: '%' }] },
    });
    const unchangedBefore = await ingestWrites('unchanged');
    const again = await put('slo', {
      title: 'SLO',
      content: { metrics: [{ unit: '%', value: 99.9, label: 'Uptime' }] },
      kind: 'metrics',
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ key: 'slo', revision: 1, changed: false });
    expect(await ingestWrites('unchanged')).toBe(unchangedBefore + 1);
  });

  it('logs a changed block in the space’s activity under the source’s name', async () => {
    await put('oncall', { kind: 'markdown', title: 'On call', content: 'Ana' });
    const activity = await t.call(t.tenant('acme'), 'activity.list', { limit: 1 });
    expect(activity.body.data.items[0]).toMatchObject({
      actor: { kind: 'source', id: 'deploy-bot' },
      action: 'block.updated',
      result: 'ok',
    });
  });

  it('tells block-change listeners about a new revision, and not about an unchanged write', async () => {
    const seen: Array<{ key: string; revision: number }> = [];
    const unsubscribe = t.backend.context.blockEvents.subscribe((event) => {
      seen.push({ key: event.key, revision: event.revision });
    });
    await put('listened', { kind: 'markdown', title: 'L', content: 'one' });
    await put('listened', { kind: 'markdown', title: 'L', content: 'one' });
    await put('listened', { kind: 'markdown', title: 'L', content: 'two' });
    unsubscribe();
    expect(seen).toEqual([
      { key: 'listened', revision: 1 },
      { key: 'listened', revision: 2 },
    ]);
  });

  it('still stores the block when a listener fails', async () => {
    const unsubscribe = t.backend.context.blockEvents.subscribe(() => {
      throw new Error('listener broke');
    });
    const response = await put('listener-fails', { kind: 'markdown', title: 'L', content: 'x' });
    unsubscribe();
    expect(response.status).toBe(201);
  });

  it('refuses an ADF block that Atlassian’s schema refuses', async () => {
    const response = await put('bad-adf', {
      kind: 'adf',
      title: 'Bad',
      content: { version: 1, type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'heading' }] }] },
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('validation_failed');
    expect(response.body.errors[0].path).toMatch(/^\/content/);
  });

  it('accepts a valid ADF block', async () => {
    const response = await put('good-adf', {
      kind: 'adf',
      title: 'Good',
      content: {
        version: 1,
        type: 'doc',
        content: [{ type: 'paragraph', content: [{ type: 'text', text: 'hi' }] }],
      },
    });
    expect(response.status).toBe(201);
  });
});

describe('ingest authentication', () => {
  it('refuses a missing, malformed or unknown key with 401 invalid_ingest_key', async () => {
    const body = { kind: 'markdown', title: 'x', content: 'x' };
    const missing = await t.http.put('/ingest/v1/blocks/x').send(body);
    const malformed = await put('x', body, 'not-a-key');
    const unknown = await put('x', body, `pwk_${'A'.repeat(43)}`);
    for (const response of [missing, malformed, unknown]) {
      expect(response.status).toBe(401);
      expect(problemSchema.parse(response.body).code).toBe('invalid_ingest_key');
      expect(response.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('refuses a revoked key on the very next request', async () => {
    const tenant = t.tenant('acme');
    const { id, key } = await t.createIngestKey(tenant, 'ENG', 'short-lived');
    expect((await put('revocable', { kind: 'markdown', title: 'R', content: 'before' }, key)).status).toBe(
      201,
    );
    const revoked = await t.call(tenant, 'ingestKeys.revoke', { id }, { isSpaceAdmin: true });
    expect(revoked.status).toBe(200);
    const after = await put('revocable', { kind: 'markdown', title: 'R', content: 'after' }, key);
    expect(after.status).toBe(401);
    expect(after.body.detail).toMatch(/revoked/);
    // The other key of the space still works.
    expect((await put('revocable', { kind: 'markdown', title: 'R', content: 'other key' })).status).toBe(200);
    expect(ingestKeyId).not.toBe(id);
  });

  it('authenticates before reading the body: an unauthenticated oversized upload is a 401', async () => {
    const response = await t.http
      .put('/ingest/v1/blocks/big')
      .set('content-type', 'application/json')
      .send(
        JSON.stringify({ kind: 'markdown', title: 'Big', content: 'x'.repeat(MAX_INGEST_BODY_BYTES + 10) }),
      );
    expect(response.status).toBe(401);
  });
});

describe('malformed ingest requests', () => {
  it('answers a body over 256 KB with 413 payload_too_large', async () => {
    const response = await t.http
      .put('/ingest/v1/blocks/big')
      .set('authorization', `Bearer ${ingestKey}`)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ kind: 'markdown', title: 'Big', content: 'x'.repeat(MAX_INGEST_BODY_BYTES) }));
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('payload_too_large');
  });

  it('answers broken JSON with 400 malformed_json', async () => {
    const response = await t.http
      .put('/ingest/v1/blocks/broken')
      .set('authorization', `Bearer ${ingestKey}`)
      .set('content-type', 'application/json')
      .send('{"kind": "markdown", "title": ');
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('malformed_json');
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.js|SyntaxError/);
  });

  it('answers a body that is not JSON with 415', async () => {
    const response = await t.http
      .put('/ingest/v1/blocks/text')
      .set('authorization', `Bearer ${ingestKey}`)
      .set('content-type', 'text/plain')
      .send('hello');
    expect(response.status).toBe(415);
    expect(response.body.code).toBe('unsupported_media_type');
  });

  it('answers a missing body with 400', async () => {
    const response = await t.http.put('/ingest/v1/blocks/empty').set('authorization', `Bearer ${ingestKey}`);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('validation_failed');
  });

  it('answers a bad block key, a wrong kind and a missing field with field errors', async () => {
    const badKey = await put('Not_Lower', { kind: 'markdown', title: 'x', content: 'x' });
    expect(badKey.status).toBe(400);
    expect(badKey.body.errors[0].path).toBe('/key');
    const wrongKind = await put('ok-key', { kind: 'chart', title: 'x', content: 'x' });
    expect(wrongKind.status).toBe(400);
    const missingTitle = await put('ok-key', { kind: 'markdown', content: 'x' });
    expect(missingTitle.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '/title' })]),
    );
    const wrongType = await put('ok-key', { kind: 'status', title: 'x', content: { status: 42 } });
    expect(wrongType.body.errors[0].path).toBe('/content/status');
  });

  it('refuses text that is not valid Unicode instead of storing mojibake', async () => {
    const loneSurrogate = await t.http
      .put('/ingest/v1/blocks/unicode')
      .set('authorization', `Bearer ${ingestKey}`)
      .set('content-type', 'application/json')
      .send('{"kind":"markdown","title":"bad \\ud800 half","content":"x"}');
    expect(loneSurrogate.status).toBe(400);
    expect(loneSurrogate.body.errors[0]).toMatchObject({ path: '/title' });
    const nul = await put('unicode', { kind: 'markdown', title: 'nul', content: 'a\u0000b' });
    expect(nul.status).toBe(400);
  });

  it('keeps astral characters, combining marks and right-to-left text intact', async () => {
    const content = '🚀 déploiement ✓ — שלום — 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 — e\u0301';
    expect((await put('unicode-ok', { kind: 'markdown', title: 'Ünïcödé 🚀', content })).status).toBe(201);
    const got = await t.call(t.tenant('acme'), 'blocks.get', { key: 'unicode-ok' });
    expect(got.body.data.block).toMatchObject({ title: 'Ünïcödé 🚀', content });
  });

  it('answers POST on a block with 405 naming the methods it takes', async () => {
    const response = await t.http.post('/ingest/v1/blocks/x').set('authorization', `Bearer ${ingestKey}`);
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, PUT, DELETE');
  });

  it('answers an unknown path with a 404 problem', async () => {
    const response = await t.http.get('/ingest/v2/anything');
    expect(response.status).toBe(404);
    expect(problemSchema.parse(response.body).code).toBe('not_found');
  });
});
