import { UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from '../testing/test-backend';

/**
 * Plants every kind of secret the backend handles in real requests, then
 * greps everything it logged. Request lines must be there (so the test can
 * fail), and none of the secrets.
 */
describe('the logs', () => {
  let t: TestBackend;
  const planted: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestBackend({ logLevel: 'debug' });
    const tenant = t.tenant('acme');

    planted.fit = await t.functionFit(tenant);
    planted.systemToken = new UnsecuredJWT({ planted: 'system-token-secret-6a1f' })
      .setExpirationTime(Math.floor(t.clock.now.getTime() / 1000) + 3600)
      .encode();
    await t.http
      .post('/forge/v1/lifecycle.installed')
      .set('authorization', `Bearer ${planted.fit}`)
      .set('x-forge-oauth-system', planted.systemToken)
      .set('x-forge-oauth-user', 'user-token-secret-77c2')
      .send({ context: t.contextFor(tenant), input: {} })
      .expect(200);
    planted.userToken = 'user-token-secret-77c2';

    planted.apiToken = 'ATATT3xFfGF0-planted-api-token-b55e';
    await t.call(
      tenant,
      'apiToken.set',
      { email: 'svc@serviceaccount.atlassian.com', token: planted.apiToken, expiresAt: '2027-06-30' },
      { isSpaceAdmin: true },
    );
    // A check that fails with the token in its message must not carry it into the logs either.
    planted.crashingToken = 'ATATT3xFfGF0-token-in-an-error-9d0a';
    t.health.failWith(planted.crashingToken, new Error(`request with ${planted.crashingToken} failed`));
    await t.call(
      tenant,
      'apiToken.set',
      { email: 'svc@serviceaccount.atlassian.com', token: planted.crashingToken, expiresAt: '2027-06-30' },
      { isSpaceAdmin: true },
    );

    const { key } = await t.createIngestKey(tenant, 'ENG');
    planted.ingestKey = key;
    await t.http
      .put('/ingest/v1/blocks/logged')
      .set('authorization', `Bearer ${key}`)
      .send({ kind: 'markdown', title: 'x', content: 'x' })
      .expect(201);
    // A refused request logs too; the key it presented must not appear.
    planted.wrongKey = `pwk_${'Z'.repeat(43)}`;
    await t.http
      .put('/ingest/v1/blocks/logged')
      .set('authorization', `Bearer ${planted.wrongKey}`)
      .send({})
      .expect(401);
    planted.forgedFit = `${planted.fit.slice(0, -4)}AAAA`;
    await t.http
      .post('/forge/v1/blocks.list')
      .set('authorization', `Bearer ${planted.forgedFit}`)
      .send({})
      .expect(401);
  });
  afterAll(async () => {
    await t.close();
  });

  it('carry a request id and the installation id on request lines', () => {
    const requests = t.logs.lines().filter((line) => line.msg === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(6);
    expect(requests.every((line) => typeof line.requestId === 'string')).toBe(true);
    expect(requests.some((line) => line.installationId === t.tenant('acme').installationId)).toBe(true);
  });

  it('tie what is logged during a request to its request line by the request id', () => {
    const lines = t.logs.lines();
    const refused = lines.find((line) => line.msg === 'Forge invocation token refused');
    expect(refused).toMatchObject({ reason: 'signature', requestId: expect.any(String) });
    const request = lines.find((line) => line.msg === 'request' && line.requestId === refused?.requestId);
    expect(request).toMatchObject({ route: '/forge/v1/blocks.list', status: 401 });
  });

  it('never contain a token, a key or an authorization header', () => {
    const text = t.logs.text();
    for (const [what, secret] of Object.entries(planted)) {
      expect(text.includes(secret), `${what} leaked into the logs`).toBe(false);
    }
    // Not even the signature or payload segment of a token on its own.
    expect(text).not.toContain(planted.fit!.split('.')[2]!);
    expect(text).not.toContain(planted.ingestKey!.slice(10));
    expect(text.toLowerCase()).not.toContain('bearer');
  });
});
