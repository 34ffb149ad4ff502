import { type Kysely, sql } from 'kysely';
import type { Tables, WebhookDeliveriesTable, WebhookTables } from '../../store/schema';

export interface NewDelivery {
  id: string;
  subscriptionId: string;
  installationId: string;
  orderKey: string;
  seq: string;
  type: string;
  body: string;
  createdAt: Date;
}

export interface LeasedDelivery {
  id: string;
  subscriptionId: string;
  installationId: string;
  type: string;
  body: string;
  attempts: number;
  createdAt: string;
  owner: string;
}

export interface DeliveryRepository {
  /** In one transaction: an event's deliveries to every subscription exist, or none does. */
  insertMany(deliveries: readonly NewDelivery[]): Promise<void>;
  /**
   * Leases up to `limit` due deliveries, each the oldest unfinished one of its
   * subscription and page (per-page order), of active subscriptions (test
   * deliveries go to paused ones too). A lease that ran out counts as due: its
   * holder died mid-delivery, and the same id goes out again.
   */
  claim(owner: string, now: Date, leaseMs: number, limit: number): Promise<LeasedDelivery[]>;
  markDelivered(delivery: LeasedDelivery, status: number, now: Date): Promise<void>;
  retryLater(
    delivery: LeasedDelivery,
    failure: { status: number | null; detail: string },
    availableAt: Date,
  ): Promise<void>;
  deadLetter(
    delivery: LeasedDelivery,
    failure: { status: number | null; detail: string },
    now: Date,
  ): Promise<void>;
  /** Makes every lease claimable now (SQLite: the one process that held them is gone). */
  releaseAllLeases(): Promise<number>;
  /** When the soonest pending delivery is due (after `after`, when given), or null. */
  nextDueAt(after?: Date): Promise<string | null>;
  pruneDelivered(before: Date): Promise<number>;
  countByState(): Promise<Record<string, number>>;
  find(id: string): Promise<WebhookDeliveriesTable | null>;
  /**
   * `subscriptionId@version/status` of each state of the page already queued
   * or delivered to those subscriptions (dead letters excepted: they never
   * arrived), newest 200: what a change the reconcile found is deduped against.
   */
  announcedStates(subscriptionIds: readonly string[], orderKey: string): Promise<Set<string>>;
}

const UNFINISHED = ['pending', 'leased'];

export function announcedStateKey(subscriptionId: string, page: { version: number; status: string }): string {
  return `${subscriptionId}@${page.version}/${page.status}`;
}

