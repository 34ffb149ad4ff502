import { describe, expect, it } from 'vitest';
import {
  classifyRateLimitReason,
  isGlobalQuotaReason,
  isQuotaReason,
  parseRateLimitStructured,
  parseResetTime,
  parseRetryAfter,
  RETRY_AFTER_CEILING_MS,
  readRateLimitHeaders,
} from './rate-limit-headers';

const NOW = Date.parse('2026-11-28T10:00:00Z');

describe('rate-limit headers', () => {
  it('reads Retry-After as seconds or as an HTTP date, and clamps absurd values', () => {
    expect(parseRetryAfter('30', NOW)).toBe(30_000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 10:00:45 GMT', NOW)).toBe(45_000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 09:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('9223372036854775807', NOW)).toBe(RETRY_AFTER_CEILING_MS);
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter(null, NOW)).toBeNull();
  });

  it('reads X-RateLimit-Reset without seconds, as Confluence has sent it', () => {
    expect(parseResetTime('2026-03-26T16:00Z')).toBe(Date.parse('2026-03-26T16:00:00Z'));
    expect(parseResetTime('2026-11-28T10:00:01.000Z')).toBe(NOW + 1000);
    expect(parseResetTime('1795864801')).toBe(1795864801 * 1000);
    expect(parseResetTime('garbage')).toBeNull();
  });

  it('parses the structured RateLimit headers in any order and joins them with their policy', () => {
    const headers = new Headers({
      'ratelimit-policy': '"tenant-app-quota";q=100000;w=3600, "global-app-quota";q=65000;w=3600',
      ratelimit: '"global-app-quota";r=1200;t=600',
    });
    const snapshot = readRateLimitHeaders(headers, NOW);
    expect(snapshot.enforced.policies).toEqual([
      { policy: 'tenant-app-quota', quota: 100000, windowSeconds: 3600 },
      { policy: 'global-app-quota', quota: 65000, windowSeconds: 3600, remaining: 1200, resetSeconds: 600 },
    ]);
    expect(parseRateLimitStructured('"a";r=x, ;;, "b";t=5').get('b')).toEqual({ t: 5 });
  });

  it('keeps enforced and preview figures apart', () => {
    const headers = new Headers({
      'x-ratelimit-limit': '100',
      'x-ratelimit-remaining': '15',
      'x-ratelimit-nearlimit': 'true',
      'ratelimit-reason': 'confluence-burst-based',
      'x-beta-ratelimit-limit': '65000',
      'x-beta-ratelimit-remaining': '900',
      'x-beta-ratelimit-nearlimit': 'true',
      'x-beta-ratelimit-reason': 'confluence-quota-tenant-based',
      'beta-retry-after': '60',
    });
    const { enforced, preview } = readRateLimitHeaders(headers, NOW);
    expect(enforced).toMatchObject({
      limit: 100,
      remaining: 15,
      nearLimit: true,
      reason: 'confluence-burst-based',
    });
    expect(enforced.retryAfterMs).toBeNull();
    expect(preview).toMatchObject({ limit: 65000, remaining: 900, reason: 'confluence-quota-tenant-based' });
    expect(preview.retryAfterMs).toBe(60_000);
  });

  // https://developer.atlassian.com/cloud/confluence/rate-limiting/ documents confluence-quota-global-based and
  // confluence-quota-tenant-based; a live answer has carried the undocumented conf-global-based
  // (docs/platform-notes.md#confluence-rate-limit-headers).
  it('recognises the documented quota reasons, and counts any reason that is not plainly burst as the global quota', () => {
    expect(classifyRateLimitReason('confluence-quota-global-based')).toBe('global-quota');
    expect(classifyRateLimitReason('confluence-quota-tenant-based')).toBe('tenant-quota');
    expect(classifyRateLimitReason('confluence-burst-based')).toBe('burst');
    expect(classifyRateLimitReason('conf-global-based')).toBe('global-quota');
    expect(classifyRateLimitReason('something-new')).toBe('global-quota');
    expect(classifyRateLimitReason(null)).toBe('burst');
    expect(isQuotaReason('conf-global-based')).toBe(true);
    expect(isGlobalQuotaReason('something-new')).toBe(true);
    expect(isGlobalQuotaReason('confluence-quota-tenant-based')).toBe(false);
    expect(isQuotaReason('confluence-burst-based')).toBe(false);
  });
});
