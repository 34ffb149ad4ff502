import { describe, expect, it } from 'vitest';
import { bearer, call, createPage, declareEmulator, scopedAuth } from '../support/emulator-fixture';

/**
 * Rate limits as https://developer.atlassian.com/cloud/confluence/rate-limiting/
 * documents them (docs/platform-notes.md#confluence-rate-limit-headers): a
 * burst window described by X-RateLimit-*, an hourly points quota described
 * only by RateLimit-Policy and RateLimit, and RateLimit-Reason and Retry-After
 * only on a 429. Faults stand in for the 5xx, latency and dropped
 * connections a client must survive (docs/platform-notes.md#retrying-confluence-calls).
 */
describe('rate limits', () => {
  const env = declareEmulator();

  it('sends the burst headers on every authenticated answer, and no RateLimit-Reason or Retry-After without a 429', async () => {
    const site = await env.dev.seedSite();
    const response = await call(`${site.gatewayUrl}/wiki/api/v2/spaces`, { authorization: scopedAuth(site) });
    for (const header of [
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
      'x-ratelimit-nearlimit',
    ]) {
      expect(response.headers.get(header), header).not.toBeNull();
    }
    expect(Number.isNaN(Date.parse(response.headers.get('x-ratelimit-reset')!))).toBe(false);
    expect(response.headers.get('ratelimit-reason')).toBeNull();
    expect(response.headers.get('retry-after')).toBeNull();
    // API-token traffic is not under the points quota, so no quota policy either.
    expect(response.headers.get('ratelimit-policy')).toBeNull();
  });

  it('answers 429 with Retry-After and an empty body once the burst window is spent, per credential', async () => {
    await env.dev.setLimits({ burstPerSecond: 3, quotaPointsPerHour: null });
    try {
      const site = await env.dev.seedSite();
      const url = `${site.gatewayUrl}/wiki/api/v2/spaces`;
      const statuses: number[] = [];
      let refused: Awaited<ReturnType<typeof call>> | undefined;
      // Keep asking within one wall-clock second until the window refuses;
      // the loop is bounded so a second boundary cannot make it flaky.
      for (let attempt = 0; attempt < 50 && !refused; attempt++) {
        const response = await call(url, { authorization: scopedAuth(site) });
        statuses.push(response.status);
        if (response.status === 429) refused = response;
      }
      expect(refused).toBeDefined();
      expect(refused!.text).toBe('');
      expect(refused!.headers.get('retry-after')).toBe('1');
      expect(refused!.headers.get('ratelimit-reason')).toBe('confluence-burst-based');
      expect(refused!.headers.get('x-ratelimit-remaining')).toBe('0');
      // Another credential has its own window.
      const { token } = await env.dev.mintAppToken({ installationId: site.installationId });
      expect((await call(url, { authorization: bearer(token) })).status).toBe(200);
    } finally {
      await env.dev.reset();
    }
  });

  it('charges app tokens 2 points per content read and 1 per write, describes the quota only with RateLimit-Policy and RateLimit, and refuses calls once it is spent', async () => {
    await env.dev.setLimits({ burstPerSecond: 100, quotaPointsPerHour: 5 });
    try {
      const site = await env.dev.seedSite();
      const { token } = await env.dev.mintAppToken({ installationId: site.installationId });
      const auth = bearer(token);
      const created = await createPage(site, { title: 'Quota', authorization: auth });
      expect(created.headers.get('ratelimit-policy')).toBe('"global-app-quota";q=5;w=3600');
      // 1 of 5 spent: under 80 %, so no `r` yet.
      expect(created.headers.get('ratelimit')).toBeNull();
      // X-RateLimit-* keep describing the burst window, never the quota.
      expect(created.headers.get('x-ratelimit-limit')).toBe('100');
      const read = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${created.json.id}`, {
        authorization: auth,
      });
      expect(read.headers.get('ratelimit')).toBeNull();
      const second = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${created.json.id}`, {
        authorization: auth,
      });
      expect(second.status).toBe(200);
      expect(second.headers.get('ratelimit')).toMatch(/^"global-app-quota";r=0;t=\d+$/);
      expect(second.headers.get('ratelimit-reason')).toBeNull();
      const refused = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${created.json.id}`, {
        authorization: auth,
      });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('ratelimit-reason')).toBe('confluence-quota-global-based');
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect(refused.headers.get('ratelimit')).toBe(`"global-app-quota";r=0;t=${retryAfter}`);
      // API-token traffic is "not affected" by the points quota (rate-limiting page).
      const viaToken = await call(`${site.gatewayUrl}/wiki/api/v2/spaces`, {
        authorization: scopedAuth(site),
      });
      expect(viaToken.status).toBe(200);
    } finally {
      await env.dev.reset();
    }
  });

  it('spends one Tier 1 quota for every installation of the app', async () => {
    await env.dev.setLimits({ burstPerSecond: null, quotaPointsPerHour: 2 });
    try {
      const first = await env.dev.seedSite();
      const second = await env.dev.seedSite();
      const tokenA = (await env.dev.mintAppToken({ installationId: first.installationId })).token;
      const tokenB = (await env.dev.mintAppToken({ installationId: second.installationId })).token;
      expect(
        (await call(`${first.gatewayUrl}/wiki/api/v2/spaces`, { authorization: bearer(tokenA) })).status,
      ).toBe(200);
      const refused = await call(`${second.gatewayUrl}/wiki/api/v2/spaces`, {
        authorization: bearer(tokenB),
      });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('ratelimit-reason')).toBe('confluence-quota-global-based');
    } finally {
      await env.dev.reset();
    }
  });

  it('reports the headroom of each credential through the Dev API', async () => {
    const site = await env.dev.seedSite();
    await call(`${site.gatewayUrl}/wiki/api/v2/spaces`, { authorization: scopedAuth(site) });
    const headroom = await env.dev.rateLimits();
    const entry = headroom.find((candidate) => candidate.kind === 'api-token-scoped');
    expect(entry?.burst?.remaining).toBe((entry?.burst?.limit ?? 0) - 1);
  });
});

describe('faults', () => {
  const env = declareEmulator();

  it('fails the next matching request with the configured status and Retry-After, then recovers', async () => {
    const site = await env.dev.seedSite();
    await env.dev.setFaults({
      rules: [
        {
          path: '/ex/confluence/*/wiki/api/v2/spaces',
          errorRate: 1,
          status: 503,
          retryAfterSeconds: 7,
          times: 1,
        },
      ],
    });
    const url = `${site.gatewayUrl}/wiki/api/v2/spaces`;
    const failed = await call(url, { authorization: scopedAuth(site) });
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('7');
    expect((await call(url, { authorization: scopedAuth(site) })).status).toBe(200);
  });

  it('drops the connection without an answer', async () => {
    const site = await env.dev.seedSite();
    await env.dev.setFaults({ rules: [{ path: '/ex/confluence/**', dropRate: 1, times: 1 }] });
    await expect(
      fetch(`${site.gatewayUrl}/wiki/api/v2/spaces`, { headers: { authorization: scopedAuth(site) } }),
    ).rejects.toThrow();
    const log = await env.dev.requests({ cloudId: site.cloudId });
    expect(log.at(-1)).toMatchObject({ fault: 'drop' });
  });

  it('adds latency before answering: a delayed call finishes after an undelayed one sent later', async () => {
    const site = await env.dev.seedSite();
    await env.dev.setFaults({
      rules: [{ path: '/ex/confluence/*/wiki/api/v2/spaces', latencyMs: 300, times: 1 }],
    });
    const order: string[] = [];
    const slow = call(`${site.gatewayUrl}/wiki/api/v2/spaces`, { authorization: scopedAuth(site) }).then(() =>
      order.push('delayed'),
    );
    const fast = call(`${site.gatewayUrl}/wiki/api/v2/pages`, { authorization: scopedAuth(site) }).then(() =>
      order.push('undelayed'),
    );
    await Promise.all([slow, fast]);
    expect(order).toEqual(['undelayed', 'delayed']);
  });

  it('applies an error rate repeatably for a given seed', async () => {
    const site = await env.dev.seedSite();
    const url = `${site.gatewayUrl}/wiki/api/v2/spaces`;
    async function run() {
      await env.dev.setFaults({
        seed: 7,
        rules: [{ path: '/ex/confluence/**', errorRate: 0.5, status: 500 }],
      });
      const statuses: number[] = [];
      for (let index = 0; index < 12; index++)
        statuses.push((await call(url, { authorization: scopedAuth(site) })).status);
      return statuses;
    }
    const first = await run();
    const second = await run();
    await env.dev.clearFaults();
    expect(first).toEqual(second);
    expect(first).toContain(500);
    expect(first).toContain(200);
  });

  it('can fail the JWKS endpoint, and never the Dev API', async () => {
    await env.dev.setFaults({ rules: [{ path: '/**', errorRate: 1, status: 502 }] });
    expect((await call(env.dev.jwksUrl)).status).toBe(502);
    await env.dev.clearFaults();
    expect((await call(env.dev.jwksUrl)).status).toBe(200);
  });

  it('refuses a faults document with an unknown status with a validation problem', async () => {
    const response = await call(`${env.dev.url}/_dev/faults`, {
      method: 'PUT',
      body: { rules: [{ path: '/x', errorRate: 1, status: 418 }] },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.json.code).toBe('validation_failed');
  });
});
