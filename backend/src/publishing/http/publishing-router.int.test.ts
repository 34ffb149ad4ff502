import { jobViewSchema, problemSchema } from '@pagewire/shared';
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend, type TestTenant } from '../../testing/test-backend';
import { createPublishingExtension } from '../publishing-extension';

/**
 * The ingest routes of the engine, through the real backend (auth, body
 * limits, the one problem mapper). Confluence is out of reach here on
 * purpose (every fetch fails): these tests are about what the HTTP edge
 * accepts and answers, not about publishing.
 */
let backend: TestBackend;
let tenant: TestTenant;
let other: TestTenant;
let key: string;
let otherSpaceKey: string;
let otherTenantKey: string;

const offline: typeof fetch = async () => {
  throw new TypeError('fetch failed (no network in this test)');
};

beforeAll(async () => {
  backend = await startTestBackend({
    logLevel: 'silent',
    extensions: [
      createPublishingExtension({
        env: { PAGEWIRE_PUBLISH_POLL_MS: '50', PAGEWIRE_PUBLISH_RETRY_BASE_MS: '60000' },
        fetch: offline,
      }),
    ],
  });
  tenant = backend.tenant('alpha');
  other = backend.tenant('beta');
  key = (await backend.createIngestKey(tenant, 'ENG')).key;
  otherSpaceKey = (await backend.createIngestKey(tenant, 'OPS')).key;
  otherTenantKey = (await backend.createIngestKey(other, 'ENG')).key;
});
afterAll(async () => {
  await backend.close();
});

function put(externalId: string, body: unknown, ingestKey = key) {
  return backend.http
    .put(`/ingest/v1/pages/${externalId}`)
    .set('authorization', `Bearer ${ingestKey}`)
    .set('content-type', 'application/json')
    .send(typeof body === 'string' ? body : JSON.stringify(body));
}

const page = { spaceKey: 'ENG', title: 'Runbook', markdown: '# Hello' };

function expectProblem(
  response: { status: number; body: unknown; headers: Record<string, string> },
  status: number,
  code: string,
) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
  const problem = problemSchema.parse(response.body);
  expect(problem.code).toBe(code);
  expect(JSON.stringify(problem)).not.toMatch(/at .*\.ts:\d+/);
  return problem;
}

