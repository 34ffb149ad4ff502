import { describe, expect, it } from 'vitest';
import { getPageById } from './api/pages';
import type { ConfluenceClient } from './client';
import type { Clock } from './clock';
import { type ConfluenceCredential, createApiTokenCredential, createAppTokenCredential } from './credential';
import { isRateLimitError, type RateLimitError } from './errors';
import { APP_GLOBAL_POOL, createPacer, type Pacer, pacingTargetFor } from './pacer';
import { createMemoryPacerStore, type PacerStore } from './pacer-store';
import { createFakeClient } from './testing/fake-client';
import { createFakeClock, type FakeClock } from './testing/fake-clock';
import { type FakeHandler, jsonResponse } from './testing/fake-fetch';

const API_BASE = 'https://api.atlassian.com';
const BASE = `${API_BASE}/ex/confluence/c0ffee00-0000-4000-8000-000000000001`;

function appCredential(installationId = 'inst-1') {
  return createAppTokenCredential({
    installationId,
    token: `token-${installationId}`,
    expiresAt: new Date('2026-11-28T14:00:00Z'),
    scopes: ['read:page:confluence'],
  });
}

const page = { id: '1', status: 'current', title: 'P', spaceId: '9', version: { number: 1 } };

/**
 * A Confluence stand-in with a fixed one-second burst window of `limit`
 * requests, answering with the documented headers and 429 + Retry-After
 * beyond the limit.
 */
function burstLimitedServer(clock: Clock, limit: number) {
  const counts = new Map<number, number>();
  const stats = { ok: 0, throttled: 0 };
  const handler: FakeHandler = () => {
    const window = Math.floor(clock.now() / 1000);
    const used = (counts.get(window) ?? 0) + 1;
    counts.set(window, used);
    const headers = {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(limit - used, 0)),
      'x-ratelimit-reset': new Date((window + 1) * 1000).toISOString(),
    };
    if (used > limit) {
      stats.throttled += 1;
      return jsonResponse(
        429,
        {},
        { ...headers, 'retry-after': '1', 'ratelimit-reason': 'confluence-burst-based' },
      );
    }
    stats.ok += 1;
    return jsonResponse(200, page, headers);
  };
  return { handler, stats };
}

function clientFor(
  clock: FakeClock,
  handler: FakeHandler,
  pacer: Pacer,
  credential: ConfluenceCredential = appCredential(),
) {
  return createFakeClient({ handler, clock, baseUrl: BASE, credential, pacer });
}

async function readMany(client: ConfluenceClient, count: number): Promise<PromiseSettledResult<unknown>[]> {
  return Promise.allSettled(
    Array.from({ length: count }, () => getPageById(client, { id: '1', bodyFormat: 'none' })),
  );
}

