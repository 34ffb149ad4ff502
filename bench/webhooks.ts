import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { basicAuthorization } from '@pagewire/devkit';
import {
  type BackendProcess,
  callOperation,
  ingest,
  installAndCreateKey,
  spawnBackend,
} from '../backend/src/testing/backend-process';
import { webhookTestEnv } from '../backend/src/testing/webhook-stack';
import { CONTENT_EVENTS_PATH } from '../backend/src/webhooks/content-events-router';
import {
  type ReceivedDelivery,
  startWebhookReceiver,
} from '../backend/src/webhooks/testing/webhook-receiver';
import {
  type BenchContext,
  type BenchmarkDefinition,
  type BenchOutcome,
  isMainModule,
  runBenchmarkCli,
} from './support/benchmark';
import { spawnSeededEmulator } from './support/child-servers';
import { percentile, round } from './support/percentiles';
import { figure } from './support/results';

/**
 * Webhooks (issue 19): a person edits a page in the emulator → Confluence's
 * event reaches the backend's trigger route (FIT, durable intake) → the
 * mirror reads the page → a signed delivery reaches a receiver. Measured:
 * the lag from the edit to the receiver, idle and while the publishing
 * engine drains 2,000 page updates; and over 10,000 events across 100
 * pages, deliveries per event at the receiver after dedupe by webhook-id
 * (each page is edited again only once its previous version arrived, so
 * every event is its own version: 1.0 means each arrived exactly once) and
 * how many were lost.
 */

interface Settings {
  idleProbes: number;
  loadUpdates: number;
  loadPages: number;
  loadProbes: number;
  events: number;
  eventPages: number;
}

const FULL: Settings = {
  idleProbes: 40,
  loadUpdates: 2_000,
  loadPages: 100,
  loadProbes: 40,
  events: 10_000,
  eventPages: 100,
};
const QUICK: Settings = {
  idleProbes: 3,
  loadUpdates: 60,
  loadPages: 10,
  loadProbes: 3,
  events: 60,
  eventPages: 10,
};

const ENTRY = fileURLToPath(new URL('../backend/src/testing/webhooks-backend-main.ts', import.meta.url));

