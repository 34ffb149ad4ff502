import type { AppTokenStatus } from '@pagewire/shared';
import { decodeJwt } from 'jose';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics';
import type { AppTokenRepository } from '../store/app-token-repository';
import type { SecretBox } from './secret-box';

/**
 * The Forge app system token, one per installation, shared by every replica
 * through the database (encrypted). Forge only delivers tokens with
 * invocations (no refresh endpoint, ECO-1107), so each delivery is offered
 * here and the later-expiring token wins. A token is handed out only while
 * it has more than a safety margin left: a call must not start with a token
 * that dies mid-flight (https://developer.atlassian.com/platform/forge/remote/calling-product-apis/).
 */
export const APP_TOKEN_SAFETY_MARGIN_MS = 5 * 60 * 1000;
/**
 * Forge documents a 4 h maximum lifetime (/remote/scheduled-triggers/); a
 * token claiming far more is not what Forge sends and would pin the slot
 * ("the later-expiring one wins") for its whole claimed life.
 */
const MAX_PLAUSIBLE_LIFETIME_MS = 24 * 60 * 60 * 1000;

export type AppTokenOffer = 'stored' | 'kept_existing' | 'expired' | 'unreadable';

export interface AppTokenStore {
  /** Offers a token from an `x-forge-oauth-system` header. Never throws; never logs the token. */
  offer(installationId: string, token: string): Promise<AppTokenOffer>;
  /** `CredentialSources.appToken`. */
  appToken(installationId: string): Promise<{ token: string; expiresAt: Date } | null>;
  status(installationId: string): Promise<AppTokenStatus>;
}

/**
 * The token is opaque to us except for `exp`: decoded without verification
 * (Forge signs it for Atlassian's APIs, not for us), and nothing else in it is
 * believed. The FIT, not this token, says who the tenant is.
 */
export function readTokenExpiry(token: string): Date | null {
  try {
    const { exp } = decodeJwt(token);
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return null;
    return new Date(exp * 1000);
  } catch {
    return null;
  }
}

export function createAppTokenStore(deps: {
  repository: AppTokenRepository;
  secretBox: SecretBox;
  now: () => Date;
  logger: Logger;
  metrics: Metrics;
  safetyMarginMs?: number;
}): AppTokenStore {
  const margin = deps.safetyMarginMs ?? APP_TOKEN_SAFETY_MARGIN_MS;
  // The best expiry this process already stored per installation: most calls
  // carry a token no better than the last one, and then the database is not touched.
  const bestKnownExpiry = new Map<string, number>();

  function count(outcome: AppTokenOffer): AppTokenOffer {
    deps.metrics.appTokensReceived.inc({ outcome });
    return outcome;
  }

  return {
    async offer(installationId, token) {
      const expiresAt = readTokenExpiry(token);
      const now = deps.now();
      if (expiresAt === null || expiresAt.getTime() - now.getTime() > MAX_PLAUSIBLE_LIFETIME_MS) {
        deps.logger.warn({ installationId }, 'ignored an app system token whose expiry cannot be read');
        return count('unreadable');
      }
      if (expiresAt.getTime() <= now.getTime()) return count('expired');
      if ((bestKnownExpiry.get(installationId) ?? 0) >= expiresAt.getTime()) return count('kept_existing');
      try {
        const sealed = deps.secretBox.seal(token, { kind: 'app-token', installationId });
        const stored = await deps.repository.keepLater(installationId, sealed, expiresAt, now);
        bestKnownExpiry.set(installationId, expiresAt.getTime());
        return count(stored ? 'stored' : 'kept_existing');
      } catch (error) {
        // The invocation itself must still be served; the next delivery tries again.
        deps.logger.error({ installationId, err: error }, 'could not store the app system token');
        return count('unreadable');
      }
    },

    async appToken(installationId) {
      const stored = await deps.repository.find(installationId);
      if (stored === null) return null;
      if (stored.expiresAt.getTime() - deps.now().getTime() <= margin) return null;
      const token = deps.secretBox.open(stored.sealed, { kind: 'app-token', installationId });
      return { token, expiresAt: stored.expiresAt };
    },

    async status(installationId) {
      const stored = await deps.repository.find(installationId);
      if (stored === null) return { status: 'missing', expiresAt: null };
      const usable = stored.expiresAt.getTime() - deps.now().getTime() > margin;
      return { status: usable ? 'ok' : 'expired', expiresAt: stored.expiresAt.toISOString() };
    },
  };
}
