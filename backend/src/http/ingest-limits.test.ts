import { problemSchema } from '@pagewire/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { createPublishingExtension } from '../publishing/publishing-extension';
import { startTestBackend, type TestBackend } from '../testing/test-backend';

/** Issue 13, item 10: limits on ingest, and answers with secrets kept out of caches. */
let t: TestBackend | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const block = { kind: 'markdown', title: 'Notes', content: 'hello' };

function put(backend: TestBackend, key: string, path = '/ingest/v1/blocks/notes') {
  return backend.http
    .put(path)
    .set('authorization', `Bearer ${key}`)
    .set('content-type', 'application/json')
    .send(JSON.stringify(block));
}

function advance(backend: TestBackend, ms: number): void {
  backend.clock.now = new Date(backend.clock.now.getTime() + ms);
}

describe('ingest limits', () => {
  it('answers 429 with Retry-After and a problem once a key has used its burst, and accepts again after the refill', async () => {
    t = await startTestBackend({ logLevel: 'silent', ingestLimits: { perKey: '2/s,5' } });
    const { key } = await t.createIngestKey(t.tenant('acme'), 'ENG', 'ci');
    for (let n = 0; n < 5; n++) expect([200, 201]).toContain((await put(t, key)).status);
    const refused = await put(t, key);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    const problem = problemSchema.parse(refused.body);
    expect(problem).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 1 });
    expect(problem.detail).toMatch(/ingest key sent too many requests/);
    advance(t, 500);
    expect((await put(t, key)).status).toBe(200);
    expect((await put(t, key)).status).toBe(429);
  });

  it('limits each key apart, and all of an installation’s keys together', async () => {
    t = await startTestBackend({
      logLevel: 'silent',
      ingestLimits: { perKey: '1/s,3', perInstallation: '1/s,4' },
    });
    const acme = t.tenant('acme');
    const { key: first } = await t.createIngestKey(acme, 'ENG', 'ci');
    const { key: second } = await t.createIngestKey(acme, 'ENG', 'pager');
    const { key: other } = await t.createIngestKey(t.tenant('globex'), 'ENG', 'ci');
    for (let n = 0; n < 3; n++) expect((await put(t, first)).status).toBeLessThan(300);
    expect((await put(t, first)).status).toBe(429);
    // The second key has its own bucket, but the installation has one token left.
    expect((await put(t, second)).status).toBeLessThan(300);
    const installationFull = await put(t, second);
    expect(installationFull.status).toBe(429);
    expect(installationFull.body.detail).toMatch(/site’s ingest keys/);
    // Another installation is not affected.
    expect((await put(t, other)).status).toBeLessThan(300);
  });

  it('limits page publishes and job reads with the same buckets as block writes', async () => {
    t = await startTestBackend({
      logLevel: 'silent',
      ingestLimits: { perKey: '1/s,2' },
      extensions: [createPublishingExtension({ env: { PAGEWIRE_PUBLISH_POLL_MS: '60000' } })],
    });
    const { key } = await t.createIngestKey(t.tenant('acme'), 'ENG', 'ci');
    expect((await put(t, key)).status).toBe(201);
    const page = await t.http
      .put('/ingest/v1/pages/runbook')
      .set('authorization', `Bearer ${key}`)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ spaceKey: 'ENG', title: 'Runbook', markdown: 'hi' }));
    expect(page.status).toBe(202);
    const job = await t.http.get(`/ingest/v1/jobs/${page.body.jobId}`).set('authorization', `Bearer ${key}`);
    expect(job.status).toBe(429);
    expect(job.body.code).toBe('rate_limited');
  });

  it('slows an address that keeps sending wrong keys: 429 before its next key is even checked', async () => {
    t = await startTestBackend({ logLevel: 'silent', ingestLimits: { wrongKeys: '6/min,3' } });
    const { key } = await t.createIngestKey(t.tenant('acme'), 'ENG', 'ci');
    const wrong = `pwk_${'x'.repeat(43)}`;
    for (let n = 0; n < 3; n++) expect((await put(t, wrong)).status).toBe(401);
    const slowed = await put(t, wrong);
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers['retry-after'])).toBe(10);
    expect(slowed.body.code).toBe('rate_limited');
    // Even the right key waits: a guesser learns nothing while slowed.
    expect((await put(t, key)).status).toBe(429);
    advance(t, 10_000);
    expect((await put(t, key)).status).toBe(201);
  });

  it('counts wrong keys on the block reads and deletes too, so no ingest route is a free oracle', async () => {
    t = await startTestBackend({ logLevel: 'silent', ingestLimits: { wrongKeys: '6/min,3' } });
    const wrong = `pwk_${'y'.repeat(43)}`;
    const read = (path: string) => t!.http.get(path).set('authorization', `Bearer ${wrong}`);
    expect((await read('/ingest/v1/blocks')).status).toBe(401);
    expect((await read('/ingest/v1/blocks/status')).status).toBe(401);
    expect(
      (await t.http.delete('/ingest/v1/blocks/status').set('authorization', `Bearer ${wrong}`)).status,
    ).toBe(401);
    expect((await read('/ingest/v1/blocks')).status).toBe(429);
  });

  it('does not count good requests against the address', async () => {
    t = await startTestBackend({ logLevel: 'silent', ingestLimits: { wrongKeys: '1/min,1' } });
    const { key } = await t.createIngestKey(t.tenant('acme'), 'ENG', 'ci');
    for (let n = 0; n < 5; n++) expect((await put(t, key)).status).toBeLessThan(300);
  });
});

describe('answers that carry a secret', () => {
  it('sends the new ingest key and the saved API token answer with Cache-Control: no-store', async () => {
    t = await startTestBackend({ logLevel: 'silent' });
    const tenant = t.tenant('acme');
    const admin = { isSpaceAdmin: true };
    const created = await t.call(tenant, 'ingestKeys.create', { source: 'ci' }, admin);
    expect(created.status).toBe(200);
    expect(created.body.data.key).toMatch(/^pwk_/);
    expect(created.headers['cache-control']).toBe('no-store');
    const set = await t.call(
      tenant,
      'apiToken.set',
      {
        email: 'svc@serviceaccount.atlassian.com',
        token: 'ATATT3xFfGF0-a-scoped-token-123',
        expiresAt: '2027-06-30',
      },
      admin,
    );
    expect(set.status).toBe(200);
    // Every /forge/v1 answer is no-store too (security-headers-middleware.ts), so nothing here relies on the default.
    expect(set.headers['cache-control']).toBe('no-store');
  });
});
