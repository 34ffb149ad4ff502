import {
  ingestBlockBodySchema,
  type OperationName,
  operationNames,
  problemCodes,
  problemSchema,
  statusTones,
} from '@pagewire/shared';
import fc from 'fast-check';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from '../testing/test-backend';

/**
 * Property tests over the two public edges: whatever JSON (or non-JSON)
 * arrives, the answer is a success or a 4xx problem with a stable code from
 * the closed union, never a 5xx, never a stack trace.
 */
let t: TestBackend;
let ingestKey: string;

beforeAll(async () => {
  t = await startTestBackend({ logLevel: 'silent' });
  ({ key: ingestKey } = await t.createIngestKey(t.tenant('acme'), 'ENG', 'fuzzer'));
});
afterAll(async () => {
  await t.close();
});

const RUNS = 60;

function expectClientOutcome(response: Response, allowed: number[]): void {
  expect(allowed).toContain(response.status);
  if (response.status >= 400) {
    const problem = problemSchema.parse(response.body);
    expect(problemCodes).toContain(problem.code);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  }
}

/** Every UTF-16 code unit, lone surrogates and NUL included: what JSON can carry. */
const anyCodeUnits = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 })
  .map((units) => String.fromCharCode(...units));
const anyText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  anyCodeUnits,
  fc.string({ maxLength: 40 }),
);

const putBlock = (key: string, body: string) =>
  t.http
    .put(`/ingest/v1/blocks/${encodeURIComponent(key)}`)
    .set('authorization', `Bearer ${ingestKey}`)
    .set('content-type', 'application/json')
    .send(body);

describe('the ingest API under arbitrary input', () => {
  it('answers any JSON body with a write or a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (body) => {
        expectClientOutcome(await putBlock('fuzz', JSON.stringify(body)), [200, 201, 400]);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers block-shaped bodies with wrong field types with 400 and field errors', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          kind: fc.oneof(fc.constantFrom('markdown', 'adf', 'status', 'table', 'metrics'), fc.jsonValue()),
          title: fc.oneof(anyText, fc.jsonValue()),
          content: fc.jsonValue(),
        }),
        async (body) => {
          const response = await putBlock('shaped', JSON.stringify(body));
          expectClientOutcome(response, [200, 201, 400]);
          if (response.status === 400 && response.body.code === 'validation_failed') {
            expect(response.body.errors.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('answers any block key in the URL without a server error', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyText.filter((key) => key.isWellFormed()),
        async (key) => {
          const response = await putBlock(
            key,
            JSON.stringify({ kind: 'markdown', title: 'k', content: 'k' }),
          );
          // An empty key is PUT on the block list, which is read-only: 405.
          expectClientOutcome(response, [200, 201, 400, 404, 405]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('answers bytes that are not JSON with 400 malformed_json', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 60 }).filter((text) => {
          try {
            JSON.parse(text);
            return false;
          } catch {
            return true;
          }
        }),
        async (text) => {
          const response = await putBlock('not-json', text);
          expectClientOutcome(response, [400]);
          expect(response.body.code).toBe('malformed_json');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('stores any valid Unicode title and content exactly, and refuses only broken text', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, anyText, async (title, content) => {
        const body = { kind: 'markdown', title, content };
        const response = await putBlock('unicode', JSON.stringify(body));
        expectClientOutcome(response, [200, 201, 400]);
        const expected = ingestBlockBodySchema.safeParse(body);
        const wellFormed =
          title.isWellFormed() && content.isWellFormed() && !`${title}${content}`.includes('\u0000');
        expect(response.status !== 400).toBe(expected.success && wellFormed);
        if (response.status < 400 && expected.success) {
          const got = await t.call(t.tenant('acme'), 'blocks.get', { key: 'unicode' });
          expect(got.body.data.block.title).toBe(expected.data.title);
          expect(got.body.data.block.content).toBe(expected.data.content);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('round-trips every valid status block it accepts', async () => {
    const shortText = (max: number) =>
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: max }).filter((text) => text.trim().length > 0);
    const status = fc.record(
      {
        status: shortText(64),
        tone: fc.constantFrom(...statusTones),
        summary: fc.string({ maxLength: 200 }),
        components: fc.array(
          fc.record({ name: shortText(100), status: shortText(64), tone: fc.constantFrom(...statusTones) }),
          { maxLength: 5 },
        ),
      },
      { requiredKeys: ['status'] },
    );
    await fc.assert(
      fc.asyncProperty(shortText(200), status, async (title, content) => {
        const body = { kind: 'status', title, content };
        const response = await putBlock('status-roundtrip', JSON.stringify(body));
        expect([200, 201]).toContain(response.status);
        const got = await t.call(t.tenant('acme'), 'blocks.get', { key: 'status-roundtrip' });
        expect(got.body.data.block.content).toEqual(ingestBlockBodySchema.parse(body).content);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the Forge operations under arbitrary input', () => {
  it.each(operationNames)('%s answers any input with data or a 4xx problem', async (name: OperationName) => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (input) => {
        const response = await t.call(t.tenant('acme'), name, input as Record<string, unknown>, {
          isSpaceAdmin: true,
        });
        expectClientOutcome(response, [200, 400, 403, 404, 409]);
      }),
      { numRuns: 25 },
    );
  });

  it('answers any body in place of the envelope with a 4xx problem', async () => {
    const tenant = t.tenant('acme');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record({ context: fc.jsonValue(), input: fc.jsonValue() }),
          fc.record({
            context: fc.record({
              cloudId: anyText,
              accountId: anyText,
              spaceKey: anyText,
              isSpaceAdmin: fc.jsonValue(),
            }),
            input: fc.jsonValue(),
          }),
        ),
        async (body) => {
          const response = await t.http
            .post('/forge/v1/blocks.list')
            .set('authorization', `Bearer ${await t.functionFit(tenant)}`)
            .set('content-type', 'application/json')
            .send(JSON.stringify(body));
          expectClientOutcome(response, [200, 400, 403]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('answers an oversized operation body with 413', async () => {
    const response = await t.http
      .post('/forge/v1/blocks.list')
      .set('authorization', `Bearer ${await t.functionFit(t.tenant('acme'))}`)
      .set('content-type', 'application/json')
      .send(
        JSON.stringify({
          context: t.contextFor(t.tenant('acme')),
          input: { padding: 'x'.repeat(600 * 1024) },
        }),
      );
    expectClientOutcome(response, [413]);
    expect(response.body.code).toBe('payload_too_large');
  });

  it('answers a non-JSON operation body with 415', async () => {
    const response = await t.http
      .post('/forge/v1/blocks.list')
      .set('authorization', `Bearer ${await t.functionFit(t.tenant('acme'))}`)
      .set('content-type', 'application/x-www-form-urlencoded')
      .send('context=x&input=y');
    expectClientOutcome(response, [415]);
  });
});
