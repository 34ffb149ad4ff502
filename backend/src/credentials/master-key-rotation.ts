import type { ApiTokenRepository } from '../store/api-token-repository';
import type { AppTokenRepository, SealedRow } from '../store/app-token-repository';
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

interface SealedTable {
  kind: Exclude<SecretBinding['kind'], 'webhook-secret'>;
  listSealed(): Promise<SealedRow[]>;
  reseal(row: SealedRow, next: { keyId: string; ciphertext: string }): Promise<boolean>;
}

function bindingFor(kind: SealedTable['kind'], row: SealedRow): SecretBinding {
  return kind === 'app-token'
    ? { kind, installationId: row.installationId }
    : { kind, installationId: row.installationId, spaceKey: row.spaceKey ?? '' };
}

/**
 * Re-encrypts every stored secret under the secret box's current key. Each row
 * is replaced only if it still holds the value read (a replica may store a
 * fresher token meanwhile, already under the current key), so the rotation
 * can run while the service is up. Running it twice is harmless.
 */
export async function rotateMasterKey(deps: {
  secretBox: SecretBox;
  appTokens: AppTokenRepository;
  apiTokens: ApiTokenRepository;
}): Promise<RotationReport> {
  const report: RotationReport = { resealed: 0, alreadyCurrent: 0, failed: [] };
  const tables: SealedTable[] = [
    {
      kind: 'app-token',
      listSealed: () => deps.appTokens.listSealed(),
      reseal: (r, n) => deps.appTokens.reseal(r, n),
    },
    {
      kind: 'api-token',
      listSealed: () => deps.apiTokens.listSealed(),
      reseal: (r, n) => deps.apiTokens.reseal(r, n),
    },
  ];
  for (const table of tables) {
    for (const row of await table.listSealed()) {
      if (!deps.secretBox.isStale(row.sealed)) {
        report.alreadyCurrent++;
        continue;
      }
      const binding = bindingFor(table.kind, row);
      try {
        const plaintext = deps.secretBox.open(row.sealed, binding);
        if (await table.reseal(row, deps.secretBox.seal(plaintext, binding))) report.resealed++;
        else report.alreadyCurrent++; // replaced meanwhile by a writer that uses the current key
      } catch (error) {
        report.failed.push({
          kind: table.kind,
          installationId: row.installationId,
          spaceKey: row.spaceKey,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
  return report;
}
