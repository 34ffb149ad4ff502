import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { declareEmulator } from '@pagewire/devkit/testing';
import { snapshotPropertyKey, snapshotPropertySchema } from '@pagewire/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BackendProcess,
  callOperation,
  ingest,
  ingestThroughKills,
  installAndCreateKey,
  spawnBackend,
  waitForJobs,
} from '../testing/backend-process';
import { emulatorBackendEnv } from '../testing/emulator-backend-env';
import { expectOnePagePerExternalId } from './testing/confluence-inspection';

const env = declareEmulator();
let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'pagewire-crash-'));
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

/** mulberry32: the kill points are random, and the seed in a failure message replays them. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('crash safety', () => {
  it('completes every accepted page and block update exactly once although the backend is SIGKILLed at random points', async () => {
    // Random kill points; a failure names the seed, and pinning it here replays the same run.
    const seed = randomBytes(4).readUInt32LE(0);
    const random = seeded(seed);
    const context = `kill points from seed ${seed}`;
    const site = await env.dev.seedSite();
    const processEnv = emulatorBackendEnv(env.dev, {
      DATABASE_URL: `sqlite:${join(dataDir, 'pagewire.db')}`,
      LOG_LEVEL: 'warn',
      PAGEWIRE_PUBLISH_CONCURRENCY: '3',
      PAGEWIRE_PUBLISH_POLL_MS: '50',
      PAGEWIRE_PUBLISH_RETRY_BASE_MS: '50',
      PAGEWIRE_PUBLISH_RETRY_MAX_MS: '500',
      PAGEWIRE_PUBLISH_MAX_ATTEMPTS: '50',
    });
    let backend: BackendProcess = await spawnBackend(processEnv);
    try {
      const key = await installAndCreateKey(env.dev, backend.url, site);
      await callOperation(
        env.dev,
        backend.url,
        site,
        'settings.update',
        { publishingPolicy: 'snapshot' },
        { isSpaceAdmin: true },
      );
      const block = (status: string) => ({
        kind: 'status',
        title: 'Deploys',
        content: { status, tone: 'info' },
      });
      expect((await ingest(backend.url, key, '/ingest/v1/blocks/deploys', block('start'))).status).toBe(201);
      for (const localId of ['macro-1', 'macro-2']) {
        await callOperation(
          env.dev,
          backend.url,
          site,
          'blocks.get',
          { key: 'deploys' },
          { contentId: site.space.homepageId, localId },
        );
      }
      // Every Confluence call takes a while, so a kill finds work in flight.
      await env.dev.setFaults({ rules: [{ path: '/ex/confluence/**', latencyMs: 40 }] });

      const accepted: { jobId: string; externalId: string; markdown: string }[] = [];
      const lastMarkdown = new Map<string, string>();
      let lastStatus = 'start';
      let kills = 0;
      const send = (path: string, body: unknown) => ingestThroughKills(() => backend.url, key, path, body);

      for (let round = 1; round <= 5; round++) {
        for (let n = 0; n < 8; n++) {
          const externalId = `page-${(round * 8 + n) % 5}`;
          const markdown = `${externalId}: round ${round}, update ${n}`;
          const response = await send(`/ingest/v1/pages/${externalId}`, {
            spaceKey: site.space.key,
            title: `Crash ${externalId}`,
            markdown,
          });
          expect(response.status).toBe(202);
          accepted.push({
            jobId: ((await response.json()) as { jobId: string }).jobId,
            externalId,
            markdown,
          });
          lastMarkdown.set(externalId, markdown);
        }
        lastStatus = `round ${round}`;
        expect([200, 201]).toContain((await send('/ingest/v1/blocks/deploys', block(lastStatus))).status);

        // Let the worker get going, then pull the plug somewhere in the middle of it.
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(random() * 700)));
        await backend.kill('SIGKILL');
        kills += 1;
        backend = await spawnBackend(processEnv);
      }

      const views = await waitForJobs(
        () => backend.url,
        key,
        accepted.map((job) => job.jobId),
        90_000,
      );
      expect(
        views.filter((view) => view.state !== 'published' && view.state !== 'unchanged'),
        context,
      ).toEqual([]);
      expect(kills).toBe(5);

      // Exactly one page per external id, showing the last accepted update.
      // No extra version: every version is a different accepted update, none written twice.
      await expectOnePagePerExternalId(env.dev, site, {
        externalIds: ['page-0', 'page-1', 'page-2', 'page-3', 'page-4'],
        sent: accepted,
        lastMarkdown,
        message: context,
      });

      // The snapshots show the last block update, and never created a page version.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const homepage = (await env.dev.pages(site.cloudId)).find(
          (page) => page.id === site.space.homepageId,
        )!;
        const statuses = ['macro-1', 'macro-2'].map((localId) => {
          const value = homepage.properties.find(
            (property) => property.key === snapshotPropertyKey(localId),
          )?.value;
          const parsed = snapshotPropertySchema.safeParse(value);
          return parsed.success ? JSON.stringify(parsed.data.adf) : '';
        });
        if (statuses.every((adf) => adf.includes(`"text":"${lastStatus}"`))) {
          expect(homepage.version.number).toBe(1);
          break;
        }
        if (Date.now() > deadline)
          throw new Error(`snapshots never showed "${lastStatus}" (${context}): ${statuses.join(' | ')}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await backend.kill('SIGTERM');
      await env.dev.clearFaults();
    }
  }, 180_000);
});