describe('PUT /ingest/v1/pages/{externalId}', () => {
  it('refuses a page a space admin stopped managing with 409 page_released, and queues nothing', async () => {
    const db = backend.backend.context.db;
    await db
      .insertInto('publish_page_releases')
      .values({
        installation_id: tenant.installationId,
        space_key: 'ENG',
        external_id: 'handbook',
        page_id: '4242',
        title: 'Handbook',
        source: 'ci',
        released_at: '2026-12-01T09:00:00.000Z',
        released_by: 'admin-account',
      })
      .execute();
    const problem = expectProblem(await put('handbook', page), 409, 'page_released');
    expect(problem.detail).toContain('2026-12-01T09:00:00.000Z');
    const jobs = await db
      .selectFrom('publish_jobs')
      .select('id')
      .where('external_id', '=', 'handbook')
      .execute();
    expect(jobs).toEqual([]);
    // Another space's page of the same external id is not affected.
    expect((await put('handbook', { ...page, spaceKey: 'OPS' }, otherSpaceKey)).status).toBe(202);
  });

  it('accepts a page with 202, the job id and where to poll it', async () => {
    const response = await put('runbook', page);
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ jobId: expect.any(String) });
    expect(response.headers.location).toBe(`/ingest/v1/jobs/${response.body.jobId}`);
  });

  it('refuses a request without a valid ingest key with 401', async () => {
    const missing = await backend.http.put('/ingest/v1/pages/runbook').send(page);
    expectProblem(missing, 401, 'invalid_ingest_key');
    const wrong = await put('runbook', page, `pwk_${'A'.repeat(43)}`);
    expectProblem(wrong, 401, 'invalid_ingest_key');
  });

  it('refuses a body naming a space other than the key’s', async () => {
    const problem = expectProblem(
      await put('runbook', { ...page, spaceKey: 'OPS' }),
      400,
      'validation_failed',
    );
    expect(problem.errors).toEqual([
      { path: '/spaceKey', message: 'must be ENG, the space of this ingest key' },
    ]);
  });

  it('refuses an external id that is not one', async () => {
    expectProblem(await put('-starts-with-dash', page), 400, 'validation_failed');
    expectProblem(await put(encodeURIComponent('has space'), page), 400, 'validation_failed');
  });

  it('wants exactly one of markdown and adf', async () => {
    const both = expectProblem(
      await put('x', { ...page, adf: { version: 1, type: 'doc', content: [] } }),
      400,
      'validation_failed',
    );
    expect(both.errors?.[0]?.path).toBe('/markdown');
    expectProblem(await put('x', { spaceKey: 'ENG', title: 'T' }), 400, 'validation_failed');
  });

  it('refuses ADF that Atlassian’s schema rejects, pointing at the node', async () => {
    const problem = expectProblem(
      await put('x', {
        spaceKey: 'ENG',
        title: 'T',
        adf: { version: 1, type: 'doc', content: [{ type: 'heading' }] },
      }),
      400,
      'validation_failed',
    );
    expect(problem.errors?.[0]?.path).toMatch(/^\/adf/);
  });

  it('refuses text that is not valid Unicode', async () => {
    expectProblem(
      await put('x', '{"spaceKey":"ENG","title":"T","markdown":"\\ud800"}'),
      400,
      'validation_failed',
    );
  });

  it('answers malformed JSON, another media type and an oversized body with their own codes', async () => {
    expectProblem(await put('x', '{"spaceKey":'), 400, 'malformed_json');
    const text = await backend.http
      .put('/ingest/v1/pages/x')
      .set('authorization', `Bearer ${key}`)
      .set('content-type', 'text/plain')
      .send('hello');
    expectProblem(text, 415, 'unsupported_media_type');
    expectProblem(await put('x', { ...page, markdown: 'x'.repeat(400 * 1024) }), 413, 'payload_too_large');
  });

  it('answers 405 to other methods', async () => {
    const response = await backend.http
      .post('/ingest/v1/pages/x')
      .set('authorization', `Bearer ${key}`)
      .send(page);
    expectProblem(response, 405, 'method_not_allowed');
    expect(response.headers.allow).toBe('GET, PUT');
  });

  it('never answers 5xx, whatever the body', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            spaceKey: fc.oneof(fc.constant('ENG'), fc.string()),
            title: fc.oneof(fc.string(), fc.integer()),
            markdown: fc.oneof(fc.string(), fc.constant(undefined)),
            adf: fc.oneof(fc.constant(undefined), fc.jsonValue()),
            labels: fc.oneof(fc.constant(undefined), fc.array(fc.string())),
            onHumanEdit: fc.oneof(fc.constant(undefined), fc.string()),
            dryRun: fc.oneof(fc.constant(undefined), fc.boolean(), fc.string()),
          },
          { requiredKeys: [] },
        ),
        async (body) => {
          const response = await put('fuzz', body);
          expect(response.status).toBeLessThan(500);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('GET /ingest/v1/jobs/{id}', () => {
  it('shows the job to keys of its space, in the contract’s shape', async () => {
    const { jobId } = (await put('status', { ...page, dryRun: true })).body as { jobId: string };
    const response = await backend.http.get(`/ingest/v1/jobs/${jobId}`).set('authorization', `Bearer ${key}`);
    expect(response.status).toBe(200);
    const view = jobViewSchema.parse(response.body);
    expect(view).toMatchObject({ id: jobId, externalId: 'status', dryRun: true });
    expect(['queued', 'running']).toContain(view.state);
  });

  it('hides a job from another space of the same site and from another installation', async () => {
    const { jobId } = (await put('status', page)).body as { jobId: string };
    for (const otherKey of [otherSpaceKey, otherTenantKey]) {
      const response = await backend.http
        .get(`/ingest/v1/jobs/${jobId}`)
        .set('authorization', `Bearer ${otherKey}`);
      expectProblem(response, 404, 'job_not_found');
    }
  });

  it('answers 404 for a job that does not exist', async () => {
    const response = await backend.http.get('/ingest/v1/jobs/nope').set('authorization', `Bearer ${key}`);
    expectProblem(response, 404, 'job_not_found');
    const waited = await backend.http
      .get('/ingest/v1/jobs/nope?wait=5')
      .set('authorization', `Bearer ${key}`);
    expectProblem(waited, 404, 'job_not_found');
  });

  it('with ?wait holds the answer while the job is not final and then answers with its state', async () => {
    // Confluence is unreachable here: the job stays queued, so the wait runs out.
    const { jobId } = (await put('waiting', page)).body as { jobId: string };
    const response = await backend.http
      .get(`/ingest/v1/jobs/${jobId}?wait=1`)
      .set('authorization', `Bearer ${key}`);
    expect(response.status).toBe(200);
    expect(['queued', 'running']).toContain(jobViewSchema.parse(response.body).state);
  });

  it('refuses a wait that is not a whole number of seconds up to 30 with a field error', async () => {
    const { jobId } = (await put('waiting', page)).body as { jobId: string };
    for (const wait of ['31', '-1', '1.5', 'soon']) {
      const response = await backend.http
        .get(`/ingest/v1/jobs/${jobId}?wait=${wait}`)
        .set('authorization', `Bearer ${key}`);
      const problem = expectProblem(response, 400, 'validation_failed');
      expect(JSON.stringify(problem)).toContain('"path":"?wait"');
    }
  });
});

describe('automation routes', () => {
  const get = (path: string, ingestKey = key) =>
    backend.http.get(path).set('authorization', `Bearer ${ingestKey}`);

  it('holds GET /ingest/v1/jobs/{id}?wait= until the wait runs out, then answers with the job as it is', async () => {
    // Confluence is unreachable here and retries wait a minute: the job cannot end within the wait.
    const { jobId } = (await put('waits', page)).body as { jobId: string };
    const response = await get(`/ingest/v1/jobs/${jobId}?wait=1`);
    expect(response.status).toBe(200);
    expect(['queued', 'running']).toContain(jobViewSchema.parse(response.body).state);
  });

  it('refuses a wait longer than 30 seconds, naming the limit', async () => {
    const { jobId } = (await put('waits', page)).body as { jobId: string };
    const problem = expectProblem(await get(`/ingest/v1/jobs/${jobId}?wait=31`), 400, 'validation_failed');
    expect(problem.errors).toEqual([{ path: '?wait', message: 'must be at most 30 seconds' }]);
    expectProblem(await get(`/ingest/v1/jobs/${jobId}?wait=soon`), 400, 'validation_failed');
  });

  it('lists this space’s jobs by external id and by state, never another space’s', async () => {
    const { jobId } = (await put('listed', page)).body as { jobId: string };
    const byId = await get('/ingest/v1/jobs?externalId=listed');
    expect(byId.status).toBe(200);
    expect(byId.body.jobs.map((job: { id: string }) => job.id)).toEqual([jobId]);
    const published = await get('/ingest/v1/jobs?state=published');
    expect(published.body.jobs).toEqual([]);
    const elsewhere = await get('/ingest/v1/jobs?externalId=listed', otherSpaceKey);
    expect(elsewhere.body.jobs).toEqual([]);
    const problem = expectProblem(await get('/ingest/v1/jobs?state=done'), 400, 'validation_failed');
    expect(problem.errors?.[0]?.path).toBe('?state');
  });

  it('answers GET /ingest/v1/pages/{externalId} with 404 page_not_found before the page is published', async () => {
    await put('not-yet', page);
    const problem = expectProblem(await get('/ingest/v1/pages/not-yet'), 404, 'page_not_found');
    expect(problem.detail).toContain('GET /ingest/v1/jobs?externalId=not-yet');
  });
});

describe('the engine in /metrics', () => {
  it('reports jobs by state and the queue’s lag', async () => {
    await put('metrics-probe', page);
    const response = await backend.http.get('/metrics');
    expect(response.status).toBe(200);
    expect(response.text).toMatch(/pagewire_publish_jobs\{state="(queued|running)"\} [1-9]/);
    expect(response.text).toContain('pagewire_publish_queue_lag_seconds');
    expect(response.text).toMatch(/pagewire_queue_depth\{queue="publishing"\} [0-9]/);
  });
});
