import { describe, expect, it } from 'vitest';
import { call, declareEmulator, scopedAuth } from '../support/emulator-fixture';

/**
 * The emulator keeps time with the clock it is given (`now`), so tests about
 * pacing and Retry-After can move time themselves instead of waiting for it.
 */
describe('the emulator on a clock the test moves', () => {
  const start = Date.parse('2026-11-28T10:00:00.250Z');
  let now = start;
  const env = declareEmulator({ now: () => now });

  it('counts the burst window, Retry-After and the request log in its own time', async () => {
    const site = await env.dev.seedSite();
    await env.dev.setLimits({ burstPerSecond: 1, quotaPointsPerHour: null });
    const url = `${site.gatewayUrl}/wiki/api/v2/spaces`;
    const since = (await env.dev.requests()).at(-1)?.seq ?? 0;

    expect((await call(url, { authorization: scopedAuth(site) })).status).toBe(200);
    const refused = await call(url, { authorization: scopedAuth(site) });
    expect(refused.status).toBe(429);
    // 250 ms into the second: the window resets in 750 ms, rounded up to whole seconds.
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('x-ratelimit-reset')).toBe('2026-11-28T10:00:01.000Z');

    now = start + 750;
    expect((await call(url, { authorization: scopedAuth(site) })).status).toBe(200);

    const log = await env.dev.requests({ since, cloudId: site.cloudId });
    expect(log.map((entry) => [entry.status, entry.time])).toEqual([
      [200, '2026-11-28T10:00:00.250Z'],
      [429, '2026-11-28T10:00:00.250Z'],
      [200, '2026-11-28T10:00:01.000Z'],
    ]);
  });
});
