import { deflateSync, gzipSync } from 'node:zlib';
import { MAX_JSON_NESTING_DEPTH, MAX_MARKDOWN_NESTING_DEPTH, problemSchema } from '@pagewire/shared';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublishingExtension } from '../publishing/publishing-extension';
import { startTestBackend, type TestBackend } from '../testing/test-backend';

/**
 * Requests shaped to crash or stall the backend rather than to do anything
 * useful (issue 13, items 1–4): each is a 4xx problem with its own code,
 * never a 500.
 */
let t: TestBackend;
let ingestKey: string;

beforeAll(async () => {
  t = await startTestBackend({
    logLevel: 'silent',
    extensions: [createPublishingExtension({ env: { PAGEWIRE_PUBLISH_POLL_MS: '60000' } })],
  });
  ({ key: ingestKey } = await t.createIngestKey(t.tenant('acme'), 'ENG', 'hostile'));
});
afterAll(async () => {
  await t.close();
});

function nestedArrays(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

function nestedAdf(depth: number): unknown {
  let node: Record<string, unknown> = { type: 'paragraph', content: [{ type: 'text', text: 'x' }] };
  for (let level = 0; level < depth; level++) {
    node = { type: 'bulletList', content: [{ type: 'listItem', content: [node] }] };
  }
  return { type: 'doc', version: 1, content: [node] };
}

function expectProblem(response: Response, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = problemSchema.parse(response.body);
  expect(problem.code).toBe(code);
}

const putBlock = (key: string, body: string | Buffer, headers: Record<string, string> = {}) => {
  let call = t.http
    .put(`/ingest/v1/blocks/${key}`)
    .set('authorization', `Bearer ${ingestKey}`)
    .set('content-type', 'application/json');
  for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
  // superagent would JSON-encode a Buffer given a JSON content type; these bytes go as they are.
  return call.serialize((data: unknown) => data as string).send(body);
};

describe('deeply nested bodies', () => {
  it('refuses a block of ADF nested 1,000 levels deep with 400 too_deeply_nested naming the limit', async () => {
    const response = await putBlock(
      'deep-adf',
      JSON.stringify({ kind: 'adf', title: 'Deep', content: nestedAdf(1_000) }),
    );
    expectProblem(response, 400, 'too_deeply_nested');
    expect(response.body.detail).toContain(String(MAX_JSON_NESTING_DEPTH));
  });

  it('refuses 5,000 nested arrays on every authenticated route with 400, not 500', async () => {
    const tenant = t.tenant('acme');
    const deep = `{"kind":"table","title":"x","content":${nestedArrays(5_000)}}`;
    expectProblem(await putBlock('deep-json', deep), 400, 'too_deeply_nested');
    const page = await t.http
      .put('/ingest/v1/pages/deep-page')
      .set('authorization', `Bearer ${ingestKey}`)
      .set('content-type', 'application/json')
      .send(`{"spaceKey":"ENG","title":"x","adf":${nestedArrays(5_000)}}`);
    expectProblem(page, 400, 'too_deeply_nested');
    const operation = await t.http
      .post('/forge/v1/blocks.list')
      .set('authorization', `Bearer ${await t.functionFit(tenant)}`)
      .set('content-type', 'application/json')
      .send(`{"context":${JSON.stringify(t.contextFor(tenant))},"input":${nestedArrays(5_000)}}`);
    expectProblem(operation, 400, 'too_deeply_nested');
  });

  it('accepts ADF nested as deep as real documents go', async () => {
    const response = await putBlock(
      'nested-ok',
      JSON.stringify({ kind: 'adf', title: 'Ok', content: nestedAdf(3) }),
    );
    expect(response.status).toBe(201);
  });

  it('refuses Markdown whose block quotes nest past the limit, as a block and as a page', async () => {
    const markdown = `${'>'.repeat(40_000)} boom`;
    const block = await putBlock(
      'deep-md',
      JSON.stringify({ kind: 'markdown', title: 'x', content: markdown }),
    );
    expectProblem(block, 400, 'too_deeply_nested');
    expect(block.body.detail).toContain(String(MAX_MARKDOWN_NESTING_DEPTH));
    expect(block.body.errors).toEqual([
      { path: '/content', message: expect.stringContaining('levels deep') },
    ]);
    const page = await t.http
      .put('/ingest/v1/pages/deep-md')
      .set('authorization', `Bearer ${ingestKey}`)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ spaceKey: 'ENG', title: 'x', markdown: '- '.repeat(5_000) }));
    expectProblem(page, 400, 'too_deeply_nested');
  });

  it('accepts Markdown nested up to the limit', async () => {
    const markdown = `${'> '.repeat(MAX_MARKDOWN_NESTING_DEPTH)}deep but allowed`;
    const response = await putBlock(
      'md-ok',
      JSON.stringify({ kind: 'markdown', title: 'x', content: markdown }),
    );
    expect(response.status).toBe(201);
  });
});

describe('malformed URLs', () => {
  it.each(['/ingest/v1/blocks/%ff', '/ingest/v1/blocks/%', '/ingest/v1/jobs/%', '/ingest/v1/pages/%E0%A4%A'])(
    'answers %s with 400 malformed_url',
    async (path) => {
      const response = await t.http
        .put(path)
        .set('authorization', `Bearer ${ingestKey}`)
        .set('content-type', 'application/json')
        .send('{}');
      expectProblem(response, 400, 'malformed_url');
      const read = await t.http.get(path).set('authorization', `Bearer ${ingestKey}`);
      expectProblem(read, 400, 'malformed_url');
    },
  );

  it('answers /forge/v1/% with 400 malformed_url', async () => {
    const response = await t.http
      .post('/forge/v1/%')
      .set('authorization', `Bearer ${await t.functionFit(t.tenant('acme'))}`)
      .set('content-type', 'application/json')
      .send('{}');
    expectProblem(response, 400, 'malformed_url');
  });
});

describe('Content-Encoding', () => {
  const body = JSON.stringify({ kind: 'markdown', title: 'x', content: 'compressed' });

  it.each(['gzip', 'deflate', 'br'])(
    'answers a body that claims %s but is not compressed with 400 invalid_content_encoding',
    async (encoding) => {
      const response = await putBlock('encoded', body, { 'content-encoding': encoding });
      expectProblem(response, 400, 'invalid_content_encoding');
      expect(response.body.detail).toContain(encoding);
    },
  );

  it('still reads bodies that really are gzip or deflate compressed', async () => {
    expect((await putBlock('gz', gzipSync(body), { 'content-encoding': 'gzip' })).status).toBe(201);
    expect((await putBlock('df', deflateSync(body), { 'content-encoding': 'deflate' })).status).toBe(201);
  });
});