export function createDeliveryRepository(db: Kysely<Tables>): DeliveryRepository {
  return {
    async announcedStates(subscriptionIds, orderKey) {
      if (subscriptionIds.length === 0) return new Set();
      const rows = await db
        .selectFrom('webhook_deliveries')
        .select(['subscription_id', 'body'])
        .where('order_key', '=', orderKey)
        .where('subscription_id', 'in', subscriptionIds)
        .where('state', '!=', 'dead')
        .orderBy('seq', 'desc')
        .limit(200)
        .execute();
      return new Set(
        rows.map((row) => {
          const { page } = JSON.parse(row.body) as { page: { version: number; status: string } };
          return announcedStateKey(row.subscription_id, page);
        }),
      );
    },

    async insertMany(deliveries) {
      if (deliveries.length === 0) return;
      await db
        .insertInto('webhook_deliveries')
        .values(
          deliveries.map((delivery) => ({
            id: delivery.id,
            subscription_id: delivery.subscriptionId,
            installation_id: delivery.installationId,
            order_key: delivery.orderKey,
            seq: delivery.seq,
            type: delivery.type,
            body: delivery.body,
            state: 'pending',
            attempts: 0,
            available_at: delivery.createdAt.toISOString(),
            lease_owner: null,
            lease_expires_at: null,
            last_status: null,
            last_error: null,
            created_at: delivery.createdAt.toISOString(),
            finished_at: null,
          })),
        )
        .execute();
    },

    async claim(owner, now, leaseMs, limit) {
      const at = now.toISOString();
      const candidates = await db
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
        .select([
          'd.id',
          'd.subscription_id',
          'd.installation_id',
          'd.type',
          'd.body',
          'd.attempts',
          'd.created_at',
        ])
        .where((eb) =>
          eb.or([
            eb.and([eb('d.state', '=', 'pending'), eb('d.available_at', '<=', at)]),
            eb.and([eb('d.state', '=', 'leased'), eb('d.lease_expires_at', '<=', at)]),
          ]),
        )
        .where((eb) => eb.or([eb('s.state', '=', 'active'), eb('d.type', '=', 'webhook.test')]))
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('webhook_deliveries as e')
                .select(sql<number>`1`.as('one'))
                .whereRef('e.subscription_id', '=', 'd.subscription_id')
                .whereRef('e.order_key', '=', 'd.order_key')
                .whereRef('e.seq', '<', 'd.seq')
                .where('e.state', 'in', UNFINISHED),
            ),
          ),
        )
        .orderBy('d.available_at')
        .orderBy('d.seq')
        .limit(limit)
        .execute();
      const leased: LeasedDelivery[] = [];
      const expiresAt = new Date(now.getTime() + leaseMs).toISOString();
      for (const candidate of candidates) {
        // Conditional on the row still being due: of two workers, one wins.
        const result = await db
          .updateTable('webhook_deliveries')
          .set({ state: 'leased', lease_owner: owner, lease_expires_at: expiresAt })
          .where('id', '=', candidate.id)
          .where((eb) =>
            eb.or([
              eb('state', '=', 'pending'),
              eb.and([eb('state', '=', 'leased'), eb('lease_expires_at', '<=', at)]),
            ]),
          )
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) continue;
        leased.push({
          id: candidate.id,
          subscriptionId: candidate.subscription_id,
          installationId: candidate.installation_id,
          type: candidate.type,
          body: candidate.body,
          attempts: Number(candidate.attempts),
          createdAt: candidate.created_at,
          owner,
        });
      }
      return leased;
    },

    async markDelivered(delivery, status, now) {
      await db
        .updateTable('webhook_deliveries')
        .set((eb) => ({
          state: 'delivered',
          attempts: eb('attempts', '+', 1),
          last_status: status,
          lease_owner: null,
          lease_expires_at: null,
          finished_at: now.toISOString(),
        }))
        .where('id', '=', delivery.id)
        .where('lease_owner', '=', delivery.owner)
        .execute();
    },

    async retryLater(delivery, failure, availableAt) {
      await db
        .updateTable('webhook_deliveries')
        .set((eb) => ({
          state: 'pending',
          attempts: eb('attempts', '+', 1),
          available_at: availableAt.toISOString(),
          last_status: failure.status,
          last_error: failure.detail.slice(0, 300),
          lease_owner: null,
          lease_expires_at: null,
        }))
        .where('id', '=', delivery.id)
        .where('lease_owner', '=', delivery.owner)
        .execute();
    },

    async deadLetter(delivery, failure, now) {
      await db
        .updateTable('webhook_deliveries')
        .set((eb) => ({
          state: 'dead',
          attempts: eb('attempts', '+', 1),
          last_status: failure.status,
          last_error: failure.detail.slice(0, 300),
          lease_owner: null,
          lease_expires_at: null,
          finished_at: now.toISOString(),
        }))
        .where('id', '=', delivery.id)
        .where('lease_owner', '=', delivery.owner)
        .execute();
    },

    async releaseAllLeases() {
      const result = await db
        .updateTable('webhook_deliveries')
        .set({ state: 'pending', lease_owner: null, lease_expires_at: null })
        .where('state', '=', 'leased')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async nextDueAt(after) {
      let query = db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.min('available_at').as('at'))
        .where('state', '=', 'pending');
      if (after !== undefined) query = query.where('available_at', '>', after.toISOString());
      const row = await query.executeTakeFirst();
      return (row?.at as string | null | undefined) ?? null;
    },

    async pruneDelivered(before) {
      const result = await db
        .deleteFrom('webhook_deliveries')
        .where('state', '=', 'delivered')
        .where('finished_at', '<', before.toISOString())
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async countByState() {
      const rows = await db
        .selectFrom('webhook_deliveries')
        .select(['state', (eb) => eb.fn.countAll<number>().as('count')])
        .groupBy('state')
        .execute();
      return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
    },

    async find(id) {
      return (
        (await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst()) ??
        null
      );
    },
  };
}
