import type { RequestLogEntry, SeededSite } from '@pagewire/devkit';
import { declareEmulator } from '@pagewire/devkit/testing';
import type { JobView } from '@pagewire/shared';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrations } from '../store/migrations';
import { postgresTarget, postgresTestUrl, sqliteTarget } from '../store/testing/test-databases';
import { ingest, installAndCreateKey, spawnBackend, waitForJobs } from '../testing/backend-process';
import { emulatorBackendEnv } from '../testing/emulator-backend-env';
import { externalIdOf, versionTexts, visibleText } from './testing/confluence-inspection';
import { createPublishingHarness, pageWrites } from './testing/publishing-harness';

const env = declareEmulator();

const PAGES = 12;
const UPDATES = 4;

/** What both variants check once the shared queue is drained. */
async function expectOneWriterPerPage(input: {
  site: SeededSite;
  views: JobView[];
  last: Map<string, string>;
  log: RequestLogEntry[];
  claimedBy: string[];
}) {
  const { site, views, last, log } = input;
  expect(views.filter((view) => view.state !== 'published' && view.state !== 'unchanged')).toEqual([]);
  // Both replicas took work from the one queue.
  expect(new Set(input.claimedBy).size).toBe(2);
  // Two writers racing on one page would have met a 409 (stale version) or made a duplicate.
  const writes = pageWrites(log);
  expect(writes.filter((entry) => entry.status === 409)).toEqual([]);
  const pages = (await env.dev.pages(site.cloudId)).filter((page) => page.id !== site.space.homepageId);
  expect(pages).toHaveLength(PAGES);
  expect(new Set(pages.map((page) => externalIdOf(page))).size).toBe(PAGES);
  for (const page of pages) {
    expect(visibleText(page.body)).toBe(last.get(externalIdOf(page)!));
    const texts = await versionTexts(env.dev, site, page);
    expect(new Set(texts).size).toBe(texts.length);
    const updates = writes.filter(
      (entry) => entry.method === 'PUT' && entry.path.endsWith(`/pages/${page.id}`) && entry.status === 200,
    );
    expect(texts.length).toBe(1 + updates.length);
  }
}

describe('two replicas sharing one queue', () => {
  it('never write the same page twice when two engines in one process share a SQLite queue', async () => {
    const database = await sqliteTarget.open({ migrations: migrations });
    const site = await env.dev.seedSite();
    const first = await createPublishingHarness({
      dev: env.dev,
      emulatorUrl: env.emulator.url,
      site,
      databaseHandle: database,
      owner: 'replica-a',
      config: { concurrency: 2 },
    });
    const second = await createPublishingHarness({
      dev: env.dev,
      emulatorUrl: env.emulator.url,
      site,
      databaseHandle: database,
      owner: 'replica-b',
      config: { concurrency: 2 },
    });
    try {
      await env.dev.setFaults({ rules: [{ path: '/ex/confluence/**', latencyMs: 20 }] });
      const before = await first.lastRequestSeq();
      await first.service.start();
      await second.service.start();
      const jobIds: string[] = [];
      const last = new Map<string, string>();
      for (let update = 1; update <= UPDATES; update++) {
        for (let page = 1; page <= PAGES; page++) {
          const via = (update + page) % 2 === 0 ? first : second;
          const markdown = `replica page ${page} update ${update}`;
          jobIds.push(await via.publish(`page-${page}`, { title: `Replica ${page}`, markdown }));
          last.set(`page-${page}`, markdown);
        }
      }
      const views: JobView[] = [];
      for (const jobId of jobIds) views.push(await first.settle(jobId, 60_000));
      const claimed = await sql<{
        claimed_by: string;
      }>`select distinct claimed_by from publish_jobs where claimed_by is not null`.execute(
        database.database.db,
      );
      await expectOneWriterPerPage({
        site,
        views,
        last,
        log: await first.requestsSince(before),
        claimedBy: claimed.rows.map((row) => row.claimed_by),
      });
    } finally {
      await env.dev.clearFaults();
      await first.dispose();
      await second.dispose();
      await database.dispose();
    }
  }, 90_000);
});

const postgresUrl = postgresTestUrl();

describe.each(postgresUrl === null ? [] : [postgresUrl])('two backend processes on PostgreSQL', (url) => {
  it('share one queue (SKIP LOCKED) and never write the same page twice', async () => {
    // A fresh schema; the two backends migrate it themselves, racing under the migration lock.
    const database = await postgresTarget(url).open({ migrations: false });
    const site = await env.dev.seedSite();
    const processEnv = emulatorBackendEnv(env.dev, {
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      PAGEWIRE_PUBLISH_CONCURRENCY: '2',
      PAGEWIRE_PUBLISH_POLL_MS: '50',
      PAGEWIRE_PUBLISH_RETRY_BASE_MS: '50',
      PAGEWIRE_PUBLISH_RETRY_MAX_MS: '500',
    });
    const [one, two] = await Promise.all([spawnBackend(processEnv), spawnBackend(processEnv)]);
    try {
      const key = await installAndCreateKey(env.dev, one.url, site);
      await env.dev.setFaults({ rules: [{ path: '/ex/confluence/**', latencyMs: 20 }] });
      const before = (await env.dev.requests()).at(-1)?.seq ?? 0;
      const jobIds: string[] = [];
      const last = new Map<string, string>();
      for (let update = 1; update <= UPDATES; update++) {
        for (let page = 1; page <= PAGES; page++) {
          const via = (update + page) % 2 === 0 ? one : two;
          const markdown = `process page ${page} update ${update}`;
          const response = await ingest(via.url, key, `/ingest/v1/pages/page-${page}`, {
            spaceKey: site.space.key,
            title: `Process ${page}`,
            markdown,
          });
          expect(response.status).toBe(202);
          jobIds.push(((await response.json()) as { jobId: string }).jobId);
          last.set(`page-${page}`, markdown);
        }
      }
      const views = await waitForJobs(() => two.url, key, jobIds, 60_000);
      const claimed = await sql<{
        claimed_by: string;
      }>`select distinct claimed_by from publish_jobs where claimed_by is not null`.execute(
        database.database.db,
      );
      const log = (await env.dev.requests({ cloudId: site.cloudId })).filter((entry) => entry.seq > before);
      await expectOneWriterPerPage({
        site,
        views,
        last,
        log,
        claimedBy: claimed.rows.map((row) => row.claimed_by),
      });
    } finally {
      await env.dev.clearFaults();
      await one.kill('SIGTERM');
      await two.kill('SIGTERM');
      await database.dispose();
    }
  }, 120_000);
});
