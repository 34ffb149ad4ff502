import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSecretBox } from '../credentials/secret-box';
import { type Database, openDatabase } from '../store/database';
import { migrations } from '../store/migrations';
import { migrateToLatest } from '../store/migrator';
import { createEventIntake } from './event-intake';
import type {
  MirroredPage,
  MirroredPageChange,
  PageMirrorPort,
  ReconcileAnnouncerPort,
} from './page-mirror-port';
import { NO_PAGEWIRE_WRITES } from './pagewire-writes-port';
import { createReconcileAnnouncer, typeOfReconciledChange } from './reconcile-announcements';
import { createInboundEventRepository } from './store/inbound-event-repository';
import { createSubscriptionRepository } from './store/subscription-repository';
import { sealSubscriptionSecret } from './subscription-secret';
import { generateWebhookSecret } from './webhook-signature';
import type { WorkLoop } from './work-loop';

const INSTALLATION = 'ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-000000000001';

const page = (overrides: Partial<MirroredPage> = {}): MirroredPage => ({
  pageId: '65601',
  title: 'Runbook',
  version: 3,
  status: 'current',
  updatedAt: '2026-12-06T10:00:00.000Z',
  checksum: 'c0ffee',
  url: 'https://acme.atlassian.net/wiki/spaces/ENG/pages/65601',
  spaceKey: 'ENG',
  parentId: null,
  ...overrides,
});

describe('what a change the reconcile found is called', () => {
  const change = (
    before: Partial<MirroredPage> | null,
    after: Partial<MirroredPage>,
  ): MirroredPageChange => ({
    before: before === null ? null : page(before),
    after: page(after),
  });

  it('names status changes first: trashed, deleted, restored from the trash, unarchived from the archive', () => {
    expect(typeOfReconciledChange(change({}, { status: 'trashed' }))).toBe('page.trashed');
    expect(typeOfReconciledChange(change({ status: 'trashed' }, { status: 'deleted' }))).toBe('page.deleted');
    expect(typeOfReconciledChange(change({ status: 'trashed' }, { status: 'current' }))).toBe(
      'page.restored',
    );
    expect(typeOfReconciledChange(change({ status: 'archived' }, { status: 'current' }))).toBe(
      'page.unarchived',
    );
    expect(typeOfReconciledChange(change({}, { status: 'archived' }))).toBe('page.archived');
  });

  it('calls a new version an update, a new parent a move, a page new to the mirror a creation, and labels nothing', () => {
    expect(typeOfReconciledChange(change({ version: 2 }, { version: 3 }))).toBe('page.updated');
    expect(typeOfReconciledChange(change({ parentId: '1' }, { parentId: '2' }))).toBe('page.moved');
    expect(typeOfReconciledChange(change(null, {}))).toBe('page.created');
    expect(typeOfReconciledChange(change({}, {}))).toBeNull();
  });
});

/**
 * The announcer and the intake on an in-memory database: a reconciled change
 * goes through the same queue as events, and is not delivered again to a
 * subscription that already has this version and status of the page.
 */
describe('announcing the reconcile’s changes through the webhooks intake', () => {
  let database: Database;
  let intake: WorkLoop;
  let announcer: ReconcileAnnouncerPort;
  const mirrorCalls: string[] = [];
  const mirror: PageMirrorPort = {
    async refreshPage(_installationId, _spaceId, pageId) {
      mirrorCalls.push(pageId);
      return null;
    },
  };

  beforeEach(async () => {
    database = await openDatabase('sqlite::memory:');
    await migrateToLatest(database, migrations);
    const secretBox = createSecretBox({ current: randomBytes(32) });
    await createSubscriptionRepository(database.db).insert({
      id: 'wh_1',
      installationId: INSTALLATION,
      spaceKey: 'ENG',
      url: 'https://hooks.example.com/pagewire',
      events: ['page.trashed', 'page.updated'],
      secretSealed: sealSubscriptionSecret(
        secretBox,
        { id: 'wh_1', installationId: INSTALLATION },
        generateWebhookSecret(),
      ),
      state: 'active',
      createdAt: '2026-12-01T00:00:00.000Z',
      createdBy: 'admin',
      failingSince: null,
      lastSuccessAt: null,
      lastError: null,
      pausedAt: null,
    });
    const inbound = createInboundEventRepository(database.db);
    intake = createEventIntake({
      db: database.db,
      inbound,
      mirror,
      writes: NO_PAGEWIRE_WRITES,
      owner: 'test',
      concurrency: 2,
      leaseMs: 30_000,
      pollMs: 20,
      retryBaseMs: 10,
      giveUpAfterMs: 60_000,
      now: () => new Date(),
      logger: pino({ level: 'silent' }),
      onDeliveriesQueued: () => {},
    });
    let seq = 0;
    announcer = createReconcileAnnouncer({
      inbound,
      newId: () => `0193a5c2-e0f8-7c3a-a1b2-${String(++seq).padStart(12, '0')}`,
      now: () => new Date(),
      onQueued: () => intake.wake(),
    });
    intake.start();
  });
  afterEach(async () => {
    await intake.stop();
    await database.close();
  });

  async function deliveries() {
    return database.db.selectFrom('webhook_deliveries').select(['type', 'body']).orderBy('seq').execute();
  }

  async function settled() {
    const deadline = Date.now() + 10_000;
    while ((await createInboundEventRepository(database.db).count()) > 0) {
      if (Date.now() > deadline) throw new Error('the intake did not finish');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('delivers a trash found by the reconcile as page.trashed, without asking the mirror again', async () => {
    await announcer.announce({
      installationId: INSTALLATION,
      before: page(),
      after: page({ status: 'trashed' }),
    });
    await settled();
    const queued = await deliveries();
    expect(queued.map((row) => row.type)).toEqual(['page.trashed']);
    expect(JSON.parse(queued[0]!.body)).toMatchObject({
      type: 'page.trashed',
      installationId: INSTALLATION,
      spaceKey: 'ENG',
      page: { pageId: '65601', version: 3, status: 'trashed' },
      actor: { accountId: null, isPagewire: false },
    });
    expect(mirrorCalls).toEqual([]);
  });

  it('does not deliver again a page version and status a subscription was already sent', async () => {
    await announcer.announce({ installationId: INSTALLATION, before: page({ version: 2 }), after: page() });
    await settled();
    // The same state found again (a second run that re-read the page after an interrupted one).
    await announcer.announce({ installationId: INSTALLATION, before: page({ version: 2 }), after: page() });
    await settled();
    expect((await deliveries()).map((row) => row.type)).toEqual(['page.updated']);
    // A later state is news.
    await announcer.announce({
      installationId: INSTALLATION,
      before: page(),
      after: page({ status: 'trashed' }),
    });
    await settled();
    expect((await deliveries()).map((row) => row.type)).toEqual(['page.updated', 'page.trashed']);
  });

  it('queues nothing for a change no webhook type describes (labels, the ancestor path)', async () => {
    await announcer.announce({ installationId: INSTALLATION, before: page(), after: page() });
    expect(await createInboundEventRepository(database.db).count()).toBe(0);
    expect(await deliveries()).toEqual([]);
  });
});
