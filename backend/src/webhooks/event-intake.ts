import type { WebhookEventType } from '@pagewire/shared';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Tables, WebhookTables } from '../store/schema';
import { createTimeOrderedIdGenerator } from '../store/time-ordered-id';
import { actorOf, buildWebhookEvent, parseContentEvent, typeOfChange } from './content-event-processing';
import type { MirroredPageChange, PageMirrorPort } from './page-mirror-port';
import type { PagewireWritesPort } from './pagewire-writes-port';
import { isReconcileAnnouncement } from './reconcile-announcements';
import { announcedStateKey, createDeliveryRepository, type NewDelivery } from './store/delivery-repository';
import {
  createInboundEventRepository,
  type InboundEventRepository,
  type LeasedInboundEvent,
} from './store/inbound-event-repository';
import { createSubscriptionRepository } from './store/subscription-repository';
import { createWorkLoop, type WorkLoop } from './work-loop';

type ContentWebhookType = Exclude<WebhookEventType, 'webhook.test'>;

export interface EventIntakeDeps {
  db: Kysely<Tables>;
  inbound: InboundEventRepository;
  mirror: PageMirrorPort;
  writes: PagewireWritesPort;
  owner: string;
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  /** Backoff for an event whose page could not be read (Confluence down, rate limited). */
  retryBaseMs: number;
  /** An event still failing after this long is dropped: the export reconcile finds what it would have told. */
  giveUpAfterMs: number;
  now: () => Date;
  logger: Logger;
  /** Deliveries were queued: the delivery worker should look now. */
  onDeliveriesQueued(): void;
  newId?: () => string;
}

/**
 * Turns queued Confluence events into deliveries (docs/WEBHOOKS.md, "Events
 * in"). Per event: the mirror reads the page and keeps the higher version
 * (a repeat or a late event changes nothing and ends here); the version is
 * told apart as Pagewire's own or a person's, a person's edit of a managed
 * page is marked at once; then one delivery per subscription that wants the
 * event type is written in the same transaction that retires the event.
 * A page's events are worked on one at a time, so its deliveries are queued
 * in the order its versions happened.
 */