describe('adaptive pacing', () => {
  it('runs 2,000 requests at close to a 50/s burst limit without a single 429', async () => {
    const clock = createFakeClock();
    const server = burstLimitedServer(clock, 50);
    const { client } = clientFor(clock, server.handler, createPacer({ clock }));
    const started = clock.now();
    const results = await clock.run(readMany(client, 2000));
    const elapsedSeconds = (clock.now() - started) / 1000;
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    expect(server.stats.throttled).toBe(0);
    // 40 s is the floor at 50/s; the pacer aims a little under the limit.
    expect(elapsedSeconds).toBeGreaterThanOrEqual(40);
    expect(elapsedSeconds).toBeLessThan(46);
  });

  it('learns a burst limit it only sees on a 429, when successes report the hourly quota instead', async () => {
    const clock = createFakeClock();
    const burst = burstLimitedServer(clock, 20);
    const quotaReset = new Date(Date.parse('2026-11-28T11:00:00Z')).toISOString();
    // Forge app traffic: 200s describe the points quota; only a throttled answer shows the burst window.
    const handler: FakeHandler = async (request) => {
      const response = await burst.handler(request);
      if (response.status === 429) return response;
      return jsonResponse(200, page, {
        'x-ratelimit-limit': '65000',
        'x-ratelimit-remaining': '60000',
        'x-ratelimit-reset': quotaReset,
        'x-ratelimit-nearlimit': 'false',
        'ratelimit-reason': 'confluence-quota-global-based',
      });
    };
    const pacer = createPacer({ clock });
    const { client } = clientFor(clock, handler, pacer);
    const results = await clock.run(readMany(client, 500));
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    expect(burst.stats.throttled).toBeLessThanOrEqual(3);
    expect(pacer.stateOf(pacingTargetFor(appCredential()).key)?.burstLimitPerSecond).toBe(20);
  });

  it('starts with one probing request, then lets the rest through at the learned pace', async () => {
    const clock = createFakeClock();
    const server = burstLimitedServer(clock, 10);
    const pacer = createPacer({ clock });
    const { client, requests } = clientFor(clock, server.handler, pacer);
    await clock.run(readMany(client, 21));
    expect(server.stats.throttled).toBe(0);
    const state = pacer.stateOf(pacingTargetFor(appCredential()).key);
    expect(state?.burstLimitPerSecond).toBe(10);
    expect(state?.intervalMs).toBeCloseTo(1000 / (10 * 0.94), 0);
    // The second request could not start before the first one's headers had been read.
    expect(requests[1]?.at).toBeGreaterThanOrEqual(requests[0]?.at ?? 0);
  });

  it('spreads what is left of a nearly spent quota evenly until its reset', async () => {
    const clock = createFakeClock();
    const resetAt = clock.now() + 60_000;
    let remaining = 12;
    const pacer = createPacer({ clock });
    const { client, requests } = clientFor(
      clock,
      () => {
        remaining -= 1;
        return jsonResponse(200, page, {
          'x-ratelimit-limit': '65000',
          'x-ratelimit-remaining': String(remaining),
          'x-ratelimit-reset': new Date(resetAt).toISOString(),
          'x-ratelimit-nearlimit': 'true',
          'ratelimit-reason': 'confluence-quota-global-based',
        });
      },
      pacer,
    );
    await clock.run(readMany(client, 6));
    const gaps = requests.slice(1).map((request, i) => request.at - (requests[i]?.at ?? 0));
    // 60 s over ~11 left: several seconds apart, not a burst.
    expect(Math.min(...gaps.slice(1))).toBeGreaterThan(4_000);
  });

  it('paces by the Beta preview headers too, so upcoming limits do not surprise a long run', async () => {
    const clock = createFakeClock();
    const pacer = createPacer({ clock });
    const resetAt = clock.now() + 30_000;
    const { client, requests } = clientFor(
      clock,
      () =>
        jsonResponse(200, page, {
          'x-beta-ratelimit-limit': '1000',
          'x-beta-ratelimit-remaining': '10',
          'x-beta-ratelimit-reset': new Date(resetAt).toISOString(),
          'x-beta-ratelimit-nearlimit': 'true',
        }),
      pacer,
    );
    await clock.run(readMany(client, 4));
    expect((requests[3]?.at ?? 0) - (requests[1]?.at ?? 0)).toBeGreaterThan(4_000);

    const observing = createFakeClock();
    const relaxed = clientFor(
      observing,
      () =>
        jsonResponse(200, page, { 'x-beta-ratelimit-remaining': '10', 'x-beta-ratelimit-nearlimit': 'true' }),
      createPacer({ clock: observing, previewHeaders: 'observe' }),
    );
    await observing.run(readMany(relaxed.client, 4));
    expect((relaxed.requests[3]?.at ?? 0) - (relaxed.requests[0]?.at ?? 0)).toBe(0);
  });

  it('holds the whole app pool after a global-quota 429, and fails fast when the reset is far away', async () => {
    const clock = createFakeClock();
    const store = createMemoryPacerStore();
    const pacer = createPacer({ clock, store });
    const resetAt = clock.now() + 20 * 60_000;
    const tripped = clientFor(
      clock,
      () =>
        jsonResponse(
          429,
          {},
          {
            'retry-after': '1200',
            'x-ratelimit-reset': new Date(resetAt).toISOString(),
            'ratelimit-reason': 'confluence-quota-global-based',
          },
        ),
      pacer,
    );
    const first = (await clock
      .run(getPageById(tripped.client, { id: '1', bodyFormat: 'none' }))
      .catch((e: unknown) => e)) as RateLimitError;
    expect(isRateLimitError(first)).toBe(true);
    expect(first.scope).toBe('quota');

    // Another installation's app traffic draws on the same global pool: it is held too, without a request.
    const other = clientFor(clock, () => jsonResponse(200, page), pacer, appCredential('inst-2'));
    const held = (await clock
      .run(getPageById(other.client, { id: '1', bodyFormat: 'none' }))
      .catch((e: unknown) => e)) as RateLimitError;
    expect(isRateLimitError(held)).toBe(true);
    expect(held.retryAfterMs).toBeGreaterThan(19 * 60_000);
    expect(other.requests).toHaveLength(0);
    expect(await store.activePause([APP_GLOBAL_POOL], clock.now())).not.toBeNull();

    // API-token traffic is not part of the app's points pool.
    const apiCredential = createApiTokenCredential({
      installationId: 'inst-2',
      spaceKey: 'ENG',
      email: 'svc@serviceaccount.atlassian.com',
      token: 'x',
      scopes: ['read:page:confluence'],
    });
    const viaApiToken = clientFor(clock, () => jsonResponse(200, page), pacer, apiCredential);
    await clock.run(getPageById(viaApiToken.client, { id: '1', bodyFormat: 'none' }));
    expect(viaApiToken.requests).toHaveLength(1);
  });

  // https://developer.atlassian.com/cloud/confluence/rate-limiting/: the points quota is described only by
  // RateLimit-Policy and RateLimit (`r` once ~80 % is spent); X-RateLimit-* describe the burst window.
  it('spreads a nearly spent points quota, read from RateLimit and RateLimit-Policy, over every installation of the app', async () => {
    const clock = createFakeClock();
    const pacer = createPacer({ clock });
    let points = 24;
    const resetAt = clock.now() + 60_000;
    const quotaServer: FakeHandler = () => {
      points -= 2;
      return jsonResponse(200, page, {
        'x-ratelimit-limit': '100',
        'x-ratelimit-remaining': '99',
        'x-ratelimit-reset': new Date(Math.floor(clock.now() / 1000) * 1000 + 1000).toISOString(),
        'ratelimit-policy': '"global-app-quota";q=65000;w=3600',
        ratelimit: `"global-app-quota";r=${points};t=${Math.ceil((resetAt - clock.now()) / 1000)}`,
      });
    };
    const first = clientFor(clock, quotaServer, pacer, appCredential('inst-1'));
    const second = clientFor(clock, quotaServer, pacer, appCredential('inst-2'));
    await clock.run(getPageById(first.client, { id: '1', bodyFormat: 'none' }));
    await clock.run(Promise.all([readMany(first.client, 3), readMany(second.client, 3)]));
    const starts = [...first.requests.slice(1), ...second.requests]
      .map((request) => request.at)
      .sort((a, b) => a - b);
    const gaps = starts.slice(1).map((at, i) => at - (starts[i] ?? 0));
    // ~11 requests' worth of points for 60 s: seconds apart across both installations, not a burst.
    expect(Math.min(...gaps)).toBeGreaterThan(3_000);
    expect(pacer.stateOf(pacingTargetFor(appCredential('inst-1')).key)?.throttled429s).toBe(0);
  });

  it('holds the pool until the reset once RateLimit reports no points left, without asking for a 429', async () => {
    const clock = createFakeClock();
    const store = createMemoryPacerStore();
    const pacer = createPacer({ clock, store, maxWaitMs: 60_000 });
    const spent = clientFor(
      clock,
      () =>
        jsonResponse(200, page, {
          'ratelimit-policy': '"global-app-quota";q=65000;w=3600',
          ratelimit: '"global-app-quota";r=0;t=600',
        }),
      pacer,
    );
    await clock.run(getPageById(spent.client, { id: '1', bodyFormat: 'none' }));
    expect(await store.activePause([APP_GLOBAL_POOL], clock.now())).not.toBeNull();
    const other = clientFor(clock, () => jsonResponse(200, page), pacer, appCredential('inst-2'));
    const held = (await clock
      .run(getPageById(other.client, { id: '1', bodyFormat: 'none' }))
      .catch((e: unknown) => e)) as RateLimitError;
    expect(isRateLimitError(held)).toBe(true);
    expect(held.scope).toBe('quota');
    expect(other.requests).toHaveLength(0);
  });

  // A live 429 has carried RateLimit-Reason: conf-global-based, which no doc lists
  // (docs/platform-notes.md#confluence-rate-limit-headers).
  it("holds the app's whole pool after a 429 whose reason it does not recognise", async () => {
    const clock = createFakeClock();
    const store = createMemoryPacerStore();
    const pacer = createPacer({ clock, store });
    const tripped = clientFor(
      clock,
      () => jsonResponse(429, {}, { 'retry-after': '1800', 'ratelimit-reason': 'conf-global-based' }),
      pacer,
    );
    const first = (await clock
      .run(getPageById(tripped.client, { id: '1', bodyFormat: 'none' }))
      .catch((e: unknown) => e)) as RateLimitError;
    expect(first.scope).toBe('quota');
    const pause = await store.activePause([APP_GLOBAL_POOL], clock.now());
    expect(pause?.until).toBeGreaterThanOrEqual(clock.now() + 29 * 60_000);
    const other = clientFor(clock, () => jsonResponse(200, page), pacer, appCredential('inst-2'));
    await clock.run(getPageById(other.client, { id: '1', bodyFormat: 'none' })).catch(() => undefined);
    expect(other.requests).toHaveLength(0);
  });

  it('holds only the tenant after a tenant-quota 429, and waits out a short pause instead of failing', async () => {
    const clock = createFakeClock();
    const pacer = createPacer({ clock });
    let calls = 0;
    const tenant = clientFor(
      clock,
      () => {
        calls += 1;
        return calls === 1
          ? jsonResponse(
              429,
              {},
              { 'retry-after': '20', 'ratelimit-reason': 'confluence-quota-tenant-based' },
            )
          : jsonResponse(200, page);
      },
      pacer,
    );
    const started = clock.now();
    await clock.run(getPageById(tenant.client, { id: '1', bodyFormat: 'none' }));
    expect((tenant.requests[1]?.at ?? 0) - started).toBeGreaterThanOrEqual(20_000);

    const other = clientFor(clock, () => jsonResponse(200, page), pacer, appCredential('inst-9'));
    await clock.run(getPageById(other.client, { id: '1', bodyFormat: 'none' }));
    expect(other.requests).toHaveLength(1);
  });

  it('slows down after a burst 429 and wins the pace back with successes', async () => {
    const clock = createFakeClock();
    const pacer = createPacer({ clock });
    let calls = 0;
    const { client } = clientFor(
      clock,
      () => {
        calls += 1;
        const headers = { 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '10' };
        return calls === 3
          ? jsonResponse(429, {}, { ...headers, 'retry-after': '1' })
          : jsonResponse(200, page, headers);
      },
      pacer,
    );
    const key = pacingTargetFor(appCredential()).key;
    await clock.run(readMany(client, 3));
    const afterThrottle = pacer.stateOf(key);
    expect(afterThrottle?.throttled429s).toBe(1);
    expect(afterThrottle?.multiplier).toBeLessThan(1);
    await clock.run(readMany(client, 40));
    expect(pacer.stateOf(key)?.multiplier).toBe(1);
  });

  it('shares one budget between two processes that share a pacer store', async () => {
    const clock = createFakeClock();
    const server = burstLimitedServer(clock, 20);
    const store: PacerStore = createMemoryPacerStore();
    const replicaA = clientFor(clock, server.handler, createPacer({ clock, store }));
    const replicaB = clientFor(clock, server.handler, createPacer({ clock, store }));
    const started = clock.now();
    await clock.run(Promise.all([readMany(replicaA.client, 200), readMany(replicaB.client, 200)]));
    expect(server.stats.throttled).toBeLessThanOrEqual(4);
    // 400 requests at 20/s cannot take less than 20 s between them.
    expect(clock.now() - started).toBeGreaterThanOrEqual(20_000);
  });

  it('lets two processes with separate stores collide, which is what the shared store is for', async () => {
    const clock = createFakeClock();
    const server = burstLimitedServer(clock, 20);
    const replicaA = clientFor(clock, server.handler, createPacer({ clock }));
    const replicaB = clientFor(clock, server.handler, createPacer({ clock }));
    await clock.run(Promise.all([readMany(replicaA.client, 200), readMany(replicaB.client, 200)]));
    expect(server.stats.throttled).toBeGreaterThan(4);
  });
});
