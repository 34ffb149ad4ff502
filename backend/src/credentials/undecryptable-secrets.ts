import type { ApiTokenRepository } from '../store/api-token-repository';
import type { AppTokenRepository } from '../store/app-token-repository';
import type { SecretBox } from './secret-box';

/**
 * Stored secrets this process cannot open because the master key that sealed
 * them is not configured: what a changed `PAGEWIRE_MASTER_KEY` without
 * `PAGEWIRE_PREVIOUS_MASTER_KEYS` looks like. Every publish with such a token
 * would fail, so the settings view shows `undecryptable` and `/readyz` reports
 * the count, with what to do.
 */
export const UNDECRYPTABLE_ACTION =
  'The master key changed: set PAGEWIRE_PREVIOUS_MASTER_KEYS to the old key (then run npm run rotate-master-key), or re-enter the token.';

export interface UndecryptableSecrets {
  count(): Promise<{ apiTokens: number; appTokens: number }>;
}

export function createUndecryptableSecretsCheck(deps: {
  apiTokens: ApiTokenRepository;
  appTokens: AppTokenRepository;
  secretBox: SecretBox;
  now: () => Date;
  /** Load balancers probe /readyz every few seconds; the rows are scanned at most this often. */
  cacheMs?: number;
}): UndecryptableSecrets {
  const cacheMs = deps.cacheMs ?? 60_000;
  let cached: { at: number; value: { apiTokens: number; appTokens: number } } | undefined;
  return {
    async count() {
      const now = deps.now().getTime();
      if (cached !== undefined && now - cached.at < cacheMs) return cached.value;
      const unknown = (rows: Array<{ sealed: { keyId: string } }>) =>
        rows.filter((row) => !deps.secretBox.hasKey(row.sealed.keyId)).length;
      const value = {
        apiTokens: unknown(await deps.apiTokens.listSealed()),
        appTokens: unknown(await deps.appTokens.listSealed()),
      };
      cached = { at: now, value };
      return value;
    },
  };
}
