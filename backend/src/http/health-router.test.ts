import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from '../testing/test-backend';

let t: TestBackend;
beforeEach(async () => {
  t = await startTestBackend({ logLevel: 'silent' });
});
afterEach(async () => {
  await t.close().catch(() => {});
});

describe('the public endpoints', () => {
  it('/healthz answers while the process is up', async () => {
    const response = await t.http.get('/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('/readyz answers ready once the database answers and is migrated', async () => {
    expect((await t.http.get('/readyz')).body).toEqual({ status: 'ready' });
  });

  it('/readyz stays ready but reports stored tokens the master key cannot open, with what to do', async () => {
    const sealed = t.backend.secretBox.seal('ATATT3x-old', {
      kind: 'api-token',
      installationId: 'ari:cloud:ecosystem::installation/x',
      spaceKey: 'ENG',
    });
    await t.backend.context.repositories.apiTokens.save(
      {
        installationId: 'ari:cloud:ecosystem::installation/x',
        spaceKey: 'ENG',
        email: 'svc@example.com',
        sealed: { keyId: 'mk_0000000000000000', ciphertext: sealed.ciphertext },
        expiresOn: '2027-06-30',
        health: { status: 'ok', missingScopes: [], checkedAt: t.clock.now.toISOString() },
        grantedScopes: [],
        nextCheckAt: t.clock.now.toISOString(),
        createdAt: t.clock.now.toISOString(),
        createdBy: 'admin',
      },
      t.clock.now,
    );
    const response = await t.http.get('/readyz');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'ready',
      warnings: [{ code: 'undecryptable_secrets', count: 1 }],
    });
    expect(response.body.warnings[0].action).toContain('PAGEWIRE_PREVIOUS_MASTER_KEYS');
  });

  it('/readyz answers 503 when the database is gone', async () => {
    await t.backend.context.database.close();
    const response = await t.http.get('/readyz');
    expect(response.status).toBe(503);
    expect(response.body.code).toBe('service_unavailable');
    expect(response.headers['retry-after']).toBe('5');
  });

  it('/metrics reports latency by route, FIT rejections, ingest writes and queue depth', async () => {
    const tenant = t.tenant('acme');
    await t.call(tenant, 'blocks.list', {});
    await t.http.post('/forge/v1/blocks.list').set('authorization', 'Bearer nonsense').send({});
    const { key } = await t.createIngestKey(tenant, 'ENG');
    await t.http
      .put('/ingest/v1/blocks/m')
      .set('authorization', `Bearer ${key}`)
      .send({ kind: 'markdown', title: 'm', content: 'm' });

    const response = await t.http.get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const text = response.text;
    expect(text).toMatch(
      /pagewire_http_request_duration_seconds_count\{method="POST",route="\/forge\/v1\/blocks\.list",status_code="200"\} 1/,
    );
    expect(text).toMatch(/pagewire_fit_rejections_total\{reason="malformed"\} 1/);
    expect(text).toMatch(/pagewire_ingest_writes_total\{result="created"\} 1/);
    expect(text).toMatch(/pagewire_queue_depth\{queue="api_token_checks"\} 0/);
    expect(text).toMatch(/process_cpu_user_seconds_total/);
  });

  it('labels unknown paths as unmatched, not by their raw path', async () => {
    await t.http.get('/wp-admin/setup.php');
    const text = (await t.http.get('/metrics')).text;
    expect(text).toMatch(/route="unmatched"/);
    expect(text).not.toContain('wp-admin');
  });

  it('sets the usual security headers', async () => {
    const response = await t.http.get('/healthz');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
