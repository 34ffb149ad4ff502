import type { AdfDocument, JobView } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { PAGE_OWNERSHIP_PROPERTY_KEY } from './page-ownership';
import { declarePublishingHarnesses, type PublishingHarness, pageWrites } from './testing/publishing-harness';

const publishing = declarePublishingHarnesses();

function paragraphText(body: { value: string } | null): string {
  const document = JSON.parse(body?.value ?? '{"content":[]}') as AdfDocument;
  return document.content.map((node) => node.content?.map((child) => child.text).join('') ?? '').join('\n');
}

async function settleAll(
  harness: PublishingHarness,
  jobIds: string[],
  timeoutMs: number,
): Promise<JobView[]> {
  const views: JobView[] = [];
  for (const jobId of jobIds) views.push(await harness.settle(jobId, timeoutMs));
  return views;
}

describe('the queue under load', () => {
  it('writes each of 10 pages at most once per drain when 1,000 updates arrive faster than Confluence takes them, and the last update wins', async () => {
    const h = await publishing.open({ config: { concurrency: 4 } });
    // Confluence answers writes slowly: the queue fills far faster than it drains.
    await publishing.dev.setFaults({
      rules: [
        { path: '/ex/confluence/**', method: 'PUT', latencyMs: 150 },
        { path: '/ex/confluence/**', method: 'POST', latencyMs: 150 },
      ],
    });
    await h.service.start();
    const before = await h.lastRequestSeq();

    const jobIds: string[] = [];
    const last = new Map<string, string>();
    for (let update = 1; update <= 100; update++) {
      for (let page = 1; page <= 10; page++) {
        const externalId = `page-${page}`;
        const markdown = `${externalId} update ${update}`;
        jobIds.push(await h.publish(externalId, { title: `Page ${page}`, markdown }));
        last.set(externalId, markdown);
      }
    }
    const views = await settleAll(h, jobIds, 60_000);

    // Every accepted request ends, and says what happened to it.
    expect(views.every((view) => view.state === 'published')).toBe(true);
    const written = views.filter((view) => view.supersededBy === undefined);
    expect(views.filter((view) => view.supersededBy !== undefined).length).toBe(1_000 - written.length);

    // One write per drain: the writes of a page are exactly its jobs that were not superseded.
    const writes = pageWrites(await h.requestsSince(before)).filter((entry) => entry.status === 200);
    const pages = await h.pages();
    expect(pages).toHaveLength(10);
    for (const page of pages) {
      const ownership = page.properties.find((property) => property.key === PAGE_OWNERSHIP_PROPERTY_KEY);
      const externalId = (ownership?.value as { externalId?: string } | undefined)?.externalId ?? '';
      const updates = writes.filter(
        (entry) => entry.method === 'PUT' && entry.path.endsWith(`/pages/${page.id}`),
      );
      const drains = written.filter((view) => view.externalId === externalId).length;
      // The create plus one update per later drain, and nothing else: no write was repeated.
      expect(page.versions.length).toBe(1 + updates.length);
      expect(page.versions.length).toBe(drains);
      // Coalescing did its job: far fewer writes than the 100 updates each page received.
      expect(page.versions.length).toBeLessThan(10);
      expect(paragraphText(page.body)).toBe(last.get(externalId));
    }
  }, 90_000);

  it('slows down under a 429 storm and 30% 503s on reads but loses no update', async () => {
    const h = await publishing.open({ config: { concurrency: 4 } });
    await publishing.dev.setLimits({ burstPerSecond: 10, quotaPointsPerHour: 65_000 });
    await publishing.dev.setFaults({
      seed: 7,
      rules: [{ path: '/ex/confluence/**', method: 'GET', errorRate: 0.3, status: 503 }],
    });
    // Another caller on the same app token takes more than the whole burst budget for the first
    // two seconds: the engine's calls meet a wall of 429s, then a budget it has to share.
    const noiseToken = (await publishing.dev.mintAppToken({ installationId: h.site.installationId })).token;
    let noisy = true;
    const noiseUntil = Date.now() + 2_000;
    const noise = (async () => {
      while (noisy) {
        const delay = Date.now() < noiseUntil ? 40 : 400;
        await fetch(
          `${publishing.dev.gatewayUrl(h.site.cloudId)}/wiki/api/v2/spaces?keys=${h.site.space.key}`,
          {
            headers: { authorization: `Bearer ${noiseToken}` },
          },
        ).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    })();
    const before = await h.lastRequestSeq();
    await h.service.start();

    const jobIds: string[] = [];
    const last = new Map<string, string>();
    for (let round = 1; round <= 2; round++) {
      for (let page = 1; page <= 6; page++) {
        const markdown = `storm ${page} round ${round}`;
        jobIds.push(await h.publish(`storm-${page}`, { title: `Storm ${page}`, markdown }));
        last.set(`Storm ${page}`, markdown);
      }
    }
    const views = await settleAll(h, jobIds, 80_000);
    noisy = false;
    await noise;

    expect(
      views.map((view) => view.state).filter((state) => state !== 'published' && state !== 'unchanged'),
    ).toEqual([]);
    const log = await h.requestsSince(before);
    expect(log.filter((entry) => entry.status === 429).length).toBeGreaterThan(0);
    expect(log.filter((entry) => entry.fault === 'error').length).toBeGreaterThan(0);
    const pages = await h.pages();
    expect(pages).toHaveLength(6);
    for (const page of pages) expect(paragraphText(page.body)).toBe(last.get(page.title));
  }, 120_000);
});
