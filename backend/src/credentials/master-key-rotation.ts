import type { ApiTokenRepository } from '../store/api-token-repository';
import type { AppTokenRepository, SealedRow, SealedSecret } from '../store/app-token-repository';
import type { SecretBinding, SecretBox } from './secret-box';

export interface RotationReport {
  /** Records re-encrypted under the current key. */
  resealed: number;
  /** Records already under the current key. */
  alreadyCurrent: number;
  /** Records that could not be re-encrypted (unknown key, tampered); left as they were. */
  failed: Array<{
    kind: SecretBinding['kind'];
    installationId: string;
    spaceKey: string | null;
    reason: string;
  }>;
}

/** One sealed webhook subscription secret (the webhooks' table, `secret_sealed`). */
export interface SealedWebhookSecret {
  subscriptionId: string;
  installationId: string;
  spaceKey: string;
  sealed: SealedSecret;
}

/**
 * The webhook subscriptions' sealed secrets, as the rotation needs them. A
 * port declared here so credentials/ does not reach into the webhooks module;
 * the command wires the subscription repository to it.
 */
export interface WebhookSecretStore {
  listSealed(): Promise<SealedWebhookSecret[]>;
  /** Replaces the sealed value only if it is still the one read; false otherwise. */
  reseal(row: SealedWebhookSecret, next: SealedSecret): Promise<boolean>;
}

/** One sealed value of any table, with what its associated data is bound to. */
interface SealedRecord {
  binding: SecretBinding;
  sealed: SealedSecret;
  spaceKey: string | null;
  reseal(next: SealedSecret): Promise<boolean>;
}

function tokenRecords(
  kind: 'app-token' | 'api-token',
  repository: Pick<AppTokenRepository, 'listSealed' | 'reseal'>,
): () => Promise<SealedRecord[]> {
  return async () =>
    (await repository.listSealed()).map((row: SealedRow) => ({
      binding:
        kind === 'app-token'
          ? { kind, installationId: row.installationId }
          : { kind, installationId: row.installationId, spaceKey: row.spaceKey ?? '' },
      sealed: row.sealed,
      spaceKey: row.spaceKey,
      reseal: (next) => repository.reseal(row, next),
    }));
}

function webhookRecords(store: WebhookSecretStore): () => Promise<SealedRecord[]> {
  return async () =>
    (await store.listSealed()).map((row) => ({
      binding: {
        kind: 'webhook-secret',
        installationId: row.installationId,
        subscriptionId: row.subscriptionId,
      },
      sealed: row.sealed,
      spaceKey: row.spaceKey,
      reseal: (next) => store.reseal(row, next),
    }));
}

/**
 * Re-encrypts every stored secret under the secret box's current key: app
 * system tokens, scoped API tokens and, where the webhooks' tables exist, the
 * webhook subscriptions' signing secrets. Each row is replaced only if it
 * still holds the value read (a replica may store a fresher token meanwhile,
 * already under the current key), so the rotation can run while the service
 * is up. Running it twice is harmless.
 */
export async function rotateMasterKey(deps: {
  secretBox: SecretBox;
  appTokens: AppTokenRepository;
  apiTokens: ApiTokenRepository;
  webhookSecrets?: WebhookSecretStore;
}): Promise<RotationReport> {
  const report: RotationReport = { resealed: 0, alreadyCurrent: 0, failed: [] };
  const tables = [tokenRecords('app-token', deps.appTokens), tokenRecords('api-token', deps.apiTokens)];
  if (deps.webhookSecrets !== undefined) tables.push(webhookRecords(deps.webhookSecrets));
  for (const list of tables) {
    for (const record of await list()) {
      if (!deps.secretBox.isStale(record.sealed)) {
        report.alreadyCurrent++;
        continue;
      }
      try {
        const plaintext = deps.secretBox.open(record.sealed, record.binding);
        if (await record.reseal(deps.secretBox.seal(plaintext, record.binding))) report.resealed++;
        else report.alreadyCurrent++; // replaced meanwhile by a writer that uses the current key
      } catch (error) {
        report.failed.push({
          kind: record.binding.kind,
          installationId: record.binding.installationId,
          spaceKey: record.spaceKey,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
  return report;
}
