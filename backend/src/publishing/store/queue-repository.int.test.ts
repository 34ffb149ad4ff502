import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from '../../store/migrations';
import { createRepositories } from '../../store/repositories';
import { type TestDatabase, testDatabaseTargets } from '../../store/testing/test-databases';
import { createPageIdentityRepository, type PageIdentityRepository } from './page-identity-repository';
import {
  createQueueRepository,
  type EnqueueInput,
  type QueueRepository,
  toJobView,
} from './queue-repository';
import { createSnapshotRepository } from './snapshot-repository';

const INSTALLATION = 'ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-000000000001';
const OTHER = 'ari:cloud:ecosystem::installation/bbbbbbbb-0000-4000-8000-000000000002';
const t0 = new Date('2026-11-28T10:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const LEASE = 30_000;

function pageJob(externalId: string, body: unknown, overrides: Partial<EnqueueInput> = {}): EnqueueInput {
  return {
    installationId: INSTALLATION,
    spaceKey: 'ENG',
    source: 'ci',
    kind: 'page',
    targetKey: `page:ENG:${externalId}`,
    externalId,
    dryRun: false,
    request: body,
    now: t0,
    ...overrides,
  };
}

describe.each(testDatabaseTargets())('the publishing queue on $name', (target) => {
  let handle: TestDatabase;
  let queue: QueueRepository;
  let pages: PageIdentityRepository;

  beforeEach(async () => {
    handle = await target.open({ migrations: migrations });
    const db = handle.database.db;
    queue = createQueueRepository(db, handle.database.dialect);
    pages = createPageIdentityRepository(db);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it('accepts a job as queued and shows it only to its own installation', async () => {
    const job = await queue.enqueue(pageJob('runbook', { title: 'Runbook' }));
    expect(toJobView(job)).toMatchObject({ id: job.id, externalId: 'runbook', state: 'queued', attempts: 0 });
    expect(await queue.findJob(INSTALLATION, job.id)).toMatchObject({ request: { title: 'Runbook' } });
    expect(await queue.findJob(OTHER, job.id)).toBeNull();
  });

  it('queues a batch in one go: each target coalesces with what already waited and the newest job of each is handed out', async () => {
    const waiting = await queue.enqueue(pageJob('b', { n: 0 }));
    const batch = await queue.enqueueMany([
      pageJob('c', { n: 1 }),
      pageJob('a', { n: 1 }),
      pageJob('b', { n: 1 }),
    ]);
    // In the order given, whatever order the batch was written in.
    expect(batch.map((job) => job.externalId)).toEqual(['c', 'a', 'b']);
    expect(batch.map((job) => job.state)).toEqual(['queued', 'queued', 'queued']);
    expect(await queue.enqueueMany([])).toEqual([]);

    const leased = [];
    for (
      let lease = await queue.claim('worker', at(1), LEASE);
      lease !== null;
      lease = await queue.claim('worker', at(1), LEASE)
    ) {
      leased.push(lease);
      await queue.complete(lease, { state: 'published', pageId: '1', version: 2 }, at(2));
    }
    expect(leased.map((lease) => lease.job.id).sort()).toEqual(batch.map((job) => job.id).sort());
    expect((await queue.findJob(INSTALLATION, waiting.id))?.supersededBy).toBe(batch[2]!.id);
  });

  it('hands the newest of many waiting updates to one page to a single worker, and finishes them all with its outcome', async () => {
    const jobs = [];
    for (let index = 0; index < 5; index++) jobs.push(await queue.enqueue(pageJob('status', { n: index })));
    const lease = await queue.claim('worker-a', at(1), LEASE);
    expect(lease?.job.id).toBe(jobs[4]!.id);
    expect(lease?.job.request).toEqual({ n: 4 });
    expect(await queue.claim('worker-b', at(1), LEASE)).toBeNull();

    await queue.complete(lease!, { state: 'published', pageId: '42', version: 3 }, at(2));
    const finished = await Promise.all(jobs.map((job) => queue.findJob(INSTALLATION, job.id)));
    expect(finished.map((job) => [job?.state, job?.version, job?.supersededBy])).toEqual([
      ['published', 3, jobs[4]!.id],
      ['published', 3, jobs[4]!.id],
      ['published', 3, jobs[4]!.id],
      ['published', 3, jobs[4]!.id],
      ['published', 3, null],
    ]);
    expect(await queue.claim('worker-a', at(3), LEASE)).toBeNull();
  });

  it('does not let a worker take a page another worker is writing, and runs an update that arrived meanwhile next', async () => {
    await queue.enqueue(pageJob('status', { n: 1 }));
    const first = await queue.claim('worker-a', at(1), LEASE);
    const late = await queue.enqueue(pageJob('status', { n: 2 }, { now: at(2) }));
    expect(await queue.claim('worker-b', at(2), LEASE)).toBeNull();

    await queue.complete(first!, { state: 'published', version: 2 }, at(3));
    expect((await queue.findJob(INSTALLATION, late.id))?.state).toBe('queued');
    const second = await queue.claim('worker-b', at(3), LEASE);
    expect(second?.job.id).toBe(late.id);
  });

  it('keeps pages apart: two pages are two items two workers can hold at once', async () => {
    await queue.enqueue(pageJob('one', {}));
    await queue.enqueue(pageJob('two', {}));
    const a = await queue.claim('worker-a', at(1), LEASE);
    const b = await queue.claim('worker-b', at(1), LEASE);
    expect(new Set([a?.job.externalId, b?.job.externalId])).toEqual(new Set(['one', 'two']));
  });

  it('gives an item whose worker stopped heartbeating to another worker, counting the lost attempt', async () => {
    await queue.enqueue(pageJob('status', {}));
    const first = await queue.claim('worker-a', at(1), LEASE);
    expect(await queue.heartbeat(first!, at(20), LEASE)).toBe(true);
    expect(await queue.claim('worker-b', at(45), LEASE)).toBeNull();
    const taken = await queue.claim('worker-b', at(51), LEASE);
    expect(taken?.attempts).toBe(1);
    expect(taken?.lastError).toMatch(/stopped before finishing/);
    // The first worker finds out at its next heartbeat and must not write.
    expect(await queue.heartbeat(first!, at(52), LEASE)).toBe(false);
    expect(await queue.recordIntent(first!, { write: true })).toBe(false);
  });

  it('hands a recorded intent to the next holder after a crash', async () => {
    await queue.enqueue(pageJob('status', {}));
    const first = await queue.claim('worker-a', at(1), LEASE);
    await queue.recordIntent(first!, { action: 'update', targetVersion: 4 });
    expect(await queue.releaseLeases(['worker-a'], at(2))).toBe(1);
    const next = await queue.claim('worker-b', at(2), LEASE);
    expect(next?.intent).toEqual({ action: 'update', targetVersion: 4 });
  });

  it('retries later with the error visible on the waiting job, and not before the backoff', async () => {
    const job = await queue.enqueue(pageJob('status', {}));
    const lease = await queue.claim('worker-a', at(1), LEASE);
    await queue.retryLater(lease!, { code: 'confluence_rate_limited', detail: 'slow down' }, at(30), at(2));
    expect(await queue.findJob(INSTALLATION, job.id)).toMatchObject({
      state: 'queued',
      error: { code: 'confluence_rate_limited', detail: 'slow down' },
    });
    expect(await queue.claim('worker-a', at(29), LEASE)).toBeNull();
    const again = await queue.claim('worker-a', at(30), LEASE);
    expect(again?.attempts).toBe(1);
    expect(again?.job.attempts).toBe(2);
  });

  it('keeps a dead letter with its reason, fails its jobs, and revives it when new content arrives', async () => {
    const job = await queue.enqueue(pageJob('status', {}));
    const lease = await queue.claim('worker-a', at(1), LEASE);
    await queue.deadLetter(lease!, { code: 'confluence_scope_missing', detail: 'needs write:page' }, at(2));
    expect(await queue.findJob(INSTALLATION, job.id)).toMatchObject({ state: 'failed' });
    expect(await queue.listDeadLetters(INSTALLATION, 'ENG')).toEqual([
      expect.objectContaining({
        targetKey: 'page:ENG:status',
        reason: 'confluence_scope_missing: needs write:page',
      }),
    ]);
    expect(await queue.claim('worker-a', at(3), LEASE)).toBeNull();

    const fresh = await queue.enqueue(pageJob('status', { again: true }, { now: at(4) }));
    const revived = await queue.claim('worker-a', at(4), LEASE);
    expect(revived?.job.id).toBe(fresh.id);
    expect(revived?.attempts).toBe(0);
  });

  it('counts jobs and items by state for the metrics', async () => {
    await queue.enqueue(pageJob('one', {}));
    await queue.enqueue(pageJob('one', {}));
    await queue.enqueue(pageJob('two', {}));
    await queue.claim('worker-a', at(1), LEASE);
    const jobs = await queue.countJobsByState();
    expect((jobs.running ?? 0) + (jobs.queued ?? 0)).toBe(3);
    expect(await queue.countWorkByState()).toEqual({ leased: 1, ready: 1 });
    expect(await queue.oldestDueAt(at(1))).toBe(t0.toISOString());
  });

  it('gives every one of many concurrent requests for one page its own sequence number', async () => {
    const jobs = await Promise.all(
      Array.from({ length: 20 }, (_, n) => queue.enqueue(pageJob('hot', { n }))),
    );
    expect(new Set(jobs.map((job) => job.seq)).size).toBe(20);
    const lease = await queue.claim('worker-a', at(1), LEASE);
    expect(lease?.seq).toBe(20);
  });

  it('remembers which page an external id was published to, the version it last wrote and its parent', async () => {
    await pages.save({
      installationId: INSTALLATION,
      spaceKey: 'ENG',
      externalId: 'runbook',
      pageId: '123',
      spaceId: '9',
      title: 'Runbook',
      lastVersion: 4,
      lastHash: 'abc',
      labels: ['b', 'a', 'a'],
      lastJobId: 'job-1',
      updatedAt: t0.toISOString(),
      parentId: '77',
    });
    await pages.save({
      ...(await pages.find(INSTALLATION, 'ENG', 'runbook'))!,
      lastVersion: 5,
    });
    expect(await pages.find(INSTALLATION, 'ENG', 'runbook')).toMatchObject({
      pageId: '123',
      lastVersion: 5,
      labels: ['a', 'b'],
      parentId: '77',
    });
    expect(await pages.find(OTHER, 'ENG', 'runbook')).toBeNull();
  });

  it('forgets a dry run’s work item once its job is done, and prunes finished jobs past their retention', async () => {
    const dry = await queue.enqueue(pageJob('plan', {}, { targetKey: 'dry-run:ENG:plan:1', dryRun: true }));
    const lease = await queue.claim('worker-a', at(1), LEASE);
    await queue.complete(lease!, { state: 'planned', plan: { action: 'create' } }, at(2));
    expect(await queue.countWorkByState()).toEqual({});
    expect((await queue.findJob(INSTALLATION, dry.id))?.state).toBe('planned');

    const waiting = await queue.enqueue(pageJob('later', {}, { now: at(3) }));
    expect(await queue.pruneFinishedJobs(at(2))).toBe(0);
    expect(await queue.pruneFinishedJobs(at(10))).toBe(1);
    expect(await queue.findJob(INSTALLATION, dry.id)).toBeNull();
    expect(await queue.findJob(INSTALLATION, waiting.id)).not.toBeNull();
  });

  it('finds snapshots behind their block in snapshot spaces, but not ones recorded current or given up on', async () => {
    const core = createRepositories(handle.database.db);
    const snapshots = createSnapshotRepository(handle.database.db);
    const payload = { kind: 'markdown', title: 'Notes', content: 'x' } as const;
    await core.blocks.write({
      installationId: INSTALLATION,
      spaceKey: 'ENG',
      key: 'notes',
      payload,
      contentHash: 'h1',
      source: 'ci',
      now: t0,
    });
    for (const localId of ['m1', 'm2']) {
      await core.placements.record(
        { installationId: INSTALLATION, spaceKey: 'ENG', blockKey: 'notes', contentId: '42', localId },
        t0,
      );
    }
    expect(await snapshots.listStale(10)).toEqual([]);

    await core.spaceSettings.update(
      INSTALLATION,
      'ENG',
      { publishingPolicy: 'snapshot' },
      { accountId: 'admin', now: t0 },
    );
    expect((await snapshots.listStale(10)).map((stale) => stale.localId).sort()).toEqual(['m1', 'm2']);

    await snapshots.record({
      installationId: INSTALLATION,
      contentId: '42',
      localId: 'm1',
      blockKey: 'notes',
      revision: 1,
      propertyVersion: 1,
      writtenAt: t0.toISOString(),
      propertyId: '501',
      valueHash: 'h1',
    });
    expect(await snapshots.find(INSTALLATION, '42', 'm1')).toMatchObject({
      revision: 1,
      propertyId: '501',
      propertyVersion: 1,
      valueHash: 'h1',
    });
    await queue.enqueue(
      pageJob('unused', {}, { kind: 'snapshot', targetKey: 'snapshot:42:m2', externalId: null }),
    );
    const lease = await queue.claim('worker-a', at(1), LEASE);
    await queue.deadLetter(lease!, { code: 'confluence_scope_missing', detail: 'no' }, at(2));
    expect(await snapshots.listStale(10)).toEqual([]);

    await core.blocks.write({
      installationId: INSTALLATION,
      spaceKey: 'ENG',
      key: 'notes',
      payload: { ...payload, content: 'y' },
      contentHash: 'h2',
      source: 'ci',
      now: at(3),
    });
    expect(await snapshots.listStale(10)).toEqual([
      {
        installationId: INSTALLATION,
        spaceKey: 'ENG',
        blockKey: 'notes',
        contentId: '42',
        localId: 'm1',
        source: 'ci',
      },
    ]);
  });
});
