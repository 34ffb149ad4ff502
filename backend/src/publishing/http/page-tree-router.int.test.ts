import { problemSchema, treePageListSchema } from '@pagewire/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend, type TestTenant } from '../../testing/test-backend';
import { createPublishingExtension } from '../publishing-extension';

/**
 * The docs-as-code routes through the real backend (auth, bodies, the one
 * problem mapper). Confluence is out of reach on purpose: these tests are
 * about what the HTTP edge accepts and answers; page-trees.int.test.ts
 * publishes and archives against the devkit.
 */
let backend: TestBackend;
let tenant: TestTenant;
let key: string;
let otherSpaceKey: string;

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
  tenant = backend.tenant('trees');
  key = (await backend.createIngestKey(tenant, 'ENG')).key;
  otherSpaceKey = (await backend.createIngestKey(tenant, 'OPS')).key;
});
afterAll(async () => {
  await backend.close();
});

const hash = 'c'.repeat(64);

function put(externalId: string, body: unknown, ingestKey = key) {
  return backend.http
    .put(`/ingest/v1/pages/${externalId}`)
    .set('authorization', `Bearer ${ingestKey}`)
    .set('content-type', 'application/json')
    .send(JSON.stringify(body));
}

function archive(externalId: string, body?: unknown) {
  const request = backend.http
    .post(`/ingest/v1/pages/${externalId}/archive`)
    .set('authorization', `Bearer ${key}`);
  return body === undefined
    ? request
    : request.set('content-type', 'application/json').send(JSON.stringify(body));
}

function listTree(tree: string, query = '', ingestKey = key) {
  return backend.http
    .get(`/ingest/v1/trees/${tree}/pages${query}`)
    .set('authorization', `Bearer ${ingestKey}`);
}

function expectProblem(response: { status: number; body: unknown }, status: number, code: string) {
  expect(response.status).toBe(status);
  const problem = problemSchema.parse(response.body);
  expect(problem.code).toBe(code);
  return problem;
}

/** A page Pagewire published, as the publisher records it. */
async function recordPublished(externalId: string, pageId: string, parentId: string | null) {
  await backend.backend.context.db
    .insertInto('publish_pages')
    .values({
      installation_id: tenant.installationId,
      space_key: 'ENG',
      external_id: externalId,
      page_id: pageId,
      space_id: '9',
      title: externalId,
      last_version: 1,
      last_hash: 'h',
      labels_json: '[]',
      last_job_id: 'job',
      updated_at: '2026-12-06T10:00:00.000Z',
      parent_id: parentId,
      indexed_page_id: null,
      human_edit_json: null,
    })
    .execute();
}

describe('GET /ingest/v1/trees/{tree}/pages', () => {
  it('lists the pages accepted with that origin tree, in the key’s space only', async () => {
    const accepted = await put('handbook~intro', {
      spaceKey: 'ENG',
      title: 'Intro',
      markdown: 'x',
      origin: { tree: 'handbook', path: 'intro.md', sourceHash: hash },
    });
    expect(accepted.status).toBe(202);

    const response = await listTree('handbook');
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const list = treePageListSchema.parse(response.body);
    expect(list).toMatchObject({
      tree: 'handbook',
      nextCursor: null,
      pages: [
        {
          externalId: 'handbook~intro',
          origin: { tree: 'handbook', path: 'intro.md', sourceHash: hash },
          pageId: null,
          status: 'current',
          lastJob: { id: accepted.body.jobId, state: 'queued' },
        },
      ],
    });
    expect(treePageListSchema.parse((await listTree('handbook', '', otherSpaceKey)).body).pages).toEqual([]);
  });

  it('refuses a tree name that is not one, and a cursor it did not hand out', async () => {
    expectProblem(await listTree('-bad'), 400, 'validation_failed');
    expectProblem(await listTree('handbook', '?cursor=bm9wZQ'), 400, 'invalid_cursor');
    expectProblem(await listTree('handbook', '?limit=5'), 400, 'validation_failed');
  });

  it('refuses a listing without an ingest key with 401', async () => {
    expectProblem(await backend.http.get('/ingest/v1/trees/handbook/pages'), 401, 'invalid_ingest_key');
  });
});

describe('PUT /ingest/v1/pages/{externalId} with a parent by external id', () => {
  it('refuses a page that names itself as its parent, or both kinds of parent', async () => {
    const self = expectProblem(
      await put('loop', { spaceKey: 'ENG', title: 'Loop', markdown: 'x', parentExternalId: 'loop' }),
      400,
      'validation_failed',
    );
    expect(self.errors?.[0]?.path).toBe('/parentExternalId');
    expectProblem(
      await put('both', {
        spaceKey: 'ENG',
        title: 'Both',
        markdown: 'x',
        parentExternalId: 'a',
        parentId: '12',
      }),
      400,
      'validation_failed',
    );
  });
});

describe('POST /ingest/v1/pages/{externalId}/archive', () => {
  it('queues an archive with 202 and where to poll it, with or without a body', async () => {
    await recordPublished('old-page', '5001', null);
    const response = await archive('old-page');
    expect(response.status).toBe(202);
    expect(response.headers.location).toBe(`/ingest/v1/jobs/${response.body.jobId}`);
    const dryRun = await archive('old-page', { dryRun: true });
    expect(dryRun.status).toBe(202);
    const job = await backend.http
      .get(`/ingest/v1/jobs/${dryRun.body.jobId}`)
      .set('authorization', `Bearer ${key}`);
    expect(job.body).toMatchObject({ externalId: 'old-page', dryRun: true });
  });

  it('refuses with 409 page_has_children while Pagewire pages sit under the page', async () => {
    await recordPublished('section', '6001', null);
    await recordPublished('section~child', '6002', '6001');
    const problem = expectProblem(await archive('section'), 409, 'page_has_children');
    expect(problem.detail).toContain('section~child');
  });

  it('answers 404 page_not_found for a page never published, and 400 for a body out of shape', async () => {
    expectProblem(await archive('never-published'), 404, 'page_not_found');
    await recordPublished('shaped', '7001', null);
    expectProblem(await archive('shaped', { dryRun: 'yes' }), 400, 'validation_failed');
    expectProblem(await archive('shaped', { purge: true }), 400, 'validation_failed');
  });

  it('answers other methods with 405', async () => {
    const response = await backend.http
      .get('/ingest/v1/pages/x/archive')
      .set('authorization', `Bearer ${key}`);
    expectProblem(response, 405, 'method_not_allowed');
  });
});
