import { basicAuthorization, type RequestLogEntry } from '@pagewire/devkit';
import type { ActivityItem } from '@pagewire/shared';
import {
  type BenchContext,
  type BenchmarkDefinition,
  type BenchOutcome,
  isMainModule,
  runBenchmarkCli,
} from './support/benchmark';
import { adminContext, callOperation, ingestBlock, macroContext, metricsBlock } from './support/forge-calls';
import { percentile, round } from './support/percentiles';
import { collectRequests, type PublishingStack, startPublishingStack } from './support/publishing-stack';
import { figure } from './support/results';
import { mapLimited } from './support/tenants';

/**
 * Benchmark 3, coalescing: 10,000 updates of 20 blocks, each block shown by
 * a macro on 25 of 500 pages, in a space with the `snapshot` policy (every
 * block change refreshes a content property on every page that shows it).
 * Sources push updates as fast as the backend accepts them; Confluence allows
 * 100 requests/s (the emulator's default burst). What must hold: at most one
 * Confluence write per page each time the engine drains it, however many
 * updates arrived meanwhile, and the lag from a source sending an update to
 * the property showing it (or a later revision) stays bounded.
 */

interface Settings {
  blocks: number;
  pages: number;
  updates: number;
  /** Concurrent sources pushing updates (closed loop: each sends its next when the last was accepted). */
  sources: number;
  /** Updates timed one at a time on an idle engine: the lag floor under no load. */
  idleProbes: number;
  burstPerSecond: number;
}

const FULL: Settings = {
  blocks: 20,
  pages: 500,
  updates: 10_000,
  sources: 4,
  idleProbes: 5,
  burstPerSecond: 100,
};
const QUICK: Settings = {
  blocks: 4,
  pages: 20,
  updates: 200,
  sources: 4,
  idleProbes: 1,
  burstPerSecond: 100,
};

const blockKey = (block: number) => `block-${block}`;

interface SentUpdate {
  block: number;
  revision: number;
  /** When the source sent it (ms since epoch). */
  sentAt: number;
}

interface SnapshotWrite {
  at: number;
  revision: number;
}

/** Pages created through the gateway as a person would, each with Pagewire's macro in its body. */
async function createDashboards(stack: PublishingStack, settings: Settings): Promise<string[]> {
  const { site } = stack;
  const authorization = basicAuthorization(site.admin.email, site.scopedToken);
  const ids: string[] = [];
  for (let index = 0; index < settings.pages; index++) {
    const body = {
      spaceId: site.space.id,
      status: 'current',
      title: `Dashboard ${index}`,
      ...(site.space.homepageId === null ? {} : { parentId: site.space.homepageId }),
      body: {
        representation: 'atlas_doc_format',
        value: JSON.stringify({
          version: 1,
          type: 'doc',
          content: [
            { type: 'paragraph', content: [{ type: 'text', text: `Dashboard ${index}` }] },
            {
              type: 'extension',
              attrs: {
                extensionType: 'com.atlassian.ecosystem',
                extensionKey: 'pagewire/development/static/pagewire-block',
                parameters: {
                  localId: `macro-${index}`,
                  guestParams: { blockKey: blockKey(index % settings.blocks) },
                },
              },
            },
          ],
        }),
      },
    };
    for (;;) {
      const response = await fetch(`${site.gatewayUrl}/wiki/api/v2/pages`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status === 429) {
        await new Promise((resolve) =>
          setTimeout(resolve, 1_000 * Number(response.headers.get('retry-after') ?? 1)),
        );
        continue;
      }
      const text = await response.text();
      if (response.status !== 200)
        throw new Error(`creating a dashboard page answered ${response.status}: ${text}`);
      ids.push((JSON.parse(text) as { id: string }).id);
      break;
    }
  }
  return ids;
}

/** Ready plus leased work items, from the backend's own /metrics (the queue as every replica sees it). */
async function queuedWork(stack: PublishingStack): Promise<number> {
  const text = await (await fetch(`${stack.backend.url}/metrics`)).text();
  let total = 0;
  for (const match of text.matchAll(/^pagewire_publish_queue_items\{state="(ready|leased)"\} (\d+)/gm)) {
    total += Number(match[2]);
  }
  return total;
}

