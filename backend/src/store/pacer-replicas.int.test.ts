import type { SeededSite } from '@pagewire/devkit';
import { declareEmulator } from '@pagewire/devkit/testing';
import { FORGE_APP_SCOPES } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { getSpaceByKey } from '../confluence/api/spaces';
import { createConfluenceClient } from '../confluence/client';
import { createAppTokenCredential } from '../confluence/credential';
import { createPacer } from '../confluence/pacer';
import { createMemoryPacerStore, type PacerStore } from '../confluence/pacer-store';
import { createDrivenClock } from '../confluence/testing/driven-clock';
import { sharedPacerStoreTargets } from '../testing/pacer-store-targets';

/**
 * Several backend replicas calling Confluence with the same credential, each
 * with its own pacer. Sharing the pacer store is what keeps them under one
 * budget; this measures it against the devkit at 50 requests a second, on a
 * clock the emulator and both replicas share and that moves only while every
 * request and store call is waiting on it, so the seconds counted are the
 * emulator's, whatever the load on this machine.
 */

const PER_REPLICA = 125;
const LIMIT = 50;

const clock = createDrivenClock(Math.ceil(Date.now() / 1_000) * 1_000);
const env = declareEmulator({ now: clock.now });

async function runTwoReplicas(site: SeededSite, stores: [PacerStore, PacerStore]) {
  const minted = await env.dev.mintAppToken({ installationId: site.installationId });
  const credential = createAppTokenCredential({
    installationId: site.installationId,
    token: minted.token,
    expiresAt: new Date(minted.expiresAt),
    scopes: FORGE_APP_SCOPES,
  });
  const clients = stores.map((store) =>
    createConfluenceClient({
      baseUrl: site.gatewayUrl,
      allowedApiBase: env.emulator.url,
      credential,
      fetch: clock.fetch,
      clock,
      pacer: createPacer({ store: clock.track(store), clock }),
    }),
  );
  await env.dev.setLimits({ burstPerSecond: LIMIT, quotaPointsPerHour: null });
  const since = (await env.dev.requests()).at(-1)?.seq ?? 0;
  const started = clock.now();
  const results = await clock.run(
    Promise.allSettled(
      clients.flatMap((client) =>
        Array.from({ length: PER_REPLICA }, () => getSpaceByKey(client, { key: 'ENG' })),
      ),
    ),
  );
  const seconds = (clock.now() - started) / 1000;
  const log = (await env.dev.requests({ since })).filter((entry) => entry.cloudId === site.cloudId);
  return {
    seconds,
    failed: results.filter((result) => result.status === 'rejected').length,
    throttled: log.filter((entry) => entry.status === 429).length,
    sent: log.length,
  };
}

describe.each(sharedPacerStoreTargets())('two replicas pacing through $description', (replicas) => {
  it('stay under one budget: almost no 429s, at close to the limit', async () => {
    const site = await env.dev.seedSite({ spaceKey: 'ENG' });
    const opened = await replicas.open();
    try {
      const run = await runTwoReplicas(site, opened.stores);
      console.info(
        `${replicas.description}: ${2 * PER_REPLICA} requests in ${run.seconds.toFixed(2)} s, ${run.throttled} of ${run.sent} answered 429`,
      );
      expect(run.failed).toBe(0);
      expect(run.throttled).toBeLessThanOrEqual(Math.ceil((2 * PER_REPLICA) / 100));
      // The floor at 50/s is 5 s; going faster would mean the replicas overspent.
      expect(run.seconds).toBeGreaterThanOrEqual((2 * PER_REPLICA) / LIMIT - 0.5);
      // ...and on the emulator's clock, within 15% of that floor.
      expect(run.seconds).toBeLessThanOrEqual(((2 * PER_REPLICA) / LIMIT) * 1.15);
    } finally {
      await opened.dispose();
    }
  }, 60_000);
});

describe('two replicas pacing alone, each with its own store', () => {
  it('overspend the budget together and collect 429s: the cost of not sharing', async () => {
    const site = await env.dev.seedSite({ spaceKey: 'ENG' });
    const run = await runTwoReplicas(site, [createMemoryPacerStore(), createMemoryPacerStore()]);
    console.info(
      `separate stores: ${2 * PER_REPLICA} requests in ${run.seconds.toFixed(2)} s, ${run.throttled} of ${run.sent} answered 429`,
    );
    expect(run.failed).toBe(0);
    expect(run.throttled).toBeGreaterThan(Math.ceil((2 * PER_REPLICA) / 100));
  }, 60_000);
});
