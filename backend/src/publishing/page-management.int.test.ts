import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { OperationCall } from '../http/operations/operation-types';
import { createPageManagementOperations } from './page-management';
import { declarePublishingHarnesses } from './testing/publishing-harness';

const publishing = declarePublishingHarnesses();

describe('the Pages tab’s operations', () => {
  it('lists managed pages with their last job, and overwrites a person’s edit with the source’s version', async () => {
    const h = await publishing.open();
    await h.service.start();
    const operations = createPageManagementOperations({
      db: h.database.database.db,
      service: h.service,
      activity: h.repositories.activity,
      clientFor: h.clientFor,
      now: () => new Date(),
    });
    const call = <Input>(input: Input) =>
      ({
        invocation: { installationId: h.site.installationId },
        context: { spaceKey: h.site.space.key, accountId: h.site.admin.accountId },
        input,
        event: null,
        log: pino({ level: 'silent' }),
      }) as unknown as OperationCall<never>;

    const first = await h.settle(await h.publish('guide', { title: 'Guide', markdown: 'from the source' }));
    await publishing.dev.humanEdit(first.pageId!, { accountId: h.site.member.accountId });
    const skipped = await h.settle(
      await h.publish('guide', { title: 'Guide', markdown: 'from the source, again' }),
    );
    expect(skipped.state).toBe('skipped_human_edit');

    const listed = await operations['pages.list'](call({}) as never);
    expect(listed.pages).toEqual([
      expect.objectContaining({
        externalId: 'guide',
        pageId: first.pageId,
        title: 'Guide',
        version: 1,
        lastJob: expect.objectContaining({
          id: skipped.id,
          state: 'skipped_human_edit',
          source: 'ci',
          humanEdit: expect.objectContaining({ by: h.site.member.accountId, version: 2 }),
        }),
      }),
    ]);

    const { jobId } = await operations['pages.overwrite'](call({ externalId: 'guide' }) as never);
    const overwritten = await h.settle(jobId);
    expect(overwritten).toMatchObject({ state: 'published', version: 3 });
    const [page] = await h.pages();
    expect(page?.body?.value).toContain('from the source, again');
    const activity = await h.repositories.activity.list(h.site.installationId, h.site.space.key, {
      limit: 5,
    });
    expect(activity.items.map((item) => item.action)).toContain('page.overwrite_requested');

    await expect(
      operations['pages.overwrite'](call({ externalId: 'never-published' }) as never),
    ).rejects.toMatchObject({
      code: 'page_not_found',
    });
  });

  it('stops managing a page: the page stays, its markers go, the notice says so and the source’s next push is not written', async () => {
    const h = await publishing.open();
    await h.service.start();
    const operations = createPageManagementOperations({
      db: h.database.database.db,
      service: h.service,
      activity: h.repositories.activity,
      clientFor: h.clientFor,
      now: () => new Date(),
    });
    const call = <Input>(input: Input, contentId?: string) =>
      ({
        invocation: { installationId: h.site.installationId },
        context: { spaceKey: h.site.space.key, accountId: h.site.admin.accountId, contentId },
        input,
        event: null,
        log: pino({ level: 'silent' }),
      }) as unknown as OperationCall<never>;

    const first = await h.settle(await h.publish('runbook', { title: 'Runbook', markdown: 'step one' }));
    const before = await operations['pages.notice'](call({}, first.pageId) as never);
    expect(before).toMatchObject({ managed: true, externalId: 'runbook', source: 'ci', onHumanEdit: 'skip' });
    const withMarker = (await h.pages()).find((page) => page.id === first.pageId);
    expect(withMarker?.properties.map((property) => property.key)).toContain('pagewire.page');

    const released = await operations['pages.release'](call({ externalId: 'runbook' }) as never);
    expect(released.released).toBe(true);

    const page = (await h.pages()).find((candidate) => candidate.id === first.pageId);
    expect(page?.status).toBe('current');
    expect(page?.body?.value).toContain('step one');
    expect(page?.properties.map((property) => property.key)).not.toContain('pagewire.page');

    const listed = await operations['pages.list'](call({}) as never);
    expect(listed.pages).toEqual([
      expect.objectContaining({
        externalId: 'runbook',
        pageId: first.pageId,
        releasedAt: released.releasedAt,
      }),
    ]);
    const after = await operations['pages.notice'](call({}, first.pageId) as never);
    expect(after).toMatchObject({ managed: false, externalId: 'runbook', releasedAt: released.releasedAt });

    // A push queued anyway (the ingest route refuses it first) ends failed and writes nothing.
    const pushed = await h.settle(await h.publish('runbook', { title: 'Runbook', markdown: 'step two' }));
    expect(pushed).toMatchObject({ state: 'failed', error: { code: 'page_released' } });
    const unchanged = (await h.pages()).find((candidate) => candidate.id === first.pageId);
    expect(unchanged?.body?.value).toContain('step one');
    expect(unchanged?.version.number).toBe(page?.version.number);

    // Releasing twice is not an error; an external id never published is.
    await expect(
      operations['pages.release'](call({ externalId: 'runbook' }) as never),
    ).resolves.toMatchObject({
      released: true,
    });
    await expect(
      operations['pages.release'](call({ externalId: 'never-published' }) as never),
    ).rejects.toMatchObject({ code: 'page_not_found' });
    const activity = await h.repositories.activity.list(h.site.installationId, h.site.space.key, {
      limit: 10,
    });
    expect(activity.items.map((item) => item.action)).toContain('page.released');
  });
});
