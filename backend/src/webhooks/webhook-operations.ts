import { randomUUID } from 'node:crypto';
import {
  type WebhookEventType,
  type WebhookSubscription,
  webhookEventSchema,
  webhookEventTypes,
} from '@pagewire/shared';
import type { SecretBox } from '../credentials/secret-box';
import type { OperationHandlers } from '../http/operations';
import { actorOf, spaceOf } from '../http/operations/operation-types';
import { ProblemError } from '../http/problem-error';
import type { ActivityRepository } from '../store/activity-repository';
import type { DeliveryRepository } from './store/delivery-repository';
import type { StoredSubscription, SubscriptionRepository } from './store/subscription-repository';
import { sealSubscriptionSecret } from './subscription-secret';
import { generateWebhookSecret } from './webhook-signature';
import { checkTargetUrl, type TargetPolicy, WebhookTargetError } from './webhook-target';

/** A space's subscriptions; more is a sign of a loop in someone's automation, not of a need. */
export const MAX_SUBSCRIPTIONS_PER_SPACE = 10;

/** What a subscription gets when it names no event types: every page and blog post event. */
export const ALL_CONTENT_EVENT_TYPES = webhookEventTypes.filter((type) => type !== 'webhook.test');

export interface WebhookOperationDeps {
  subscriptions: SubscriptionRepository;
  deliveries: DeliveryRepository;
  activity: ActivityRepository;
  secretBox: SecretBox;
  policy: TargetPolicy;
  now: () => Date;
  newId: () => string;
  /** A test delivery was queued: send it now. */
  onDeliveryQueued(): void;
}

type WebhookOperations = Pick<
  OperationHandlers,
  'webhooks.create' | 'webhooks.list' | 'webhooks.delete' | 'webhooks.test'
>;

