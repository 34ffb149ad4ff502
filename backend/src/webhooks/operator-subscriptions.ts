import { createHash } from 'node:crypto';
import type { OperatorWebhook, WebhookEventType } from '@pagewire/shared';
import { ConfigError } from '../config/config';
import type { SecretBox } from '../credentials/secret-box';
import { OPERATOR_SCOPE, type SubscriptionRepository } from './store/subscription-repository';
import { openSubscriptionSecret, sealSubscriptionSecret } from './subscription-secret';
import { ALL_CONTENT_EVENT_TYPES } from './webhook-operations';
import { checkTargetUrl, type TargetPolicy, WebhookTargetError } from './webhook-target';

export interface OperatorSyncReport {
  created: number;
  updated: number;
  removed: number;
  unchanged: number;
}

/** The id of the config's subscription for a URL: the same on every start and every replica. */
export function operatorSubscriptionId(url: string): string {
  return `wh_op_${createHash('sha256').update(url).digest('hex').slice(0, 24)}`;
}

function sameEvents(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((type) => b.includes(type));
}

/**
 * Makes the stored operator subscriptions what `PAGEWIRE_WEBHOOKS` says
 * (docs/WEBHOOKS.md, "Operator subscriptions"), idempotently by URL: a new URL
 * is created, a changed space, event list or secret is updated (its delivery
 * history and pause state stay), a URL no longer listed is removed with its
 * waiting deliveries. A URL the target rules refuse stops the start, naming
 * the entry but never its secret.
 */
export async function syncOperatorSubscriptions(deps: {
  configured: readonly OperatorWebhook[];
  subscriptions: SubscriptionRepository;
  secretBox: SecretBox;
  policy: TargetPolicy;
  now: () => Date;
}): Promise<OperatorSyncReport> {
  const report: OperatorSyncReport = { created: 0, updated: 0, removed: 0, unchanged: 0 };
  const stored = new Map((await deps.subscriptions.listOperator()).map((row) => [row.id, row]));
  const wanted = new Set<string>();
  for (const [index, webhook] of deps.configured.entries()) {
    let url: URL;
    try {
      url = checkTargetUrl(webhook.url, deps.policy);
    } catch (error) {
      if (!(error instanceof WebhookTargetError)) throw error;
      throw new ConfigError(`invalid configuration: PAGEWIRE_WEBHOOKS[${index}].url: ${error.message}`);
    }
    const id = operatorSubscriptionId(url.href);
    wanted.add(id);
    const spaceKey = webhook.spaceKey ?? OPERATOR_SCOPE;
    const events: WebhookEventType[] = [...new Set(webhook.events ?? ALL_CONTENT_EVENT_TYPES)];
    const existing = stored.get(id);
    if (existing !== undefined && existing.spaceKey === spaceKey && sameEvents(existing.events, events)) {
      if (openedSecret(deps.secretBox, existing) === webhook.secret) {
        report.unchanged++;
        continue;
      }
    }
    await deps.subscriptions.upsertOperator({
      id,
      spaceKey,
      url: url.href,
      events,
      secretSealed: sealSubscriptionSecret(
        deps.secretBox,
        { id, installationId: OPERATOR_SCOPE },
        webhook.secret,
      ),
      createdAt: deps.now().toISOString(),
    });
    if (existing === undefined) report.created++;
    else report.updated++;
  }
  for (const id of stored.keys()) {
    if (wanted.has(id)) continue;
    await deps.subscriptions.deleteOperator(id);
    report.removed++;
  }
  return report;
}

/** The stored secret, or null when it cannot be opened (sealed under a key no longer configured): re-seal it then. */
function openedSecret(secretBox: SecretBox, subscription: Parameters<typeof openSubscriptionSecret>[1]) {
  try {
    return openSubscriptionSecret(secretBox, subscription);
  } catch {
    return null;
  }
}
