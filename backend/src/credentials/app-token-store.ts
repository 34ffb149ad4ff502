import { createHash } from 'node:crypto';
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
 * here (docs/platform-notes.md#app-system-token):
 *  - only deliveries from our functions and triggers are offered (the Forge router
 *    checks the origin: auth/invocation-origin.ts);
 *  - the newest delivery wins: a later `exp` proves nothing, and the token
 *    Forge handed out last is the one it stands behind;
 *  - the expiry believed is the token's `exp`, capped at the documented
 *    maximum lifetime, so no token is trusted for longer than Forge issues them;
 *  - a token Confluence answered 401 to is refused for good: it is never
 *    handed out again, and the same token delivered again is not stored.
 * A token is handed out only while it has more than a safety margin left: a
 * call must not start with a token that dies mid-flight
 * (https://developer.atlassian.com/platform/forge/remote/calling-product-apis/).
 */
export const APP_TOKEN_SAFETY_MARGIN_MS = 5 * 60 * 1000;
/**
 * The longest an app system token lives: "a maximum of 4 hours"; tokens
 * delivered to scheduled triggers are valid for at least 2 more hours
 * (docs/platform-notes.md#app-system-token).
 */
export const APP_TOKEN_MAX_LIFETIME_MS = 4 * 60 * 60 * 1000;

export type AppTokenOffer = 'stored' | 'kept_existing' | 'expired' | 'unreadable' | 'refused';

export interface AppTokenStore {
  /** Offers a token from an `x-forge-oauth-system` header. Never throws; never logs the token. */
  offer(installationId: string, token: string): Promise<AppTokenOffer>;
  /** `CredentialSources.appToken`. */
  appToken(installationId: string): Promise<{ token: string; expiresAt: Date } | null>;
  /**
   * Confluence answered 401 to this token: never hand it out again (the
   * credential selector then falls back to what else there is). Never throws.
   */
  refuse(installationId: string, token: string): Promise<void>;
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

export function hashAppToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Distinct installations remembered per process; only bounds a flood. */
const MEMO_ENTRIES = 10_000;

type AppTokenStoreDeps = {
  repository: AppTokenRepository;
  secretBox: SecretBox;
  now: () => Date;
  logger: Logger;
  metrics: Metrics;
  safetyMarginMs?: number;
};

/** What the store remembers in this process, next to its deps. */
interface OfferMemo {
  readonly deps: AppTokenStoreDeps;
  readonly margin: number;
  readonly lastSeen: Map<string, string>;
  readonly refusedHere: Map<string, string>;
  count(outcome: AppTokenOffer): AppTokenOffer;
}

function remember(memo: Map<string, string>, installationId: string, hash: string): void {
  if (memo.size >= MEMO_ENTRIES) memo.clear();
  memo.set(installationId, hash);
}

export function createAppTokenStore(deps: AppTokenStoreDeps): AppTokenStore {
  const margin = deps.safetyMarginMs ?? APP_TOKEN_SAFETY_MARGIN_MS;
  // The hash of the token this process last stored (or saw refused) per
  // installation: Forge caches its tokens, so most calls carry the same one,
  // and then the database is not touched.
  const lastSeen = new Map<string, string>();
  const refusedHere = new Map<string, string>();
  const memo: OfferMemo = {
    deps,
    margin,
    lastSeen,
    refusedHere,
    count(outcome) {
      deps.metrics.appTokensReceived.inc({ outcome });
      return outcome;
    },
  };

  return {
    offer: (installationId, token) => offerToken(memo, installationId, token),

    async appToken(installationId) {
      const stored = await deps.repository.find(installationId);
      if (stored === null || stored.refusedAt !== null) return null;
      if (stored.expiresAt.getTime() - deps.now().getTime() <= margin) return null;
      try {
        const token = deps.secretBox.open(stored.sealed, { kind: 'app-token', installationId });
        return { token, expiresAt: stored.expiresAt };
      } catch (error) {
        // A changed master key: the credential selector falls back, and Forge's next delivery replaces the token.
        deps.logger.error({ installationId, err: error }, 'the stored app system token cannot be decrypted');
        return null;
      }
    },

    async refuse(installationId, token) {
      const hash = hashAppToken(token);
      remember(refusedHere, installationId, hash);
      if (lastSeen.get(installationId) === hash) lastSeen.delete(installationId);
      try {
        if (await deps.repository.refuse(installationId, hash, deps.now())) {
          deps.metrics.appTokensReceived.inc({ outcome: 'refused_by_confluence' });
          deps.logger.warn(
            { installationId },
            'Confluence refused the app system token (401); it is dropped until Forge delivers a new one',
          );
        }
      } catch (error) {
        deps.logger.error({ installationId, err: error }, 'could not mark the app system token refused');
      }
    },

    async status(installationId) {
      const stored = await deps.repository.find(installationId);
      if (stored === null) return { status: 'missing', expiresAt: null };
      if (stored.refusedAt !== null) return { status: 'refused', expiresAt: stored.expiresAt.toISOString() };
      const usable = stored.expiresAt.getTime() - deps.now().getTime() > margin;
      return { status: usable ? 'ok' : 'expired', expiresAt: stored.expiresAt.toISOString() };
    },
  };
}

/** Keeps the token Forge delivered unless it is unreadable, about to expire, already known or refused. */
async function offerToken(memo: OfferMemo, installationId: string, token: string): Promise<AppTokenOffer> {
  const claimed = readTokenExpiry(token);
  const now = memo.deps.now();
  if (claimed === null) {
    memo.deps.logger.warn({ installationId }, 'ignored an app system token whose expiry cannot be read');
    return memo.count('unreadable');
  }
  const expiresAt = new Date(Math.min(claimed.getTime(), now.getTime() + APP_TOKEN_MAX_LIFETIME_MS));
  // A token that cannot serve a call would only push out one that can.
  if (expiresAt.getTime() - now.getTime() <= memo.margin) return memo.count('expired');
  const hash = hashAppToken(token);
  if (memo.refusedHere.get(installationId) === hash) return memo.count('refused');
  if (memo.lastSeen.get(installationId) === hash) return memo.count('kept_existing');
  try {
    const stored = await memo.deps.repository.find(installationId);
    if (stored?.tokenHash === hash) {
      if (stored.refusedAt !== null) {
        remember(memo.refusedHere, installationId, hash);
        return memo.count('refused');
      }
      remember(memo.lastSeen, installationId, hash);
      return memo.count('kept_existing');
    }
    const sealed = memo.deps.secretBox.seal(token, { kind: 'app-token', installationId });
    await memo.deps.repository.store(installationId, { sealed, expiresAt, tokenHash: hash }, now);
    remember(memo.lastSeen, installationId, hash);
    return memo.count('stored');
  } catch (error) {
    // The invocation itself must still be served; the next delivery tries again.
    memo.deps.logger.error({ installationId, err: error }, 'could not store the app system token');
    return memo.count('unreadable');
  }
}