/** The settings page's "Webhooks" section (docs/WEBHOOKS.md, "Subscriptions"). */
export function createWebhookOperations(deps: WebhookOperationDeps): WebhookOperations {
  async function requireSubscription(installationId: string, spaceKey: string, id: string) {
    const subscription = await deps.subscriptions.find(installationId, spaceKey, id);
    if (subscription === null) {
      throw new ProblemError(
        'webhook_not_found',
        `There is no webhook subscription "${id}" in space ${spaceKey}.`,
      );
    }
    return subscription;
  }

  return {
    async 'webhooks.create'(call) {
      const installationId = call.invocation.installationId;
      const spaceKey = spaceOf(call.context);
      let url: URL;
      try {
        url = checkTargetUrl(call.input.url, deps.policy);
      } catch (error) {
        if (!(error instanceof WebhookTargetError)) throw error;
        throw new ProblemError('webhook_url_refused', error.message, {
          errors: [{ path: '/url', message: error.message }],
        });
      }
      // The operator's subscriptions (PAGEWIRE_WEBHOOKS) do not take up the space's room.
      const existing = (await deps.subscriptions.list(installationId, spaceKey)).filter(
        (subscription) => subscription.managedBy === 'space-admin',
      );
      if (existing.length >= MAX_SUBSCRIPTIONS_PER_SPACE) {
        throw new ProblemError(
          'validation_failed',
          `Space ${spaceKey} already has ${MAX_SUBSCRIPTIONS_PER_SPACE} webhooks; delete one first.`,
          {
            errors: [{ path: '/url', message: `at most ${MAX_SUBSCRIPTIONS_PER_SPACE} webhooks per space` }],
          },
        );
      }
      const now = deps.now();
      const id = `wh_${randomUUID().replaceAll('-', '')}`;
      const secret = generateWebhookSecret();
      const events: WebhookEventType[] = [...new Set(call.input.events ?? ALL_CONTENT_EVENT_TYPES)];
      await deps.subscriptions.insert({
        id,
        installationId,
        spaceKey,
        url: url.href,
        events,
        secretSealed: sealSubscriptionSecret(deps.secretBox, { id, installationId }, secret),
        state: 'active',
        createdAt: now.toISOString(),
        createdBy: actorOf(call.context),
        failingSince: null,
        lastSuccessAt: null,
        lastError: null,
        pausedAt: null,
      });
      await deps.activity.append({
        installationId,
        spaceKey,
        actor: { kind: 'user', id: actorOf(call.context) },
        action: 'webhook.created',
        result: 'ok',
        detail: `Webhook to ${url.host} added for ${events.length === ALL_CONTENT_EVENT_TYPES.length ? 'every page and blog post event' : events.join(', ')}.`,
        at: now,
      });
      // The only time the secret leaves the backend in the clear.
      return { id, secret };
    },

    async 'webhooks.list'(call) {
      const installationId = call.invocation.installationId;
      const spaceKey = spaceOf(call.context);
      const subscriptions = await deps.subscriptions.list(installationId, spaceKey);
      const counts = await deps.subscriptions.countDeliveries(
        subscriptions.map((subscription) => subscription.id),
      );
      return {
        subscriptions: subscriptions.map((subscription) =>
          toView(subscription, counts.get(subscription.id) ?? { delivered: 0, pending: 0, deadLettered: 0 }),
        ),
      };
    },

    async 'webhooks.delete'(call) {
      const installationId = call.invocation.installationId;
      const spaceKey = spaceOf(call.context);
      const subscription = await requireSubscription(installationId, spaceKey, call.input.id);
      if (subscription.managedBy === 'operator') {
        throw new ProblemError(
          'webhook_managed_by_operator',
          `The webhook to ${new URL(subscription.url).host} is set in the backend's configuration (PAGEWIRE_WEBHOOKS); ask the operator of this Pagewire backend to remove it there.`,
        );
      }
      if (!(await deps.subscriptions.delete(installationId, spaceKey, subscription.id))) {
        throw new ProblemError(
          'webhook_not_found',
          `There is no webhook subscription "${call.input.id}" in space ${spaceKey}.`,
        );
      }
      await deps.activity.append({
        installationId,
        spaceKey,
        actor: { kind: 'user', id: actorOf(call.context) },
        action: 'webhook.deleted',
        result: 'ok',
        detail: `Webhook to ${new URL(subscription.url).host} deleted; nothing more is sent to it.`,
        at: deps.now(),
      });
      return { deleted: true as const };
    },

    async 'webhooks.test'(call) {
      const installationId = call.invocation.installationId;
      const spaceKey = spaceOf(call.context);
      const subscription = await requireSubscription(installationId, spaceKey, call.input.id);
      const now = deps.now();
      const seq = deps.newId();
      const deliveryId = `msg_${seq.replaceAll('-', '')}`;
      const body = webhookEventSchema.parse({
        type: 'webhook.test',
        occurredAt: now.toISOString(),
        installationId,
        spaceKey,
        page: {
          pageId: '0',
          title: 'Pagewire test event',
          version: 0,
          status: 'current',
          updatedAt: now.toISOString(),
          checksum: '',
          url: '',
        },
        actor: { accountId: call.context.accountId, isPagewire: true },
      });
      await deps.deliveries.insertMany([
        {
          id: deliveryId,
          subscriptionId: subscription.id,
          installationId,
          // Its own order key: a test never waits behind a page's retries.
          orderKey: `test:${deliveryId}`,
          seq,
          type: 'webhook.test',
          body: JSON.stringify(body),
          createdAt: now,
        },
      ]);
      deps.onDeliveryQueued();
      return { deliveryId };
    },
  };
}

function toView(
  subscription: StoredSubscription,
  deliveries: { delivered: number; pending: number; deadLettered: number },
): WebhookSubscription {
  return {
    id: subscription.id,
    url: subscription.url,
    events: subscription.events,
    state: subscription.state,
    createdAt: subscription.createdAt,
    createdBy: subscription.createdBy,
    deliveries,
    lastSuccessAt: subscription.lastSuccessAt,
    lastError: subscription.lastError,
    pausedAt: subscription.pausedAt,
    managedBy: subscription.managedBy,
  };
}
