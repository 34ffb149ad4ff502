import type { SecretBox } from '../credentials/secret-box';
import type { StoredSubscription } from './store/subscription-repository';

/** A subscription's secret at rest: sealed with the master key and bound to the subscription. */
export function sealSubscriptionSecret(
  secretBox: SecretBox,
  subscription: { id: string; installationId: string },
  secret: string,
): string {
  return JSON.stringify(
    secretBox.seal(secret, {
      kind: 'webhook-secret',
      installationId: subscription.installationId,
      subscriptionId: subscription.id,
    }),
  );
}

export function openSubscriptionSecret(secretBox: SecretBox, subscription: StoredSubscription): string {
  return secretBox.open(JSON.parse(subscription.secretSealed) as { keyId: string; ciphertext: string }, {
    kind: 'webhook-secret',
    installationId: subscription.installationId,
    subscriptionId: subscription.id,
  });
}
