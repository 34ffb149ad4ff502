import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SeededSite } from '@pagewire/devkit';
import { declareEmulator } from '@pagewire/devkit/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBackend } from '../index';
import { type BackendProcess, callOperation, ingest, spawnBackend } from '../testing/backend-process';
import {
  connectSite,
  createPageAsPerson,
  createWebhook,
  eventually,
  startWebhookBackend,
  webhookTestEnv,
} from '../testing/webhook-stack';
import { CONTENT_EVENTS_PATH } from './content-events-router';
import {
  type ReceivedDelivery,
  startWebhookReceiver,
  type WebhookReceiver,
} from './testing/webhook-receiver';

/**
 * What a subscriber can count on when things go wrong (docs/WEBHOOKS.md,
 * "Delivery guarantees"): nothing is lost while its receiver is down or while
 * the backend dies mid-delivery, a page's events arrive in version order, and
 * a receiver that never answers slows down nobody else.
 */
const env = declareEmulator();
let dataDir: string;
let receiver: WebhookReceiver;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'pagewire-webhook-faults-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
afterEach(async () => {
  await receiver?.close();
});

async function queuedDeliveries(backendUrl: string, site: SeededSite): Promise<number> {
  const { subscriptions } = (await callOperation(env.dev, backendUrl, site, 'webhooks.list', {})) as {
    subscriptions: Array<{ deliveries: { delivered: number; pending: number; deadLettered: number } }>;
  };
  return subscriptions.reduce(
    (sum, s) => sum + s.deliveries.delivered + s.deliveries.pending + s.deliveries.deadLettered,
    0,
  );
}

/** Per page, the versions in the order they arrived. */
function versionsByPage(deliveries: readonly ReceivedDelivery[]): Map<string, number[]> {
  const byPage = new Map<string, number[]>();
  for (const { event } of deliveries) {
    byPage.set(event.page.pageId, [...(byPage.get(event.page.pageId) ?? []), event.page.version]);
  }
  return byPage;
}

