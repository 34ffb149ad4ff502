import type { Logger } from 'pino';
import type { SecretBox } from '../credentials/secret-box';
import type { ActivityRepository } from '../store/activity-repository';
import { afterFailure, type DeliverySchedule, shouldPause } from './delivery-schedule';
import type { DeliveryRepository, LeasedDelivery } from './store/delivery-repository';
import type { SubscriptionRepository } from './store/subscription-repository';
import { openSubscriptionSecret } from './subscription-secret';
import type { WebhookSender } from './webhook-sender';
import { signDelivery } from './webhook-signature';
import { createWorkLoop, type WorkLoop } from './work-loop';

export interface DeliveryWorkerDeps {
  deliveries: DeliveryRepository;
  subscriptions: SubscriptionRepository;
  activity: ActivityRepository;
  secretBox: SecretBox;
  sender: WebhookSender;
  schedule: DeliverySchedule;
  owner: string;
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  now: () => Date;
  random?: () => number;
  logger: Logger;
  /** Told after every attempt (metrics, benchmarks). */
  onAttempt?: (outcome: { ok: boolean; deliveryId: string }) => void;
}

export interface DeliveryWorker extends WorkLoop {
  /** Settles when the deliveries being sent now are done (tests and shutdown). */
  idle(): Promise<void>;
  /**
   * Sends everything due at the current time, round after round, until
   * nothing due is left (tests that move the clock themselves; the loop is
   * not started then).
   */
  drainDue(): Promise<void>;
}

function spaceOfDelivery(delivery: LeasedDelivery): string {
  return (JSON.parse(delivery.body) as { spaceKey: string }).spaceKey;
}

/**
 * Sends due deliveries, up to `concurrency` at once, each signed afresh per
 * attempt (a new `webhook-timestamp`, the same `webhook-id`). A slow receiver
 * holds one slot for at most the 10 s timeout; it never holds the HTTP
 * thread, the intake or another subscription's order.
 */
export function createDeliveryWorker(deps: DeliveryWorkerDeps): DeliveryWorker {
  const inFlight = new Set<Promise<void>>();

  /** Leases what is due, as far as there is room, and starts sending it; resolves to how many started. */
  async function claimAndStart(): Promise<number> {
    const room = deps.concurrency - inFlight.size;
    if (room <= 0) return 0;
    const leased = await deps.deliveries.claim(deps.owner, deps.now(), deps.leaseMs, room);
    for (const delivery of leased) {
      const attempt: Promise<void> = attemptDelivery(delivery)
        .catch((error: unknown) =>
          deps.logger.error({ err: error, deliveryId: delivery.id }, 'webhook attempt failed'),
        )
        .finally(() => {
          inFlight.delete(attempt);
          // A finished delivery may unblock the next one of its page.
          loop.wake();
        });
      inFlight.add(attempt);
    }
    return leased.length;
  }

  const loop = createWorkLoop({
    pollMs: deps.pollMs,
    onError: (error) => deps.logger.error({ err: error }, 'webhook delivery round failed'),
    async round() {
      if (inFlight.size >= deps.concurrency) {
        await Promise.race(inFlight);
        return true;
      }
      return (await claimAndStart()) > 0;
    },
  });

  async function attemptDelivery(delivery: LeasedDelivery): Promise<void> {
    const subscription = await deps.subscriptions.findById(delivery.subscriptionId);
    if (subscription === null) return; // deleted meanwhile; its deliveries went with it
    const secret = openSubscriptionSecret(deps.secretBox, subscription);
    const headers = signDelivery(secret, delivery.id, deps.now(), delivery.body);
    const outcome = await deps.sender.send(subscription.url, { ...headers }, delivery.body);
    const now = deps.now();
    deps.onAttempt?.({ ok: outcome.ok, deliveryId: delivery.id });
    if (outcome.ok) {
      await deps.deliveries.markDelivered(delivery, outcome.status, now);
      await deps.subscriptions.recordSuccess(subscription.id, now);
      if (delivery.type === 'webhook.test' && subscription.state === 'paused') {
        await deps.subscriptions.resume(subscription.id);
      }
      return;
    }
    const failure = { status: outcome.status, detail: outcome.detail };
    // A test is one attempt: the admin is looking at the answer now, not in an hour.
    const next =
      delivery.type === 'webhook.test'
        ? ({ kind: 'dead' } as const)
        : afterFailure(
            deps.schedule,
            { createdAt: new Date(delivery.createdAt), failedAttempts: delivery.attempts + 1, now },
            deps.random,
          );
    if (next.kind === 'retry') await deps.deliveries.retryLater(delivery, failure, next.availableAt);
    else await deps.deliveries.deadLetter(delivery, failure, now);
    const failingSince = await deps.subscriptions.recordFailure(subscription.id, now, outcome.detail);
    if (
      shouldPause(deps.schedule, new Date(failingSince), now) &&
      (await deps.subscriptions.pause(subscription.id, now))
    ) {
      deps.logger.warn(
        { subscriptionId: subscription.id },
        'webhook subscription paused after failing for days',
      );
      await deps.activity.append({
        // An operator's subscription covers many spaces: the space of the delivery that failed hears of it.
        ...(subscription.managedBy === 'operator'
          ? { installationId: delivery.installationId, spaceKey: spaceOfDelivery(delivery) }
          : { installationId: subscription.installationId, spaceKey: subscription.spaceKey }),
        actor: { kind: 'system', id: 'pagewire' },
        action: 'webhook.paused',
        result: 'failed',
        detail: `Paused the webhook to ${new URL(subscription.url).host}: every delivery since ${failingSince.slice(0, 10)} failed (last: ${outcome.detail}). Send a test from the Webhooks section to resume it.`,
        at: now,
      });
    }
  }

  return {
    ...loop,
    async stop() {
      await loop.stop();
      await Promise.allSettled([...inFlight]);
    },
    async idle() {
      await Promise.allSettled([...inFlight]);
    },
    async drainDue() {
      for (;;) {
        const started = await claimAndStart();
        if (started === 0 && inFlight.size === 0) return;
        await Promise.allSettled([...inFlight]);
      }
    },
  };
}
