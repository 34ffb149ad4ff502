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
});
