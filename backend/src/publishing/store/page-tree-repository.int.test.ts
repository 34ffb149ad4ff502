import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from '../../store/migrations';
import { type TestDatabase, testDatabaseTargets } from '../../store/testing/test-databases';
import { createPageIdentityRepository, type PageIdentityRepository } from './page-identity-repository';
import { createPageTreeRepository, type PageTreeRepository } from './page-tree-repository';
import { createQueueRepository, type QueueRepository } from './queue-repository';

const INSTALLATION = 'ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-000000000001';
const t0 = new Date('2026-12-06T10:00:00.000Z');
const hash = 'd'.repeat(64);

function body(title: string, extra: Record<string, unknown> = {}) {
  return { spaceKey: 'ENG', title, markdown: title, ...extra };
}

describe.each(testDatabaseTargets())('the page-tree records on $name', (target) => {
  let handle: TestDatabase;
  let trees: PageTreeRepository;
  let identities: PageIdentityRepository;
  let queue: QueueRepository;

  beforeEach(async () => {
    handle = await target.open({ migrations });
    const db = handle.database.db;
    trees = createPageTreeRepository(db);
    identities = createPageIdentityRepository(db);
    queue = createQueueRepository(db, handle.database.dialect);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  async function written(externalId: string, pageId: string, parentId: string | null = null) {
    await identities.save({
      installationId: INSTALLATION,
      spaceKey: 'ENG',
      externalId,
      pageId,
      spaceId: '9',
      title: externalId,
      lastVersion: 1,
      lastHash: 'h',
      labels: [],
      lastJobId: 'job',
      updatedAt: t0.toISOString(),
      parentId,
    });
  }

  function enqueue(externalId: string, request: unknown, dryRun = false) {
    return queue.enqueue({
      installationId: INSTALLATION,
      spaceKey: 'ENG',
      source: 'ci',
      kind: 'page',
      targetKey: dryRun ? `dry-run:ENG:${externalId}:x` : `page:ENG:${externalId}`,
      externalId,
      dryRun,
      request,
      now: t0,
    });
  }

  it('tells a written page from one on its way and from one nobody queued (dry runs do not count)', async () => {
    await written('done', '101');
    await enqueue('coming', body('Coming'));
    await enqueue('planned-only', body('Planned'), true);
    expect(await trees.standing(INSTALLATION, 'ENG', 'done')).toEqual({ state: 'written', pageId: '101' });
    expect(await trees.standing(INSTALLATION, 'ENG', 'coming')).toEqual({ state: 'pending' });
    expect(await trees.standing(INSTALLATION, 'ENG', 'planned-only')).toEqual({ state: 'missing' });
    expect(await trees.standing(INSTALLATION, 'OPS', 'done')).toEqual({ state: 'missing' });
  });

  it('records an origin once per page, lists a tree after a cursor, and marks a page archived', async () => {
    for (const [externalId, path] of [
      ['docs~b', 'b.md'],
      ['docs~a', 'a.md'],
      ['docs~c', 'c.md'],
    ] as const) {
      await trees.recordOrigin({
        installationId: INSTALLATION,
        spaceKey: 'ENG',
        externalId,
        origin: { tree: 'docs', path, sourceHash: hash },
        title: path,
        parentExternalId: null,
        jobId: `job-${externalId}`,
        at: t0.toISOString(),
      });
    }
    await trees.recordOrigin({
      installationId: INSTALLATION,
      spaceKey: 'ENG',
      externalId: 'docs~a',
      origin: { tree: 'docs', path: 'moved/a.md', sourceHash: 'e'.repeat(64) },
      title: 'A',
      parentExternalId: 'docs~moved',
      jobId: 'job-2',
      at: t0.toISOString(),
    });
    const all = await trees.listTree(INSTALLATION, 'ENG', 'docs', null, 10);
    expect(all.map((row) => [row.external_id, row.path, row.parent_external_id])).toEqual([
      ['docs~a', 'moved/a.md', 'docs~moved'],
      ['docs~b', 'b.md', null],
      ['docs~c', 'c.md', null],
    ]);
    expect(
      (await trees.listTree(INSTALLATION, 'ENG', 'docs', 'docs~a', 1)).map((row) => row.external_id),
    ).toEqual(['docs~b']);
    await trees.markArchived(INSTALLATION, 'ENG', 'docs~c', 'job-archive', t0.toISOString());
    expect(await trees.findOrigin(INSTALLATION, 'ENG', 'docs~c')).toMatchObject({
      status: 'archived',
      last_job_id: 'job-archive',
    });
  });

  it('keeps the pending links of a page until its next write replaces them', async () => {
    await trees.replacePendingLinks(
      INSTALLATION,
      'ENG',
      'intro',
      ['setup', 'api', 'setup'],
      t0.toISOString(),
    );
    await trees.replacePendingLinks(INSTALLATION, 'ENG', 'faq', ['setup'], t0.toISOString());
    expect(await trees.linkingPages(INSTALLATION, 'ENG', 'setup')).toEqual(['faq', 'intro']);
    await trees.replacePendingLinks(INSTALLATION, 'ENG', 'intro', [], t0.toISOString());
    expect(await trees.linkingPages(INSTALLATION, 'ENG', 'setup')).toEqual(['faq']);
    expect(await trees.linkingPages(INSTALLATION, 'ENG', 'api')).toEqual([]);
  });

  it('finds the pages under a page, leaving out archived ones', async () => {
    await written('parent', '200');
    await written('kept', '201', '200');
    await written('gone', '202', '200');
    await trees.recordOrigin({
      installationId: INSTALLATION,
      spaceKey: 'ENG',
      externalId: 'gone',
      origin: { tree: 'docs', path: 'gone.md', sourceHash: hash },
      title: 'Gone',
      parentExternalId: 'parent',
      jobId: 'j',
      at: t0.toISOString(),
    });
    await trees.markArchived(INSTALLATION, 'ENG', 'gone', 'j2', t0.toISOString());
    expect(await trees.childrenOf(INSTALLATION, 'ENG', '200')).toEqual(['kept']);
  });

  it('hands out the last publish request of a page, never an archive request', async () => {
    await enqueue('page', body('First'));
    await enqueue('page', body('Second'));
    await enqueue('page', { archive: true, dryRun: false });
    expect(await trees.lastPublishRequest(INSTALLATION, 'ENG', 'page')).toMatchObject({
      source: 'ci',
      request: { title: 'Second' },
    });
    expect(await trees.lastPublishRequest(INSTALLATION, 'ENG', 'never')).toBeNull();
  });
});
