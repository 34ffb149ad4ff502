import { ProblemError } from '../domain/problem-error';
import { type BucketLimit, createTokenBuckets, type TakeResult } from '../domain/token-buckets';
import { hasErrorKind } from '../error-kinds';
import type { IngestAuthenticator, IngestPrincipal } from './ingest-key';

/** `null` turns a limit off. Defaults and variables: config/config.ts and docs/BACKEND.md, "Ingest limits". */
export interface IngestRateLimits {
  perKey: BucketLimit | null;
  perInstallation: BucketLimit | null;
  /** Requests with a missing, unknown or revoked key, per client address. */
  wrongKeysPerAddress: BucketLimit | null;
}

export interface RateLimitedIngestAuthenticator {
  /** As `IngestAuthenticator.authenticate`, then the limits; `address` is the client's (for wrong keys). */
  authenticate(authorization: string | undefined, address?: string): Promise<IngestPrincipal>;
}

function tooMany(result: Extract<TakeResult, { ok: false }>, what: string): ProblemError {
  const retryAfterSeconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
  return new ProblemError('rate_limited', `${what}; try again in ${retryAfterSeconds} s.`, {
    retryAfterSeconds,
  });
}

/**
 * The ingest key check with limits around it (issue 13, item 10):
 * - an address that sent too many wrong keys is refused with 429 before its
 *   next key is even looked at, so guessing keys is slowed to the refill rate;
 * - an authenticated request takes a token from its key's bucket and from its
 *   installation's, so one noisy source cannot use up a tenant's share, nor
 *   one tenant the backend's.
 */
export function createRateLimitedIngestAuthenticator(deps: {
  authenticator: IngestAuthenticator;
  limits: IngestRateLimits;
  /** Milliseconds on a clock that only moves forward (tests pass their own). */
  nowMs: () => number;
}): RateLimitedIngestAuthenticator {
  const bucketsFor = (limit: BucketLimit | null) =>
    limit === null ? null : createTokenBuckets(limit, deps.nowMs);
  const perKey = bucketsFor(deps.limits.perKey);
  const perInstallation = bucketsFor(deps.limits.perInstallation);
  const wrongKeys = bucketsFor(deps.limits.wrongKeysPerAddress);

  return {
    async authenticate(authorization, address) {
      if (wrongKeys !== null && address !== undefined) {
        const blocked = wrongKeys.check(address);
        if (!blocked.ok)
          throw tooMany(blocked, 'Too many requests with a wrong ingest key from this address');
      }
      let principal: IngestPrincipal;
      try {
        principal = await deps.authenticator.authenticate(authorization);
      } catch (error) {
        if (wrongKeys !== null && address !== undefined && hasErrorKind(error, 'ingest_key_rejected')) {
          wrongKeys.take(address);
        }
        throw error;
      }
      const key = perKey?.check(principal.keyId) ?? { ok: true };
      if (!key.ok) throw tooMany(key, 'This ingest key sent too many requests');
      const installation = perInstallation?.check(principal.installationId) ?? { ok: true };
      if (!installation.ok) throw tooMany(installation, 'This site’s ingest keys sent too many requests');
      perKey?.take(principal.keyId);
      perInstallation?.take(principal.installationId);
      return principal;
    },
  };
}
