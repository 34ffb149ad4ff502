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

  it('blocks every call once the hourly points are spent, until the top of the next UTC hour', () => {
    const limiter = createRateLimiter({
      burstPerSecond: null,
      quotaPointsPerHour: 10,
      quotaAppliesTo: 'app-tokens',
    });
    limiter.admit('app', 'app-system', T0 + 5 * 60_000);
    limiter.charge('app', 10, T0 + 5 * 60_000);
    const refused = limiter.admit('app', 'app-system', T0 + 30 * 60_000);
    expect(refused).toMatchObject({
      allowed: false,
      headers: {
        'ratelimit-reason': 'confluence-quota-global-based',
        'retry-after': String(30 * 60),
        'x-ratelimit-reset': '2026-11-28T11:00Z',
      },
    });
    expect(limiter.admit('app', 'app-system', T0 + HOUR).allowed).toBe(true);
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

  it('marks X-RateLimit-NearLimit once less than 20% of the quota is left', () => {
    const limiter = createRateLimiter({
      burstPerSecond: null,
      quotaPointsPerHour: 100,
      quotaAppliesTo: 'app-tokens',
    });
    limiter.admit('app', 'app-user', T0);
    limiter.charge('app', 80, T0);
    expect(limiter.headers('app', T0)).toMatchObject({
      'x-ratelimit-remaining': '20',
      'x-ratelimit-nearlimit': 'false',
    });
    limiter.charge('app', 1, T0);
    expect(limiter.headers('app', T0)).toMatchObject({
      'x-ratelimit-remaining': '19',
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
    limiter.configure({ burstPerSecond: 1, quotaPointsPerHour: null, quotaAppliesTo: 'app-tokens' });
    expect(limiter.admit('a', 'api-token-classic', T0).allowed).toBe(true);
    expect(limiter.headroom(T0)).toHaveLength(1);
  });
});
