import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSecretBox } from '../credentials/secret-box';
import { type Database, openDatabase } from '../store/database';
import { migrations } from '../store/migrations';
import { migrateToLatest } from '../store/migrator';
import { createRepositories, type Repositories } from '../store/repositories';
import type { WebhookTables } from '../store/schema';
import { DEFAULT_DELIVERY_SCHEDULE } from './delivery-schedule';
import { createDeliveryWorker, type DeliveryWorker } from './delivery-worker';
import { operatorSubscriptionId, syncOperatorSubscriptions } from './operator-subscriptions';
import { createDeliveryRepository, type DeliveryRepository } from './store/delivery-repository';
import { createSubscriptionRepository, type SubscriptionRepository } from './store/subscription-repository';
import { sealSubscriptionSecret } from './subscription-secret';
import type { SendOutcome, WebhookSender } from './webhook-sender';
import { generateWebhookSecret } from './webhook-signature';

const INSTALLATION = 'ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-000000000001';
const HOUR = 3_600_000;

/**
 * The delivery worker against an in-memory database, a sender that answers
 * what the test says, and a clock the test moves: days of failures pass in
 * milliseconds, so the 24-hour dead letter and the 3-day pause are observed,
 * not simulated.
 */
describe('the delivery worker', () => {
  let database: Database;
  let repositories: Repositories;
  let subscriptions: SubscriptionRepository;
  let deliveries: DeliveryRepository;
  let worker: DeliveryWorker | undefined;
  let clock: number;
  let answer: SendOutcome;
  const sent: Array<{ id: string; timestamp: string; signature: string }> = [];
  const secretBox = createSecretBox({ current: randomBytes(32) });

  const sender: WebhookSender = {
    async send(_url, headers) {
      sent.push({
        id: headers['webhook-id']!,
        timestamp: headers['webhook-timestamp']!,
        signature: headers['webhook-signature']!,
      });
      return answer;
    },
  };

  beforeEach(async () => {
    database = await openDatabase('sqlite::memory:');
    await migrateToLatest(database, migrations);
    repositories = createRepositories(database.db);
    const db = database.db;
    subscriptions = createSubscriptionRepository(db);
    deliveries = createDeliveryRepository(db);
    clock = Date.parse('2026-12-01T00:00:00.000Z');
    sent.length = 0;
    answer = { ok: false, status: 503, detail: 'answered HTTP 503', refused: false };
    await subscriptions.insert({
      id: 'wh_1',
      installationId: INSTALLATION,
      spaceKey: 'ENG',
      url: 'https://hooks.example.com/pagewire',
      events: ['page.updated'],
      secretSealed: sealSubscriptionSecret(
        secretBox,
        { id: 'wh_1', installationId: INSTALLATION },
        generateWebhookSecret(),
      ),
      state: 'active',
      createdAt: new Date(clock).toISOString(),
      createdBy: 'admin',
      failingSince: null,
      lastSuccessAt: null,
      lastError: null,
      pausedAt: null,
    });
    worker = createDeliveryWorker({
      deliveries,
      subscriptions,
      activity: repositories.activity,
      secretBox,
      sender,
      schedule: DEFAULT_DELIVERY_SCHEDULE,
      owner: 'test',
      concurrency: 4,
      leaseMs: 30_000,
      pollMs: 3_600_000,
      now: () => new Date(clock),
      random: () => 0.5,
      logger: pino({ level: 'silent' }),
    });
  });
  afterEach(async () => {
    await worker?.stop();
    await database.close();
  });

  let nextSeq = 0;
  async function enqueue(pageId: string) {
    nextSeq += 1;
    const seq = String(nextSeq).padStart(6, '0');
    await deliveries.insertMany([
      {
        id: `msg_${seq}`,
        subscriptionId: 'wh_1',
        installationId: INSTALLATION,
        orderKey: pageId,
        seq,
        type: 'page.updated',
        body: JSON.stringify({ type: 'page.updated', page: { pageId } }),
        createdAt: new Date(clock),
      },
    ]);
    return `msg_${seq}`;
  }

  /** Runs every attempt that is due now, moves the clock to the next due time, and so on until `untilMs`. */
  async function runUntil(untilMs: number) {
    for (;;) {
      await worker!.drainDue();
      const due = await deliveries.nextDueAt(new Date(clock));
      if (due === null || Date.parse(due) > untilMs) return;
      clock = Date.parse(due);
    }
  }

  it('retries with the same webhook-id and a fresh timestamp, then dead-letters the delivery 24 hours after it was created', async () => {
    const id = await enqueue('1001');
    await runUntil(clock + 30 * HOUR);
    const row = await deliveries.find(id);
    expect(row).toMatchObject({ state: 'dead', last_status: 503, last_error: 'answered HTTP 503' });
    expect(Date.parse(row!.finished_at!) - Date.parse(row!.created_at)).toBe(24 * HOUR);
    expect(new Set(sent.map((attempt) => attempt.id))).toEqual(new Set([id]));
    expect(new Set(sent.map((attempt) => attempt.timestamp)).size).toBe(sent.length);
    expect(sent.length).toBe(row!.attempts);
    const counts = await subscriptions.countDeliveries(['wh_1']);
    expect(counts.get('wh_1')).toEqual({ delivered: 0, pending: 0, deadLettered: 1 });
  });

  it('keeps a page’s later delivery waiting behind its earlier one, while other pages go ahead', async () => {
    const first = await enqueue('1001');
    const second = await enqueue('1001');
    const otherPage = await enqueue('2002');
    await runUntil(clock);
    expect(sent.map((attempt) => attempt.id).sort()).toEqual([first, otherPage].sort());
    answer = { ok: true, status: 200 };
    await runUntil(clock + HOUR);
    expect(sent.map((attempt) => attempt.id).filter((id) => id !== otherPage)).toEqual([
      first,
      first,
      second,
    ]);
    expect((await deliveries.find(second))?.state).toBe('delivered');
  });

  it('tells the space whose delivery failed when an operator’s subscription for every space is paused', async () => {
    await syncOperatorSubscriptions({
      configured: [{ url: 'https://search.example.com/hooks', secret: generateWebhookSecret() }],
      subscriptions,
      secretBox,
      policy: { allowPrivate: false },
      now: () => new Date(clock),
    });
    const operatorId = operatorSubscriptionId('https://search.example.com/hooks');
    for (let day = 0; day < 4; day++) {
      nextSeq += 1;
      await deliveries.insertMany([
        {
          id: `msg_op_${nextSeq}`,
          subscriptionId: operatorId,
          installationId: INSTALLATION,
          orderKey: `ops-page-${day}`,
          seq: String(nextSeq).padStart(6, '0'),
          type: 'page.updated',
          body: JSON.stringify({
            type: 'page.updated',
            spaceKey: 'OPS',
            page: { pageId: `ops-page-${day}` },
          }),
          createdAt: new Date(clock),
        },
      ]);
      await runUntil(clock + 24 * HOUR);
      clock += 24 * HOUR - ((clock - Date.parse('2026-12-01T00:00:00.000Z')) % (24 * HOUR));
    }
    expect((await subscriptions.findById(operatorId))?.state).toBe('paused');
    const { items } = await repositories.activity.list(INSTALLATION, 'OPS', { limit: 10 });
    expect(items.filter((item) => item.action === 'webhook.paused')).toHaveLength(1);
    expect(items[0]!.detail).toContain('search.example.com');
  });

  it('pauses a subscription failing for 3 days, tells the admin in the activity log, and resumes it after a successful test', async () => {
    // A new event every 12 hours; none of them ever gets through.
    for (let day = 0; day < 8; day++) {
      await enqueue(`page-${day}`);
      await runUntil(clock + 12 * HOUR);
      clock += 12 * HOUR - ((clock - Date.parse('2026-12-01T00:00:00.000Z')) % (12 * HOUR));
      const subscription = await subscriptions.findById('wh_1');
      const elapsed = clock - Date.parse('2026-12-01T00:00:00.000Z');
      if (elapsed < 3 * 24 * HOUR) expect(subscription?.state).toBe('active');
    }
    const paused = await subscriptions.findById('wh_1');
    expect(paused).toMatchObject({ state: 'paused', failingSince: '2026-12-01T00:00:00.000Z' });
    expect(Date.parse(paused!.pausedAt!) - Date.parse(paused!.failingSince!)).toBeGreaterThanOrEqual(
      3 * 24 * HOUR,
    );
    const { items } = await repositories.activity.list(INSTALLATION, 'ENG', { limit: 10 });
    expect(items.filter((item) => item.action === 'webhook.paused')).toHaveLength(1);
    expect(items[0]).toMatchObject({ action: 'webhook.paused', result: 'failed', actor: { kind: 'system' } });
    expect(items[0]!.detail).toMatch(/hooks\.example\.com.*since 2026-12-01/);

    // Paused: ordinary deliveries wait, even once the receiver is back…
    answer = { ok: true, status: 204 };
    sent.length = 0;
    const waiting = await enqueue('page-later');
    await runUntil(clock + HOUR);
    expect(sent).toEqual([]);
    // …a test goes out, and its success resumes the subscription: then the waiting ones follow.
    await deliveries.insertMany([
      {
        id: 'msg_test',
        subscriptionId: 'wh_1',
        installationId: INSTALLATION,
        orderKey: 'test:msg_test',
        seq: 'zzzzzz',
        type: 'webhook.test',
        body: '{"type":"webhook.test"}',
        createdAt: new Date(clock),
      },
    ]);
    await runUntil(clock);
    expect(sent[0]?.id).toBe('msg_test');
    expect((await subscriptions.findById('wh_1'))?.state).toBe('active');
    expect(sent.map((attempt) => attempt.id)).toContain(waiting);
  });
});
