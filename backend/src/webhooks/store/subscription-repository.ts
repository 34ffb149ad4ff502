import type { WebhookEventType } from '@pagewire/shared';
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Tables, WebhookSubscriptionsTable } from '../../store/schema';

/**
 * The installation and space of an operator's subscription (`PAGEWIRE_WEBHOOKS`):
 * it belongs to no one installation (the uninstall purge leaves it), and `*`
 * as its space means every space. No Confluence installation id or space key
 * is `*`.
 */
export const OPERATOR_SCOPE = '*';

export interface StoredSubscription {
  id: string;
  installationId: string;
  spaceKey: string;
  url: string;
  events: WebhookEventType[];
  secretSealed: string;
  state: 'active' | 'paused';
  createdAt: string;
  createdBy: string;
  failingSince: string | null;
  lastSuccessAt: string | null;
  lastError: { at: string; detail: string } | null;
  pausedAt: string | null;
  /** `operator` for the config's subscriptions (installation `*`). */
  managedBy: 'space-admin' | 'operator';
}

/** What an operator's subscription is declared with; the rest of the row is its delivery history. */
export interface OperatorSubscriptionInput {
  id: string;
  spaceKey: string;
  url: string;
  events: WebhookEventType[];
  secretSealed: string;
  createdAt: string;
}

export interface DeliveryCounts {
  delivered: number;
  pending: number;
  deadLettered: number;
}

export interface SubscriptionRepository {
  insert(subscription: Omit<StoredSubscription, 'managedBy'>): Promise<void>;
  /** The subscriptions of the config, every space's. */
  listOperator(): Promise<StoredSubscription[]>;
  /** Creates an operator's subscription, or updates its scope, events and secret; its history stays. */
  upsertOperator(subscription: OperatorSubscriptionInput): Promise<void>;
  /** Removes an operator's subscription and its deliveries (it left the config). */
  deleteOperator(id: string): Promise<void>;
  /** A subscription of the space, its own or an operator's that covers it. */
  find(installationId: string, spaceKey: string, id: string): Promise<StoredSubscription | null>;
  findById(id: string): Promise<StoredSubscription | null>;
  /** The space's own subscriptions and the operator's that cover it. */
  list(installationId: string, spaceKey: string): Promise<StoredSubscription[]>;
  /** The space's active subscriptions, the operator's included: who gets a new event. */
  listActive(installationId: string, spaceKey: string): Promise<StoredSubscription[]>;
  countDeliveries(subscriptionIds: readonly string[]): Promise<Map<string, DeliveryCounts>>;
  /** Deletes the space's own subscription and its deliveries; false when there was none (never an operator's). */
  delete(installationId: string, spaceKey: string, id: string): Promise<boolean>;
  recordSuccess(id: string, at: Date): Promise<void>;
  /** Records a failure; resolves to when the subscription started failing (this failure, if it was healthy). */
  recordFailure(id: string, at: Date, detail: string): Promise<string>;
  /** Pauses an active subscription; false when it was already paused (or gone). */
  pause(id: string, at: Date): Promise<boolean>;
  /** A paused subscription whose test went through takes events again. */
  resume(id: string): Promise<boolean>;
  /** Every subscription's sealed secret (the master-key rotation). */
  listSealed(): Promise<SealedSubscriptionSecret[]>;
  /** Replaces a sealed secret only if it is still the one read (the rotation runs while the service is up). */
  reseal(row: SealedSubscriptionSecret, next: { keyId: string; ciphertext: string }): Promise<boolean>;
}

export interface SealedSubscriptionSecret {
  subscriptionId: string;
  installationId: string;
  spaceKey: string;
  sealed: { keyId: string; ciphertext: string };
}

function toSubscription(row: WebhookSubscriptionsTable): StoredSubscription {
  return {
    id: row.id,
    installationId: row.installation_id,
    spaceKey: row.space_key,
    url: row.url,
    events: JSON.parse(row.events_json) as WebhookEventType[],
    secretSealed: row.secret_sealed,
    state: row.state === 'paused' ? 'paused' : 'active',
    createdAt: row.created_at,
    createdBy: row.created_by,
    failingSince: row.failing_since,
    lastSuccessAt: row.last_success_at,
    lastError:
      row.last_error_at === null ? null : { at: row.last_error_at, detail: row.last_error_detail ?? '' },
    pausedAt: row.paused_at,
    managedBy: row.installation_id === OPERATOR_SCOPE ? 'operator' : 'space-admin',
  };
}

/** Rows that reach a space: its own, and the operator's for it or for every space. */
function reaching(installationId: string, spaceKey: string) {
  return (eb: ExpressionBuilder<Tables, 'webhook_subscriptions'>) =>
    eb.or([
      eb.and([eb('installation_id', '=', installationId), eb('space_key', '=', spaceKey)]),
      eb.and([eb('installation_id', '=', OPERATOR_SCOPE), eb('space_key', 'in', [spaceKey, OPERATOR_SCOPE])]),
    ]);
}

async function deleteWithDeliveries(
  db: Kysely<Tables>,
  where: { installationId: string; spaceKey?: string; id: string },
) {
  return db.transaction().execute(async (trx) => {
    let query = trx
      .deleteFrom('webhook_subscriptions')
      .where('installation_id', '=', where.installationId)
      .where('id', '=', where.id);
    if (where.spaceKey !== undefined) query = query.where('space_key', '=', where.spaceKey);
    const result = await query.executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) return false;
    await trx.deleteFrom('webhook_deliveries').where('subscription_id', '=', where.id).execute();
    return true;
  });
}

