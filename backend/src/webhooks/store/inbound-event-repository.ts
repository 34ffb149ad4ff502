import { type Kysely, sql } from 'kysely';
import type { Tables, WebhookTables } from '../../store/schema';

export interface LeasedInboundEvent {
  id: string;
  installationId: string;
  contentId: string;
  payload: unknown;
  /** What the mirror answered on an earlier attempt (see `saveChange`), or null. */
  change: unknown;
  receivedAt: string;
  attempts: number;
  owner: string;
}

export interface InboundEventRepository {
  insert(event: {
    id: string;
    installationId: string;
    contentId: string;
    payload: unknown;
    /** Set when the change is already known (the reconcile's): the mirror is not asked again. */
    change?: unknown;
    receivedAt: Date;
  }): Promise<void>;
  /** Leases due events, each the oldest unfinished one of its page: a page's events are worked on in arrival order. */
  claim(owner: string, now: Date, leaseMs: number, limit: number): Promise<LeasedInboundEvent[]>;
  /** Keeps the mirror's answer with the event before anything depends on it. */
  saveChange(event: LeasedInboundEvent, change: unknown): Promise<void>;
  /** Done: the event's deliveries exist (or it changed nothing). */
  finish(event: LeasedInboundEvent): Promise<void>;
  retryLater(event: LeasedInboundEvent, detail: string, availableAt: Date): Promise<void>;
  releaseAllLeases(): Promise<number>;
  count(): Promise<number>;
}

export function createInboundEventRepository(db: Kysely<Tables>): InboundEventRepository {
  return {
    async insert(event) {
      const at = event.receivedAt.toISOString();
      await db
        .insertInto('webhook_inbound_events')
        .values({
          id: event.id,
          installation_id: event.installationId,
          content_id: event.contentId,
          payload_json: JSON.stringify(event.payload),
          change_json: event.change === undefined ? null : JSON.stringify(event.change),
          received_at: at,
          state: 'pending',
          attempts: 0,
          available_at: at,
          lease_owner: null,
          lease_expires_at: null,
          last_error: null,
        })
        .execute();
    },

    async claim(owner, now, leaseMs, limit) {
      const at = now.toISOString();
      const due = (state: 'pending' | 'leased') =>
        state === 'pending'
          ? sql<boolean>`(i.state = 'pending' and i.available_at <= ${at})`
          : sql<boolean>`(i.state = 'leased' and i.lease_expires_at <= ${at})`;
      const candidates = await db
        .selectFrom('webhook_inbound_events as i')
        .select([
          'i.id',
          'i.installation_id',
          'i.content_id',
          'i.payload_json',
          'i.change_json',
          'i.received_at',
          'i.attempts',
        ])
        .where(sql<boolean>`(${due('pending')} or ${due('leased')})`)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('webhook_inbound_events as o')
                .select(sql<number>`1`.as('one'))
                .whereRef('o.installation_id', '=', 'i.installation_id')
                .whereRef('o.content_id', '=', 'i.content_id')
                .whereRef('o.id', '<', 'i.id'),
            ),
          ),
        )
        .orderBy('i.id')
        .limit(limit)
        .execute();
      const expiresAt = new Date(now.getTime() + leaseMs).toISOString();
      const leased: LeasedInboundEvent[] = [];
      for (const candidate of candidates) {
        const result = await db
          .updateTable('webhook_inbound_events')
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
          installationId: candidate.installation_id,
          contentId: candidate.content_id,
          payload: JSON.parse(candidate.payload_json) as unknown,
          change: candidate.change_json === null ? null : (JSON.parse(candidate.change_json) as unknown),
          receivedAt: candidate.received_at,
          attempts: Number(candidate.attempts),
          owner,
        });
      }
      return leased;
    },

    async saveChange(event, change) {
      await db
        .updateTable('webhook_inbound_events')
        .set({ change_json: JSON.stringify(change) })
        .where('id', '=', event.id)
        .execute();
    },

    async finish(event) {
      await db
        .deleteFrom('webhook_inbound_events')
        .where('id', '=', event.id)
        .where('lease_owner', '=', event.owner)
        .execute();
    },

    async retryLater(event, detail, availableAt) {
      await db
        .updateTable('webhook_inbound_events')
        .set((eb) => ({
          state: 'pending',
          attempts: eb('attempts', '+', 1),
          available_at: availableAt.toISOString(),
          last_error: detail.slice(0, 300),
          lease_owner: null,
          lease_expires_at: null,
        }))
        .where('id', '=', event.id)
        .where('lease_owner', '=', event.owner)
        .execute();
    },

    async releaseAllLeases() {
      const result = await db
        .updateTable('webhook_inbound_events')
        .set({ state: 'pending', lease_owner: null, lease_expires_at: null })
        .where('state', '=', 'leased')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async count() {
      const row = await db
        .selectFrom('webhook_inbound_events')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirst();
      return Number(row?.count ?? 0);
    },
  };
}