async function waitForDrain(stack: PublishingStack, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Twice empty in a row: a block change queues its refreshes right after the ingest answers.
  let emptyInARow = 0;
  while (emptyInARow < 2) {
    if (Date.now() > deadline) throw new Error(`the publishing queue did not drain within ${timeoutMs} ms`);
    emptyInARow = (await queuedWork(stack)) === 0 ? emptyInARow + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every `snapshot.written` line of the space's activity log since `sinceMs`, by page. */
async function snapshotWrites(
  stack: PublishingStack,
  sinceMs: number,
): Promise<Map<string, SnapshotWrite[]>> {
  const byPage = new Map<string, SnapshotWrite[]>();
  let cursor: string | undefined;
  for (;;) {
    const page = await callOperation<{ items: ActivityItem[]; nextCursor: string | null }>(
      stack.backend.url,
      stack.caller,
      'activity.list',
      adminContext(stack.site),
      { limit: 100, fold: false, ...(cursor === undefined ? {} : { cursor }) },
    );
    let older = false;
    for (const item of page.items) {
      const at = Date.parse(item.at);
      if (at < sinceMs) {
        older = true;
        continue;
      }
      if (item.action !== 'snapshot.written' || item.pageId === undefined) continue;
      const revision = /\(revision (\d+)\)/.exec(item.detail ?? '');
      if (revision === null) throw new Error(`a snapshot.written line without its revision: ${item.detail}`);
      const writes = byPage.get(item.pageId) ?? [];
      writes.push({ at, revision: Number(revision[1]) });
      byPage.set(item.pageId, writes);
    }
    if (older || page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  for (const writes of byPage.values()) writes.sort((a, b) => a.at - b.at);
  return byPage;
}

/**
 * For every (update, page showing its block): how long from the source
 * sending it until the page's property showed that revision or a later one.
 * Updates that never became visible on some page are counted, not timed.
 */
function lags(
  updates: readonly SentUpdate[],
  pagesOfBlock: readonly (readonly string[])[],
  writes: Map<string, SnapshotWrite[]>,
): { samples: number[]; neverVisible: number } {
  const samples: number[] = [];
  let neverVisible = 0;
  for (const update of updates) {
    for (const pageId of pagesOfBlock[update.block]!) {
      const onPage = writes.get(pageId) ?? [];
      const shown = onPage.find((write) => write.revision >= update.revision && write.at >= update.sentAt);
      if (shown === undefined) neverVisible += 1;
      else samples.push(shown.at - update.sentAt);
    }
  }
  return { samples, neverVisible };
}

function isPropertyWrite(entry: RequestLogEntry): boolean {
  return (
    entry.status === 200 &&
    ((entry.method === 'POST' && /\/pages\/\d+\/properties$/.test(entry.path)) ||
      (entry.method === 'PUT' && /\/pages\/\d+\/properties\/[^/]+$/.test(entry.path)))
  );
}
const pageOf = (entry: RequestLogEntry) => /\/pages\/(\d+)\/properties/.exec(entry.path)![1]!;

export const coalescing: BenchmarkDefinition = {
  name: 'coalescing',
  title: 'Coalescing: 10,000 block updates over 20 blocks on 500 pages, snapshot policy',
  async run(context: BenchContext): Promise<BenchOutcome> {
    const settings = context.quick ? QUICK : FULL;
    const stack = await startPublishingStack(context, {
      siteName: 'coalescing',
      burstPerSecond: settings.burstPerSecond,
    });
    try {
      const { site } = stack;
      for (let block = 0; block < settings.blocks; block++) {
        await ingestBlock(
          stack.backend.url,
          stack.ingestKey,
          blockKey(block),
          metricsBlock(`Block ${block}`, 0),
        );
      }
      context.log(`creating ${settings.pages} pages with the macro`);
      const pageIds = await createDashboards(stack, settings);
      // A macro view records where the block is shown (blocks.get with the page and the macro's local id).
      await mapLimited(pageIds, 4, (pageId, index) =>
        callOperation(
          stack.backend.url,
          stack.caller,
          'blocks.get',
          macroContext(site, pageId, `macro-${index}`),
          {
            key: blockKey(index % settings.blocks),
          },
        ),
      );
      const pagesOfBlock = Array.from({ length: settings.blocks }, (_, block) =>
        pageIds.filter((_, index) => index % settings.blocks === block),
      );
      // Switching the space to snapshots writes every macro's first snapshot; that is set-up.
      await callOperation(stack.backend.url, stack.caller, 'settings.update', adminContext(site), {
        publishingPolicy: 'snapshot',
      });
      await waitForDrain(stack, 10 * 60_000);

      // The floor: single updates on an idle engine, one at a time.
      const idleStartedAt = Date.now();
      const idleUpdates: SentUpdate[] = [];
      for (let probe = 0; probe < settings.idleProbes; probe++) {
        const block = probe % settings.blocks;
        const sentAt = Date.now();
        const { revision } = await ingestBlock(
          stack.backend.url,
          stack.ingestKey,
          blockKey(block),
          metricsBlock(`Block ${block}`, -1 - probe),
        );
        idleUpdates.push({ block, revision, sentAt });
        await waitForDrain(stack, 60_000);
      }

      context.log(`${settings.updates} block updates from ${settings.sources} sources`);
      const collector = collectRequests(stack.dev, site.cloudId);
      const loadStartedAt = Date.now();
      const updates: SentUpdate[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: settings.sources }, async () => {
          while (next < settings.updates) {
            const serial = next++;
            const block = serial % settings.blocks;
            const sentAt = Date.now();
            const { revision } = await ingestBlock(
              stack.backend.url,
              stack.ingestKey,
              blockKey(block),
              metricsBlock(`Block ${block}`, serial + 1),
            );
            updates.push({ block, revision, sentAt });
            if (updates.length % 1000 === 0) context.log(`${updates.length} updates accepted`);
          }
        }),
      );
      const ingestSeconds = (Date.now() - loadStartedAt) / 1000;
      await waitForDrain(stack, 30 * 60_000);
      const drainedSeconds = (Date.now() - loadStartedAt) / 1000;
      const requests = await collector.stop();

      const writes = await snapshotWrites(stack, idleStartedAt);
      const idle = lags(idleUpdates, pagesOfBlock, writes);
      const load = lags(updates, pagesOfBlock, writes);

      // Drains and writes per page. Since snapshots are one PUT from the
      // recorded property version, a drain no longer starts with a read: a
      // drain that wrote is a snapshot.written row of the backend, and the
      // writes are what Confluence saw (a property POST or PUT).
      const perPage = new Map<string, { drains: number; writes: number }>();
      for (const [pageId, written] of writes) {
        const drainsSinceLoad = written.filter((write) => write.at >= loadStartedAt).length;
        perPage.set(pageId, { drains: drainsSinceLoad, writes: 0 });
      }
      for (const entry of requests) {
        if (!isPropertyWrite(entry)) continue;
        const counts = perPage.get(pageOf(entry)) ?? { drains: 0, writes: 0 };
        counts.writes += 1;
        perPage.set(pageOf(entry), counts);
      }
      const ratios = [...perPage.values()].map((counts) => counts.writes / Math.max(1, counts.drains));
      const totalWrites = [...perPage.values()].reduce((sum, counts) => sum + counts.writes, 0);
      const totalDrains = [...perPage.values()].reduce((sum, counts) => sum + counts.drains, 0);
      const throttled = requests.filter((entry) => entry.status === 429).length;
      const failedSnapshots = await countFailedSnapshots(stack);
      const pagesPerBlock = settings.pages / settings.blocks;
      const naiveWrites = settings.updates * pagesPerBlock;
      const idleP50 = percentile(idle.samples, 50);
      const idleP95 = percentile(idle.samples, 95);
      const loadP50 = percentile(load.samples, 50);
      const loadP95 = percentile(load.samples, 95);

      return {
        parameters: {
          ...settings,
          pagesPerBlock,
          policy: 'snapshot',
          ingest:
            'PUT /ingest/v1/blocks/{key}, closed loop, metrics blocks with a counter (every update a new revision)',
          lagDefinition:
            'from the source sending an update to the snapshot.written activity entry of a write showing that revision or a later one, for every page showing the block',
          drainDefinition:
            'a refresh of a macro that wrote its snapshot: one snapshot.written activity row (unchanged refreshes write nothing and make no request)',
        },
        figures: [
          figure({
            key: 'max_writes_per_page_per_drain',
            label: 'Confluence writes per page per drain (the worst page)',
            value: round(Math.max(0, ...ratios), 3),
            unit: 'writes',
            kind: 'ratio',
            goal: { op: '<=', value: 1 },
          }),
          figure({
            key: 'writes_per_drain',
            label: 'Confluence writes per drain (all pages)',
            value: round(totalWrites / Math.max(1, totalDrains), 3),
            unit: 'writes',
            kind: 'ratio',
          }),
          figure({
            key: 'writes_over_naive',
            label: `Property writes over one write per update per page (${naiveWrites.toLocaleString('en')})`,
            value: round(totalWrites / naiveWrites, 4),
            unit: '×',
            kind: 'ratio',
          }),
          figure({
            key: 'never_visible',
            label: 'Update × page pairs whose revision (or a later one) never reached the page',
            value: load.neverVisible + idle.neverVisible,
            unit: 'pairs',
            kind: 'count',
            goal: { op: '==', value: 0 },
          }),
          figure({
            key: 'failed_snapshots',
            label: 'Snapshot writes that failed',
            value: failedSnapshots,
            unit: 'jobs',
            kind: 'count',
            goal: { op: '==', value: 0 },
          }),
          figure({
            key: 'lag_p50_over_idle',
            label: 'Lag p50 under load over an idle engine’s',
            value: round(loadP50 / idleP50, 2),
            unit: '×',
            kind: 'ratio',
          }),
          figure({
            key: 'lag_p95_over_idle',
            label: 'Lag p95 under load over an idle engine’s',
            value: round(loadP95 / idleP95, 2),
            unit: '×',
            kind: 'ratio',
          }),
          figure({
            key: 'share_429_percent',
            label: 'Confluence requests answered 429',
            value: round((100 * throttled) / Math.max(1, requests.length), 2),
            unit: '%',
            kind: 'ratio',
          }),
          figure({
            key: 'lag_p50_ms',
            label: 'Lag p50 under load',
            value: Math.round(loadP50),
            unit: 'ms',
            kind: 'absolute',
          }),
          figure({
            key: 'lag_p95_ms',
            label: 'Lag p95 under load',
            value: Math.round(loadP95),
            unit: 'ms',
            kind: 'absolute',
          }),
          figure({
            key: 'idle_lag_p50_ms',
            label: `Lag p50, one update at a time on an idle engine (${pagesPerBlock} pages each)`,
            value: Math.round(idleP50),
            unit: 'ms',
            kind: 'absolute',
          }),
          figure({
            key: 'idle_lag_p95_ms',
            label: 'Lag p95, one update at a time on an idle engine',
            value: Math.round(idleP95),
            unit: 'ms',
            kind: 'absolute',
          }),
          figure({
            key: 'ingest_per_second',
            label: 'Block updates accepted per second',
            value: Math.round(settings.updates / ingestSeconds),
            unit: 'updates/s',
            kind: 'absolute',
          }),
          figure({
            key: 'drained_seconds',
            label: 'From the first update to an empty queue',
            value: round(drainedSeconds, 1),
            unit: 's',
            kind: 'absolute',
          }),
        ],
        details: {
          totalWrites,
          totalDrains,
          requests: requests.length,
          throttled,
          ingestSeconds,
          lagSamples: load.samples.length,
          lagMs: {
            p50: loadP50,
            p90: percentile(load.samples, 90),
            p95: loadP95,
            p99: percentile(load.samples, 99),
            max: percentile(load.samples, 100),
          },
          idleLagMs: { p50: idleP50, p95: idleP95, max: percentile(idle.samples, 100) },
        },
        notes: [
          'The lag ends at the activity entry the engine writes right after the property write succeeded.',
          `Sources send updates as fast as the backend accepts them (${settings.sources} at a time); the engine drains 4 macros at once.`,
        ],
      };
    } finally {
      await stack.stop();
    }
  },
};

/** Snapshot work the engine gave up on (dead letters), over the backend's whole run. */
async function countFailedSnapshots(stack: PublishingStack): Promise<number> {
  const text = await (await fetch(`${stack.backend.url}/metrics`)).text();
  const match = /^pagewire_publish_dead_letters_total\{kind="snapshot"\} (\d+)/m.exec(text);
  return match === null ? 0 : Number(match[1]);
}

if (isMainModule(import.meta.url)) await runBenchmarkCli(coalescing);