export function createSubscriptionRepository(db: Kysely<Tables>): SubscriptionRepository {
  return {
    async insert(subscription) {
      await db
        .insertInto('webhook_subscriptions')
        .values({
          id: subscription.id,
          installation_id: subscription.installationId,
          space_key: subscription.spaceKey,
          url: subscription.url,
          events_json: JSON.stringify(subscription.events),
          secret_sealed: subscription.secretSealed,
          state: subscription.state,
          created_at: subscription.createdAt,
          created_by: subscription.createdBy,
          failing_since: null,
          last_success_at: null,
          last_error_at: null,
          last_error_detail: null,
          paused_at: null,
        })
        .execute();
    },

    async find(installationId, spaceKey, id) {
      const row = await db
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where(reaching(installationId, spaceKey))
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? null : toSubscription(row);
    },

    async findById(id) {
      const row = await db
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? null : toSubscription(row);
    },

    async list(installationId, spaceKey) {
      const rows = await db
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where(reaching(installationId, spaceKey))
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toSubscription);
    },

    async listActive(installationId, spaceKey) {
      const rows = await db
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where(reaching(installationId, spaceKey))
        .where('state', '=', 'active')
        .execute();
      return rows.map(toSubscription);
    },

    async countDeliveries(subscriptionIds) {
      const counts = new Map<string, DeliveryCounts>();
      for (const id of subscriptionIds) counts.set(id, { delivered: 0, pending: 0, deadLettered: 0 });
      if (subscriptionIds.length === 0) return counts;
      const rows = await db
        .selectFrom('webhook_deliveries')
        .select(['subscription_id', 'state', (eb) => eb.fn.countAll<number>().as('count')])
        .where('subscription_id', 'in', subscriptionIds)
        .groupBy(['subscription_id', 'state'])
        .execute();
      for (const row of rows) {
        const entry = counts.get(row.subscription_id);
        if (entry === undefined) continue;
        const count = Number(row.count);
        if (row.state === 'delivered') entry.delivered += count;
        else if (row.state === 'dead') entry.deadLettered += count;
        else entry.pending += count;
      }
      return counts;
    },

    async delete(installationId, spaceKey, id) {
      if (installationId === OPERATOR_SCOPE) return false;
      return deleteWithDeliveries(db, { installationId, spaceKey, id });
    },

    async listOperator() {
      const rows = await db
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('installation_id', '=', OPERATOR_SCOPE)
        .orderBy('id')
        .execute();
      return rows.map(toSubscription);
    },

    async upsertOperator(subscription) {
      const declared = {
        space_key: subscription.spaceKey,
        url: subscription.url,
        events_json: JSON.stringify(subscription.events),
        secret_sealed: subscription.secretSealed,
      };
      // One row per URL (its id is derived from it): replicas starting at once converge on it.
      await db
        .insertInto('webhook_subscriptions')
        .values({
          id: subscription.id,
          installation_id: OPERATOR_SCOPE,
          ...declared,
          state: 'active',
          created_at: subscription.createdAt,
          created_by: 'operator',
          failing_since: null,
          last_success_at: null,
          last_error_at: null,
          last_error_detail: null,
          paused_at: null,
        })
        .onConflict((conflict) => conflict.column('id').doUpdateSet(declared))
        .execute();
    },

    async deleteOperator(id) {
      await deleteWithDeliveries(db, { installationId: OPERATOR_SCOPE, id });
    },

    async recordSuccess(id, at) {
      await db
        .updateTable('webhook_subscriptions')
        .set({ last_success_at: at.toISOString(), failing_since: null })
        .where('id', '=', id)
        .execute();
    },

    async recordFailure(id, at, detail) {
      const iso = at.toISOString();
      await db
        .updateTable('webhook_subscriptions')
        .set((eb) => ({
          last_error_at: iso,
          last_error_detail: detail.slice(0, 300),
          failing_since: eb.fn.coalesce('failing_since', eb.val(iso)),
        }))
        .where('id', '=', id)
        .execute();
      const row = await db
        .selectFrom('webhook_subscriptions')
        .select('failing_since')
        .where('id', '=', id)
        .executeTakeFirst();
      return row?.failing_since ?? iso;
    },

    async pause(id, at) {
      const result = await db
        .updateTable('webhook_subscriptions')
        .set({ state: 'paused', paused_at: at.toISOString() })
        .where('id', '=', id)
        .where('state', '=', 'active')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async resume(id) {
      const result = await db
        .updateTable('webhook_subscriptions')
        .set({ state: 'active', paused_at: null, failing_since: null })
        .where('id', '=', id)
        .where('state', '=', 'paused')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async listSealed() {
      const rows = await db
        .selectFrom('webhook_subscriptions')
        .select(['id', 'installation_id', 'space_key', 'secret_sealed'])
        .orderBy('id')
        .execute();
      return rows.map((row) => ({
        subscriptionId: row.id,
        installationId: row.installation_id,
        spaceKey: row.space_key,
        sealed: JSON.parse(row.secret_sealed) as { keyId: string; ciphertext: string },
      }));
    },

    async reseal(row, next) {
      const result = await db
        .updateTable('webhook_subscriptions')
        .set({ secret_sealed: JSON.stringify(next) })
        .where('id', '=', row.subscriptionId)
        .where('secret_sealed', '=', JSON.stringify(row.sealed))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