export function createEventIntake(deps: EventIntakeDeps): WorkLoop {
  const newId = deps.newId ?? createTimeOrderedIdGenerator();
  const inFlight = new Set<Promise<void>>();

  const loop = createWorkLoop({
    pollMs: deps.pollMs,
    onError: (error) => deps.logger.error({ err: error }, 'content event round failed'),
    async round() {
      const room = deps.concurrency - inFlight.size;
      if (room <= 0) {
        await Promise.race(inFlight);
        return true;
      }
      const leased = await deps.inbound.claim(deps.owner, deps.now(), deps.leaseMs, room);
      for (const event of leased) {
        const work: Promise<void> = processEvent(event)
          .catch((error: unknown) => retryEvent(event, error))
          .finally(() => {
            inFlight.delete(work);
            loop.wake();
          });
        inFlight.add(work);
      }
      return leased.length > 0;
    },
  });

  async function retryEvent(event: LeasedInboundEvent, error: unknown): Promise<void> {
    const detail = error instanceof Error ? error.message : String(error);
    const age = deps.now().getTime() - new Date(event.receivedAt).getTime();
    if (age >= deps.giveUpAfterMs) {
      deps.logger.warn(
        { eventId: event.id, detail },
        'content event dropped after retrying; the reconcile catches up',
      );
      await deps.inbound.finish(event);
      return;
    }
    const delay = Math.min(deps.retryBaseMs * 2 ** Math.min(event.attempts, 12), 10 * 60 * 1000);
    deps.logger.info(
      { eventId: event.id, detail, attempts: event.attempts + 1 },
      'content event will be retried',
    );
    await deps.inbound.retryLater(
      event,
      detail,
      new Date(deps.now().getTime() + delay * (0.5 + Math.random() / 2)),
    );
  }

  /**
   * The change an event stands for and what it is to be called: for a
   * Confluence event the mirror decides (null when the page did not move);
   * for the reconcile's announcement both came with it.
   */
  async function resolveEvent(event: LeasedInboundEvent): Promise<{
    change: MirroredPageChange;
    type: ContentWebhookType;
    accountId: string | null;
    reconciled: boolean;
  } | null> {
    if (isReconcileAnnouncement(event.payload)) {
      return {
        change: event.change as MirroredPageChange,
        type: event.payload.type,
        accountId: null,
        reconciled: true,
      };
    }
    const payload = parseContentEvent(event.payload);
    let change = event.change as MirroredPageChange | null;
    if (change === null) {
      change = await deps.mirror.refreshPage(
        event.installationId,
        String(payload.content.space.id),
        payload.content.id,
      );
      if (change === null) return null;
      await deps.inbound.saveChange(event, change);
    }
    return { change, type: typeOfChange(payload, change), accountId: actorOf(payload), reconciled: false };
  }

  async function processEvent(event: LeasedInboundEvent): Promise<void> {
    const resolved = await resolveEvent(event);
    if (resolved === null) {
      await deps.inbound.finish(event);
      return;
    }
    const { change, type, accountId } = resolved;
    const after = change.after;
    const { isPagewire, managed } = await deps.writes.classify({
      installationId: event.installationId,
      spaceKey: after.spaceKey,
      pageId: after.pageId,
      title: after.title,
      version: after.version,
    });
    const versionChanged = change.before === null || change.before.version < after.version;
    if (managed && !isPagewire && versionChanged && after.status === 'current') {
      await deps.writes.markHumanEdit(event.installationId, after.pageId, {
        by: accountId ?? 'unknown',
        at: after.updatedAt,
        version: after.version,
      });
    }
    const body = JSON.stringify(
      buildWebhookEvent({
        type,
        // A new version happened when it was saved; a move or status change when Confluence told us.
        occurredAt: versionChanged ? after.updatedAt : event.receivedAt,
        installationId: event.installationId,
        page: after,
        accountId,
        isPagewire,
      }),
    );
    const queued = await queueDeliveries(event, { type, body, page: after, dedupe: resolved.reconciled });
    if (queued > 0) deps.onDeliveriesQueued();
  }

  /**
   * One delivery per active subscription that wants the type, in the
   * transaction that retires the event. A reconciled change skips the
   * subscriptions that already have this version and status of the page
   * (an event told them first).
   */
  async function queueDeliveries(
    event: LeasedInboundEvent,
    what: { type: ContentWebhookType; body: string; page: MirroredPageChange['after']; dedupe: boolean },
  ): Promise<number> {
    const createdAt = deps.now();
    return deps.db.transaction().execute(async (trx) => {
      const wanted = (
        await createSubscriptionRepository(trx).listActive(event.installationId, what.page.spaceKey)
      ).filter((subscription) => subscription.events.includes(what.type));
      const repository = createDeliveryRepository(trx);
      const told = what.dedupe
        ? await repository.announcedStates(
            wanted.map((subscription) => subscription.id),
            what.page.pageId,
          )
        : new Set<string>();
      const deliveries: NewDelivery[] = wanted
        .filter((subscription) => !told.has(announcedStateKey(subscription.id, what.page)))
        .map((subscription) => {
          const seq = newId();
          return {
            id: `msg_${seq.replaceAll('-', '')}`,
            subscriptionId: subscription.id,
            installationId: event.installationId,
            orderKey: what.page.pageId,
            seq,
            type: what.type,
            body: what.body,
            createdAt,
          };
        });
      await repository.insertMany(deliveries);
      await createInboundEventRepository(trx).finish(event);
      return deliveries.length;
    });
  }

  return {
    ...loop,
    async stop() {
      await loop.stop();
      await Promise.allSettled([...inFlight]);
    },
  };
}