async function run(context: BenchContext): Promise<BenchOutcome> {
  const settings = context.quick ? QUICK : FULL;
  const { emulator, dev, site } = await spawnSeededEmulator({
    siteName: 'webhooks-bench',
    burstPerSecond: null,
  });
  const receiver = await startWebhookReceiver();
  let backend: BackendProcess | undefined;
  try {
    backend = await spawnBackend(
      {
        ...webhookTestEnv(dev, `sqlite:${join(context.workDir, 'webhooks.db')}`, {
          LOG_LEVEL: 'warn',
          // One source pushes the 2,000 updates as fast as it can: the ingest limits are not under test.
          PAGEWIRE_INGEST_LIMIT_PER_KEY: 'off',
          PAGEWIRE_INGEST_LIMIT_PER_INSTALLATION: 'off',
          PAGEWIRE_WEBHOOK_POLL_MS: '1000',
          PAGEWIRE_PUBLISH_POLL_MS: '1000',
        }),
        NODE_OPTIONS: '--import tsx',
      },
      120_000,
      { entry: ENTRY },
    );
    const backendUrl = backend.url;
    const ingestKey = await installAndCreateKey(dev, backendUrl, site);
    await dev.subscribeContentEvents(site.installationId, {
      url: `${backendUrl}${CONTENT_EVENTS_PATH}`,
      retryDelayMs: 1_000,
    });
    const created = (await callOperation(
      dev,
      backendUrl,
      site,
      'webhooks.create',
      { url: receiver.url },
      { isSpaceAdmin: true },
    )) as {
      secret: string;
    };
    receiver.setSecret(created.secret);

    // Who waits for which page version: resolved by the receiver's listener.
    const waiting = new Map<string, { version: number; resolve: (delivery: ReceivedDelivery) => void }>();
    receiver.onAccepted((delivery) => {
      const wanted = waiting.get(delivery.event.page.pageId);
      if (wanted !== undefined && delivery.event.page.version >= wanted.version) {
        waiting.delete(delivery.event.page.pageId);
        wanted.resolve(delivery);
      }
    });
    const arrival = (pageId: string, version: number) =>
      new Promise<ReceivedDelivery>((resolve) => waiting.set(pageId, { version, resolve }));

    const authorization = basicAuthorization(site.admin.email, site.scopedToken);
    async function createPage(title: string): Promise<string> {
      const response = await fetch(`${site.gatewayUrl}/wiki/api/v2/pages`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({
          spaceId: site.space.id,
          status: 'current',
          title,
          body: { representation: 'storage', value: `<p>${title}</p>` },
        }),
      });
      if (response.status !== 200) throw new Error(`create page answered ${response.status}`);
      const id = ((await response.json()) as { id: string }).id;
      return id;
    }
    /** One edit by a person, timed from the moment before the Dev API call to the receiver's acceptance. */
    async function timedEdit(pageId: string, version: number): Promise<number> {
      const started = Date.now();
      const arrived = arrival(pageId, version);
      await dev.humanEdit(pageId);
      return (await arrived).receivedAtMs - started;
    }

    // Idle: one probe page, edited again and again.
    const probe = await createPage('Lag probe');
    await arrival(probe, 1);
    let probeVersion = 1;
    const idle: number[] = [];
    for (let index = 0; index < settings.idleProbes; index++)
      idle.push(await timedEdit(probe, ++probeVersion));
    context.log(`idle lag p50 ${percentile(idle, 50)} ms`);

    // Under load: the publishing engine drains page updates while the probe keeps being edited.
    const sentUpdates = (async () => {
      for (let index = 0; index < settings.loadUpdates; index++) {
        const response = await ingest(
          backendUrl,
          ingestKey,
          `/ingest/v1/pages/report-${index % settings.loadPages}`,
          {
            spaceKey: site.space.key,
            title: `Report ${index % settings.loadPages}`,
            markdown: `# Report\n\nUpdate ${index}`,
          },
        );
        if (response.status !== 202) throw new Error(`page ingest answered ${response.status}`);
      }
    })();
    const loaded: number[] = [];
    const loadStarted = Date.now();
    for (let index = 0; index < settings.loadProbes; index++)
      loaded.push(await timedEdit(probe, ++probeVersion));
    await sentUpdates;
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    context.log(`loaded lag p50 ${percentile(loaded, 50)} ms`);

    // 10,000 events across 100 pages: each page edited again once its last version arrived.
    const pages: string[] = [];
    for (let index = 0; index < settings.eventPages; index++)
      pages.push(await createPage(`Event page ${index}`));
    await Promise.all(
      pages.map((pageId) =>
        receiver.accepted().some((d) => d.event.page.pageId === pageId) ? null : arrival(pageId, 1),
      ),
    );
    const acceptedBefore = receiver.accepted().length;
    const attemptsBefore = receiver.attempts();
    const duplicatesBefore = receiver.duplicates();
    const perPage = Math.ceil(settings.events / settings.eventPages);
    const eventsStarted = Date.now();
    let emitted = 0;
    await Promise.all(
      pages.map(async (pageId) => {
        for (let version = 2; version < 2 + perPage && emitted < settings.events; version++) {
          emitted += 1;
          const arrived = arrival(pageId, version);
          await dev.humanEdit(pageId);
          await arrived;
        }
      }),
    );
    const eventsSeconds = (Date.now() - eventsStarted) / 1000;
    // Only the event pages: the publishing engine may still be writing the load phase's report pages.
    const eventPages = new Set(pages);
    const distinct = receiver
      .accepted()
      .slice(acceptedBefore)
      .filter((delivery) => eventPages.has(delivery.event.page.pageId));
    const versions = new Set(distinct.map((d) => `${d.event.page.pageId}:${d.event.page.version}`));
    let lost = 0;
    for (const pageId of pages) {
      for (let version = 2; version < 2 + perPage; version++)
        if (!versions.has(`${pageId}:${version}`)) lost += 1;
    }
    const rawDeliveries = receiver.attempts() - attemptsBefore;
    const duplicates = receiver.duplicates() - duplicatesBefore;

    return {
      parameters: {
        ...settings,
        receiver: 'local, answers 200 at once',
        mirror: 'stand-in (reads the page through the Confluence client)',
      },
      figures: [
        figure({
          key: 'idle_lag_p50_ms',
          label: 'Edit → webhook, idle, p50',
          value: percentile(idle, 50),
          unit: 'ms',
          kind: 'absolute',
        }),
        figure({
          key: 'idle_lag_p95_ms',
          label: 'Edit → webhook, idle, p95',
          value: percentile(idle, 95),
          unit: 'ms',
          kind: 'absolute',
        }),
        figure({
          key: 'loaded_lag_p50_ms',
          label: `Edit → webhook while ${settings.loadUpdates} page updates drain, p50`,
          value: percentile(loaded, 50),
          unit: 'ms',
          kind: 'absolute',
        }),
        figure({
          key: 'loaded_lag_p95_ms',
          label: `Edit → webhook while ${settings.loadUpdates} page updates drain, p95`,
          value: percentile(loaded, 95),
          unit: 'ms',
          kind: 'absolute',
        }),
        figure({
          key: 'loaded_over_idle_p50',
          label: 'Lag under publishing load over idle lag (p50)',
          value: round(percentile(loaded, 50) / Math.max(1, percentile(idle, 50))),
          unit: '×',
          kind: 'ratio',
        }),
        figure({
          key: 'deliveries_per_event',
          label: `Deliveries per event after dedupe (${emitted} events, ${settings.eventPages} pages)`,
          value: round(distinct.length / Math.max(1, emitted), 3),
          unit: 'per event',
          kind: 'ratio',
          goal: { op: '==', value: 1 },
        }),
        figure({
          key: 'events_lost',
          label: 'Events lost',
          value: lost,
          unit: 'events',
          kind: 'count',
          goal: { op: '==', value: 0 },
        }),
        figure({
          key: 'duplicate_attempts',
          label: 'Repeated deliveries the receiver deduped',
          value: duplicates,
          unit: 'deliveries',
          kind: 'count',
        }),
      ],
      details: {
        idleLagMs: idle,
        loadedLagMs: loaded,
        loadSeconds: round(loadSeconds),
        eventsSeconds: round(eventsSeconds),
        eventsPerSecond: round(emitted / Math.max(0.001, eventsSeconds)),
        rawAttemptsAllPages: rawDeliveries,
        otherDeliveriesDuringEvents: receiver.accepted().length - acceptedBefore - distinct.length,
        badSignatures: receiver.badSignatures(),
      },
      notes: [
        'Lags are wall-clock from the Dev API edit to the receiver accepting the verified delivery: the emulator emitting the event, the backend queuing it, reading the page, signing and POSTing.',
        'The events run is closed-loop per page (a page is edited again once its previous version arrived), so every event is a distinct version and deliveries per event measures at-least-once plus dedupe, not coalescing.',
      ],
    };
  } finally {
    await backend?.kill('SIGKILL');
    await receiver.close();
    await emulator.stop();
  }
}

export const webhooksBenchmark: BenchmarkDefinition = {
  name: 'webhooks',
  title: 'Webhooks: edit to delivery, and deliveries per event',
  run,
};

if (isMainModule(import.meta.url)) await runBenchmarkCli(webhooksBenchmark);
