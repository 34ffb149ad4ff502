import { describe, expect, it } from 'vitest';
import { createJobAutomation } from './job-automation';
import { createPageIdentityRepository } from './store/page-identity-repository';
import { declarePublishingHarnesses } from './testing/publishing-harness';

const publishing = declarePublishingHarnesses();

async function setUp() {
  const h = await publishing.open();
  // As the first Forge call records it: the site people open, which page URLs are built on.
  await h.repositories.installations.record(
    {
      installationId: h.site.installationId,
      cloudId: h.site.cloudId,
      apiBaseUrl: publishing.dev.gatewayUrl(h.site.cloudId),
      environmentType: 'DEVELOPMENT',
      siteUrl: h.site.siteUrl,
    },
    new Date(),
  );
  await h.service.start();
  const db = h.database.database.db;
  const automation = createJobAutomation({
    db,
    identities: createPageIdentityRepository(db),
    installations: h.repositories.installations,
    pollMs: 25,
  });
  return { h, automation };
}

describe('automating page publishing', () => {
  it('waits for a job to end and answers with the page’s URL', async () => {
    const { h, automation } = await setUp();
    const jobId = await h.publish('runbook', { title: 'Runbook', markdown: '# Steps' });

    const view = await automation.waitForJob(h.principal, jobId, 20_000, new AbortController().signal);

    expect(view).toMatchObject({ id: jobId, state: 'published', version: 1 });
    expect(view?.pageUrl).toBe(`${h.site.siteUrl}/wiki/spaces/${h.site.space.key}/pages/${view?.pageId}`);
    const [page] = await h.pages();
    expect(view?.pageId).toBe(page?.id);
  });

  it('finds the page an external id was published as, with its version and last job', async () => {
    const { h, automation } = await setUp();
    await h.settle(await h.publish('status', { title: 'Status', markdown: 'one' }));
    const second = await h.settle(await h.publish('status', { title: 'Status', markdown: 'two' }));

    const page = await automation.findPage(h.principal, 'status');

    expect(page).toMatchObject({
      externalId: 'status',
      pageId: second.pageId,
      title: 'Status',
      version: 2,
      lastJob: { id: second.id, state: 'published' },
    });
    expect(page?.pageUrl).toContain(`/pages/${second.pageId}`);
    expect(await automation.findPage(h.principal, 'never-published')).toBeNull();
    expect(await automation.findPage({ ...h.principal, spaceKey: 'OTHER' }, 'status')).toBeNull();
  });

  it('lists jobs newest first, filtered by state and external id, a page at a time', async () => {
    const { h, automation } = await setUp();
    const a = await h.settle(await h.publish('a', { title: 'A', markdown: 'a' }));
    const b = await h.settle(await h.publish('b', { title: 'B', markdown: 'b' }));
    const a2 = await h.settle(await h.publish('a', { title: 'A', markdown: 'a' }));
    expect(a2.state).toBe('unchanged');

    const all = await automation.listJobs(h.principal, { limit: 25 });
    expect(all.jobs.map((job) => job.id)).toEqual([a2.id, b.id, a.id]);
    expect(all.nextCursor).toBeNull();

    const ofA = await automation.listJobs(h.principal, { externalId: 'a', limit: 25 });
    expect(ofA.jobs.map((job) => job.id)).toEqual([a2.id, a.id]);
    const published = await automation.listJobs(h.principal, { state: 'published', limit: 25 });
    expect(published.jobs.map((job) => job.id)).toEqual([b.id, a.id]);
    expect(published.jobs.every((job) => job.pageUrl !== undefined)).toBe(true);

    const first = await automation.listJobs(h.principal, { limit: 2 });
    expect(first.jobs).toHaveLength(2);
    const rest = await automation.listJobs(h.principal, { limit: 2, cursor: first.nextCursor! });
    expect(rest.jobs.map((job) => job.id)).toEqual([a.id]);
    expect(rest.nextCursor).toBeNull();
  });
});