describe('webhook delivery under faults', { timeout: 120_000 }, () => {
  it('delivers every event once the receiver is back after being down, in version order per page', async () => {
    const backend: RunningBackend = await startWebhookBackend(
      webhookTestEnv(env.dev, `sqlite:${join(dataDir, 'down.db')}`),
    );
    try {
      const site = await env.dev.seedSite();
      await connectSite(env.dev, backend.url, site);
      receiver = await startWebhookReceiver();
      receiver.setSecret((await createWebhook(env.dev, backend.url, site, receiver.url)).secret);
      receiver.setMode('down');

      const pages = [];
      let expected = 0;
      for (const title of ['Alpha', 'Beta', 'Gamma']) {
        pages.push(await createPageAsPerson(site, title));
        expected += 1;
        await eventually(
          async () => (await queuedDeliveries(backend.url, site)) >= expected,
          'the create to be queued',
        );
      }
      // Each edit waits for its own delivery to be queued, so every version is its own event.
      for (let round = 0; round < 3; round++) {
        for (const pageId of pages) {
          await env.dev.humanEdit(pageId);
          expected += 1;
          await eventually(
            async () => (await queuedDeliveries(backend.url, site)) >= expected,
            'the edit to be queued',
          );
        }
      }
      await eventually(
        async () => receiver.attempts() > expected,
        'attempts against the receiver while it is down',
      );
      expect(receiver.accepted()).toHaveLength(0);

      receiver.setMode('up');
      await receiver.waitFor(expected);
      const byPage = versionsByPage(receiver.accepted());
      for (const pageId of pages) expect(byPage.get(pageId)).toEqual([1, 2, 3, 4]);
      expect(receiver.accepted()).toHaveLength(expected);
      expect(receiver.badSignatures()).toBe(0);
    } finally {
      await backend.close();
    }
  });

  it('loses no event when the backend is killed mid-delivery: the restarted one sends the same ids again', async () => {
    const databaseUrl = `sqlite:${join(dataDir, 'killed.db')}`;
    const processEnv = {
      ...webhookTestEnv(env.dev, databaseUrl),
      NODE_OPTIONS: '--import tsx',
    };
    const entry = fileURLToPath(new URL('../testing/webhooks-backend-main.ts', import.meta.url));
    let backend: BackendProcess = await spawnBackend(processEnv, 60_000, { entry });
    try {
      const site = await env.dev.seedSite();
      await connectSite(env.dev, backend.url, site);
      receiver = await startWebhookReceiver();
      receiver.setSecret((await createWebhook(env.dev, backend.url, site, receiver.url)).secret);
      receiver.setMode('hang');
      const pages = [];
      for (const title of ['One', 'Two', 'Three']) pages.push(await createPageAsPerson(site, title));
      // Every delivery is on the wire, unanswered, when the process dies.
      await receiver.waitForHeld(3);
      const inFlight = receiver.heldIds();
      await backend.kill('SIGKILL');
      receiver.setMode('up');
      backend = await spawnBackend(processEnv, 60_000, { entry });
      await env.dev.subscribeContentEvents(site.installationId, {
        url: `${backend.url}${CONTENT_EVENTS_PATH}`,
        retryDelayMs: 200,
      });
      await receiver.waitFor(3);
      expect(
        receiver
          .accepted()
          .map((delivery) => delivery.event.page.pageId)
          .sort(),
      ).toEqual([...pages].sort());
      // The same webhook-ids as the attempts the kill cut off: a receiver's dedupe still works.
      expect(
        receiver
          .accepted()
          .map((delivery) => delivery.id)
          .sort(),
      ).toEqual([...inFlight].sort());
      // And the restarted backend keeps going: a new edit arrives as version 2.
      await env.dev.humanEdit(pages[0]!);
      await receiver.waitFor(4);
      expect(receiver.accepted()[3]!.event.page).toMatchObject({ pageId: pages[0], version: 2 });
    } finally {
      await backend.kill('SIGKILL');
    }
  });

  it('keeps ingest, macro reads and event intake going while a receiver holds every delivery unanswered', async () => {
    const backend: RunningBackend = await startWebhookBackend(
      webhookTestEnv(env.dev, `sqlite:${join(dataDir, 'slow.db')}`, { PAGEWIRE_WEBHOOK_CONCURRENCY: '4' }),
    );
    try {
      const site = await env.dev.seedSite();
      const key = await connectSite(env.dev, backend.url, site);
      receiver = await startWebhookReceiver();
      receiver.setSecret((await createWebhook(env.dev, backend.url, site, receiver.url)).secret);
      receiver.setMode('hang');
      for (let index = 0; index < 6; index++) await createPageAsPerson(site, `Held ${index}`);
      await receiver.waitForHeld(4);

      const block = { kind: 'status', title: 'Deploys', content: { status: 'green', tone: 'success' } };
      expect((await ingest(backend.url, key, '/ingest/v1/blocks/deploys', block)).status).toBe(201);
      const read = (await callOperation(
        env.dev,
        backend.url,
        site,
        'blocks.get',
        { key: 'deploys' },
        {
          contentId: site.space.homepageId,
          localId: 'macro-1',
        },
      )) as { block: { content: unknown } | null };
      expect(read.block).not.toBeNull();
      // A new event is still taken in and queued behind nobody's answer.
      const queuedBefore = await queuedDeliveries(backend.url, site);
      await createPageAsPerson(site, 'Arrives while held');
      await eventually(
        async () => (await queuedDeliveries(backend.url, site)) > queuedBefore,
        'the new event to be queued',
      );
      // All of that happened while the receiver had answered nothing at all.
      expect(receiver.accepted()).toHaveLength(0);
      expect(receiver.held()).toBeGreaterThanOrEqual(4);

      receiver.release();
      receiver.setMode('up');
      await receiver.waitFor(7);
    } finally {
      receiver.release();
      await backend.close();
    }
  });
});
