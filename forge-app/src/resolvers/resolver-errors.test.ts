import { problemCodes } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { resolverError, retryAtFrom } from './resolver-errors';

const now = new Date('2026-11-28T10:00:00Z');

describe('when to try again', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAtFrom(undefined, '90', now)?.toISOString()).toBe('2026-11-28T10:01:30.000Z');
    expect(retryAtFrom(undefined, 'Sat, 28 Nov 2026 10:05:00 GMT', now)?.toISOString()).toBe(
      '2026-11-28T10:05:00.000Z',
    );
  });

  it('prefers the problem’s own retryAfterSeconds', () => {
    expect(retryAtFrom(30, '600', now)?.toISOString()).toBe('2026-11-28T10:00:30.000Z');
  });

  it('clamps absurd waits to an hour and ignores garbage', () => {
    expect(retryAtFrom(undefined, '9223372036854775807', now)?.toISOString()).toBe(
      '2026-11-28T11:00:00.000Z',
    );
    expect(retryAtFrom(undefined, 'soon', now)).toBeUndefined();
    expect(retryAtFrom(undefined, null, now)).toBeUndefined();
  });
});

describe('what the user reads', () => {
  it('has a sentence for every problem code', () => {
    for (const code of problemCodes) expect(resolverError(code).message.length).toBeGreaterThan(20);
  });

  it('says how long to wait when it is known, and that waiting helps when it is not', () => {
    expect(resolverError('rate_limited', { retry: { at: new Date(now.getTime() + 45_000), now } })).toEqual({
      code: 'rate_limited',
      message: 'Too many requests right now. Try again in 45 seconds.',
      retryAt: '2026-11-28T10:00:45.000Z',
    });
    expect(resolverError('confluence_rate_limited').message).toBe(
      'Confluence is asking Pagewire to slow down. Try again shortly.',
    );
  });
});
