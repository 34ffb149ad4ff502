import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter';

const HOUR = 3_600_000;
/** 2026-11-28T10:00:00Z, the top of an hour, so window arithmetic is easy to read. */
const T0 = Date.UTC(2026, 10, 28, 10, 0, 0);

describe('rate limiter', () => {
  it('refuses the request past the burst limit within one second and admits again in the next', () => {
    const limiter = createRateLimiter({
      burstPerSecond: 2,
      quotaPointsPerHour: null,
      quotaAppliesTo: 'app-tokens',
    });
    expect(limiter.admit('token', 'api-token-scoped', T0).allowed).toBe(true);
    expect(limiter.admit('token', 'api-token-scoped', T0 + 500).allowed).toBe(true);
    const refused = limiter.admit('token', 'api-token-scoped', T0 + 999);
    expect(refused).toMatchObject({
      allowed: false,
      headers: {
        'retry-after': '1',
        'ratelimit-reason': 'confluence-burst-based',
        'x-ratelimit-remaining': '0',
      },
    });
    expect(limiter.admit('token', 'api-token-scoped', T0 + 1000).allowed).toBe(true);
  });

  it('keeps each credential in its own window', () => {
    const limiter = createRateLimiter({
      burstPerSecond: 1,
      quotaPointsPerHour: null,
      quotaAppliesTo: 'app-tokens',
    });
    expect(limiter.admit('a', 'api-token-scoped', T0).allowed).toBe(true);
    expect(limiter.admit('b', 'api-token-scoped', T0).allowed).toBe(true);
    expect(limiter.admit('a', 'api-token-scoped', T0).allowed).toBe(false);
  });

  // https://developer.atlassian.com/cloud/confluence/rate-limiting/: for the points quota only RateLimit and
  // RateLimit-Policy are used; RateLimit-Reason and Retry-After come only with a 429.
  it('blocks every call once the hourly points are spent, until the top of the next UTC hour, with the quota headers', () => {
    const limiter = createRateLimiter({ burstPerSecond: null, quotaPointsPerHour: 10 });
    limiter.admit('app', 'app-system', T0 + 5 * 60_000);
    limiter.charge('app', 10, T0 + 5 * 60_000);
    const refused = limiter.admit('app', 'app-system', T0 + 30 * 60_000);
    expect(refused).toEqual({
      allowed: false,
      headers: {
        'ratelimit-policy': '"global-app-quota";q=10;w=3600',
        ratelimit: `"global-app-quota";r=0;t=${30 * 60}`,
        'ratelimit-reason': 'confluence-quota-global-based',
        'retry-after': String(30 * 60),
      },
    });
    expect(limiter.admit('app', 'app-system', T0 + HOUR).allowed).toBe(true);
  });

  it('never describes the quota with X-RateLimit-* and sends RateLimit-Reason only with a 429', () => {
    const limiter = createRateLimiter({ burstPerSecond: 100, quotaPointsPerHour: 100 });
    limiter.admit('app', 'app-system', T0);
    limiter.charge('app', 50, T0);
    expect(limiter.headers('app', T0)).toEqual({
      'x-ratelimit-limit': '100',
      'x-ratelimit-remaining': '99',
      'x-ratelimit-reset': '2026-11-28T10:00:01.000Z',
      'x-ratelimit-nearlimit': 'false',
      'ratelimit-policy': '"global-app-quota";q=100;w=3600',
    });
  });

  it('reports what is left of the quota in RateLimit once 80% is spent', () => {
    const limiter = createRateLimiter({ burstPerSecond: null, quotaPointsPerHour: 100 });
    limiter.admit('app', 'app-user', T0);
    limiter.charge('app', 79, T0);
    expect(limiter.headers('app', T0)).not.toHaveProperty('ratelimit');
    limiter.charge('app', 1, T0 + 60_000);
    expect(limiter.headers('app', T0 + 60_000)).toMatchObject({
      ratelimit: `"global-app-quota";r=20;t=${59 * 60}`,
    });
  });

  it('shares the Tier 1 pool between every installation of one app, and keeps Tier 2 pools apart', () => {
    const global = createRateLimiter({ burstPerSecond: null, quotaPointsPerHour: 4 });
    global.admit('app:inst-a', 'app-system', T0, 'app-1');
    global.charge('app:inst-a', 4, T0);
    expect(global.admit('app:inst-b', 'app-system', T0, 'app-1').allowed).toBe(false);
    expect(global.admit('app:inst-c', 'app-system', T0, 'app-2').allowed).toBe(true);

    const tenant = createRateLimiter({ burstPerSecond: null, quotaPointsPerHour: 4, quotaPolicy: 'tenant' });
    tenant.admit('app:inst-a', 'app-system', T0, 'app-1');
    tenant.charge('app:inst-a', 4, T0);
    const refused = tenant.admit('app:inst-a', 'app-system', T0, 'app-1');
    expect(refused).toMatchObject({
      allowed: false,
      headers: {
        'ratelimit-reason': 'confluence-quota-tenant-based',
        'ratelimit-policy': '"tenant-app-quota";q=4;w=3600',
      },
    });
    expect(tenant.admit('app:inst-b', 'app-system', T0, 'app-1').allowed).toBe(true);
  });

  it('sends a configured undocumented reason on a quota 429, as production has been seen to', () => {
    const limiter = createRateLimiter({
      burstPerSecond: null,
      quotaPointsPerHour: 1,
      quotaReason: 'conf-global-based',
    });
    limiter.admit('app', 'app-system', T0);
    limiter.charge('app', 1, T0);
    expect(limiter.admit('app', 'app-system', T0)).toMatchObject({
      allowed: false,
      headers: { 'ratelimit-reason': 'conf-global-based' },
    });
  });

  it('does not charge API tokens against the quota unless told to', () => {
    const appsOnly = createRateLimiter({
      burstPerSecond: null,
      quotaPointsPerHour: 1,
      quotaAppliesTo: 'app-tokens',
    });
    appsOnly.admit('token', 'api-token-scoped', T0);
    appsOnly.charge('token', 5, T0);
    expect(appsOnly.admit('token', 'api-token-scoped', T0).allowed).toBe(true);
    const everyone = createRateLimiter({
      burstPerSecond: null,
      quotaPointsPerHour: 1,
      quotaAppliesTo: 'all',
    });
    everyone.admit('token', 'api-token-scoped', T0);
    everyone.charge('token', 5, T0);
    expect(everyone.admit('token', 'api-token-scoped', T0).allowed).toBe(false);
  });

  it('marks X-RateLimit-NearLimit once less than 20% of the burst window is left', () => {
    const limiter = createRateLimiter({ burstPerSecond: 10, quotaPointsPerHour: null });
    for (let i = 0; i < 8; i += 1) limiter.admit('token', 'api-token-scoped', T0);
    expect(limiter.headers('token', T0)).toMatchObject({
      'x-ratelimit-remaining': '2',
      'x-ratelimit-nearlimit': 'false',
    });
    limiter.admit('token', 'api-token-scoped', T0);
    expect(limiter.headers('token', T0)).toMatchObject({
      'x-ratelimit-remaining': '1',
      'x-ratelimit-nearlimit': 'true',
    });
  });

  it('forgets all counters when reconfigured', () => {
    const limiter = createRateLimiter({
      burstPerSecond: 1,
      quotaPointsPerHour: null,
      quotaAppliesTo: 'app-tokens',
    });
    limiter.admit('a', 'api-token-classic', T0);
    limiter.configure({ ...limiter.settings(), burstPerSecond: 1, quotaPointsPerHour: null });
    expect(limiter.admit('a', 'api-token-classic', T0).allowed).toBe(true);
    expect(limiter.headroom(T0)).toHaveLength(1);
  });
});
