import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import { createFitReplayStore } from '../auth/forge-invocation-token-replay';
import type { BackendContext, BackendExtension } from '../backend';
import { createPageIdentityRepository } from '../publishing/store/page-identity-repository';
import type { NamedMigration } from '../store/migrations';
import type { PublishingTables, WebhookTables } from '../store/schema';
import { WEBHOOK_TENANT_TABLES } from '../store/schema';
import { createTimeOrderedIdGenerator } from '../store/time-ordered-id';
import { createContentEventsRouter } from './content-events-router';
import { createDeliveryWorker, type DeliveryWorker } from './delivery-worker';
import { createEventIntake } from './event-intake';
import { syncOperatorSubscriptions } from './operator-subscriptions';
import type { PageMirrorPort, ReconcileAnnouncerPort } from './page-mirror-port';
import {
  createPublishingWritesPort,
  NO_PAGEWIRE_WRITES,
  type PagewireWritesPort,
} from './pagewire-writes-port';
import { createReconcileAnnouncer } from './reconcile-announcements';
import { createDeliveryRepository } from './store/delivery-repository';
import { createInboundEventRepository } from './store/inbound-event-repository';
import { createSubscriptionRepository } from './store/subscription-repository';
import { readWebhookConfig, type WebhookConfig } from './webhook-config';
import { createWebhookOperations } from './webhook-operations';
import { createWebhookSender, type WebhookSender } from './webhook-sender';

export interface WebhooksExtensionOptions {
  /** The env record the backend's config is read from (`PAGEWIRE_WEBHOOK_*` knobs). */
  env: Readonly<Record<string, string | undefined>>;
  /** The export mirror (issue 18) each event refreshes a page through; built once the backend's context exists. */
  mirror(context: BackendContext): PageMirrorPort;
  /**
   * Whether the publishing engine runs in this backend (its tables tell
   * Pagewire's own versions apart and hold the human-edit mark). Default true.
   */
  publishing?: boolean;
  /** Replaces the https sender (tests that need to watch or fail attempts). */
  sender?: WebhookSender;
  config?: Partial<WebhookConfig>;
  /** Told after every delivery attempt (benchmarks). */
  onAttempt?: (outcome: { ok: boolean; deliveryId: string }) => void;
  /** Receives the announcer the export's reconcile tells its changes to, once set up. */
  onReady?: (ports: { announcer: ReconcileAnnouncerPort }) => void;
}

/**
 * Confluence events in, signed webhooks out (docs/WEBHOOKS.md) as a backend
 * extension: its tables are in store/ (migration 0310), the trigger's
 * route mounts next to the core's Forge routes, `webhooks.*` replace the core's
 * placeholders, and its two workers (the intake of content events, the
 * deliveries) start once the server listens and drain on shutdown.
 */
export function createWebhooksExtension(options: WebhooksExtensionOptions): BackendExtension {
  const config: WebhookConfig = { ...readWebhookConfig(options.env), ...options.config };
  return {
    name: 'webhooks',
    tenantTables: WEBHOOK_TENANT_TABLES,
    setup(context) {
      const logger = context.logger.child({ component: 'webhooks' });
      const db = context.db;
      const subscriptions = createSubscriptionRepository(db);
      const deliveries = createDeliveryRepository(db);
      const inbound = createInboundEventRepository(db);
      const newId = createTimeOrderedIdGenerator();
      const owner = `${hostname()}:${process.pid}:${newId().slice(-8)}`;
      const policy = { allowPrivate: context.config.webhookAllowPrivate };
      const publishingDb = context.db;
      const writes: PagewireWritesPort =
        options.publishing === false
          ? NO_PAGEWIRE_WRITES
          : createPublishingWritesPort(publishingDb, createPageIdentityRepository(publishingDb));

      const worker: DeliveryWorker = createDeliveryWorker({
        deliveries,
        subscriptions,
        activity: context.repositories.activity,
        secretBox: context.secretBox,
        sender: options.sender ?? createWebhookSender({ policy }),
        schedule: config.schedule,
        owner,
        concurrency: config.deliveryConcurrency,
        leaseMs: config.leaseMs,
        pollMs: config.pollMs,
        now: context.now,
        logger,
        ...(options.onAttempt === undefined ? {} : { onAttempt: options.onAttempt }),
      });
      const intake = createEventIntake({
        db,
        inbound,
        mirror: options.mirror(context),
        writes,
        owner,
        concurrency: config.intakeConcurrency,
        leaseMs: config.leaseMs,
        pollMs: config.pollMs,
        retryBaseMs: config.intakeRetryBaseMs,
        giveUpAfterMs: config.schedule.giveUpAfterMs,
        now: context.now,
        logger,
        onDeliveriesQueued: () => worker.wake(),
      });
      options.onReady?.({
        announcer: createReconcileAnnouncer({
          inbound,
          newId,
          now: context.now,
          onQueued: () => intake.wake(),
        }),
      });
      context.metrics.registerQueue('webhook_deliveries', async () => {
        const counts = await deliveries.countByState();
        return (counts.pending ?? 0) + (counts.leased ?? 0);
      });
      context.metrics.registerQueue('webhook_events', () => inbound.count());
      let pruneTimer: NodeJS.Timeout | null = null;

      return {
        router: createContentEventsRouter({
          verifier: context.fitVerifier,
          replay: createFitReplayStore(context.db, context.now),
          inbound,
          jsonBody: context.jsonBody,
          metrics: context.metrics,
          logger,
          now: context.now,
          newId,
          onQueued: () => intake.wake(),
        }),
        operations: createWebhookOperations({
          subscriptions,
          deliveries,
          activity: context.repositories.activity,
          secretBox: context.secretBox,
          policy,
          now: context.now,
          newId,
          onDeliveryQueued: () => worker.wake(),
        }),
        async start() {
          // The operator's subscriptions first: an event queued meanwhile must already find them.
          const synced = await syncOperatorSubscriptions({
            configured: context.config.operatorWebhooks,
            subscriptions,
            secretBox: context.secretBox,
            policy,
            now: context.now,
          });
          if (synced.created + synced.updated + synced.removed > 0) {
            logger.info(synced, 'operator webhook subscriptions (PAGEWIRE_WEBHOOKS) brought in sync');
          }
          // On SQLite one process holds the database: a lease still held is a
          // dead process's (a crash mid-delivery), so its work goes out again
          // now, with the same webhook-id, rather than when the lease runs out.
          if (context.database.dialect === 'sqlite') {
            const released = (await deliveries.releaseAllLeases()) + (await inbound.releaseAllLeases());
            if (released > 0) logger.info({ released }, 'webhook work of a previous process picked up');
          }
          intake.start();
          worker.start();
          pruneTimer = setInterval(() => {
            deliveries
              .pruneDelivered(new Date(context.now().getTime() - config.deliveredRetentionMs))
              .catch((error: unknown) => logger.warn({ err: error }, 'pruning delivered webhooks failed'));
          }, 3_600_000);
          pruneTimer.unref();
        },
        async close() {
          if (pruneTimer !== null) clearInterval(pruneTimer);
          await intake.stop();
          await worker.stop();
        },
      };
    },
  };
}
