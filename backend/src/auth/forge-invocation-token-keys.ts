import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, type JSONWebKeySet, type JWK } from 'jose';
import { FitError } from './forge-invocation-token-error';

/**
 * Where the FIT verifier gets its public keys. `keyFor` answers from the key
 * set in hand without awaiting anything when it can (the hot path: one macro
 * view, one lookup in a Map) and returns a promise only when the set must be
 * fetched first. It throws (or rejects with) a `FitError`: `unknown_kid` for a
 * key the set does not hold, `jwks_unavailable` when the set cannot be read.
 */
export interface FitKeys {
  keyFor(kid: string): KeyObject | Promise<KeyObject>;
}

/** Forge signs with RSA keys; anything shorter than this is not one of theirs (and is weak). */
const MIN_RSA_BITS = 2048;

/**
 * The usable RS256 verification keys of a JWKS, by kid. A kid that appears
 * twice is left out: which of the two Forge meant cannot be known, so neither
 * verifies anything.
 */
export function keysByKid(jwks: JSONWebKeySet): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  const ambiguous = new Set<string>();
  for (const jwk of Array.isArray(jwks?.keys) ? jwks.keys : []) {
    const key = rs256PublicKey(jwk);
    if (key === null || typeof jwk.kid !== 'string') continue;
    if (keys.has(jwk.kid)) ambiguous.add(jwk.kid);
    keys.set(jwk.kid, key);
  }
  for (const kid of ambiguous) keys.delete(kid);
  return keys;
}

function rs256PublicKey(jwk: JWK): KeyObject | null {
  if (jwk.kty !== 'RSA' || typeof jwk.kid !== 'string' || jwk.kid === '') return null;
  if (jwk.alg !== undefined && jwk.alg !== 'RS256') return null;
  if (jwk.use !== undefined && jwk.use !== 'sig') return null;
  try {
    // Only the public members: a set that (wrongly) carried `d` must not make us hold a private key.
    const key = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    return bits >= MIN_RSA_BITS ? key : null;
  } catch {
    return null;
  }
}

function unknownKid(): FitError {
  return new FitError('unknown_kid', 'the invocation token names a signing key Forge does not publish');
}

/** A fixed key set (tests, the benchmark's in-process measurement). */
export function createLocalFitKeys(jwks: JSONWebKeySet): FitKeys {
  const keys = keysByKid(jwks);
  return {
    keyFor(kid) {
      const key = keys.get(kid);
      if (key === undefined) throw unknownKid();
      return key;
    },
  };
}

export interface ForgeJwksOptions {
  /** Least time between two fetches an unknown kid may cause (jose's cooldown). */
  cooldownMs?: number;
  /** Age after which the set is fetched again before it is used. */
  cacheMaxAgeMs?: number;
  timeoutMs?: number;
  /**
   * Least time between two fetches inside the cooldown (see below): bounds what
   * a stream of made-up kids can make us fetch, and how long a genuine
   * rotation can be held up by one.
   */
  rescueIntervalMs?: number;
  /** The clock for the rescue interval (jose keeps its own for the cooldown and cache age). */
  nowMs?: () => number;
}

/**
 * The Forge key set. jose's remote JWK set does the fetching: its timeout, its
 * cooldown, its cache age and its bookkeeping of when the set was last fetched.
 * The keys themselves are converted once per fetch into node:crypto KeyObjects,
 * so the per-request check is a synchronous `crypto.verify`, and the map is
 * replaced whole on every fetch: a key Forge no longer publishes stops
 * verifying the moment a fetch shows it gone.
 *
 * Refetching on an unknown kid (https://developer.atlassian.com/platform/forge/remote/essentials/
 * asks verifiers to cache the set and pick up rotations; see docs/platform-notes.md#forge-invocation-token-signing-keys):
 * - outside the cooldown, an unknown kid refetches;
 * - inside it, an unknown kid still refetches when the fetch that started the
 *   cooldown was caused by a kid that is still not in the set (it was made up,
 *   or it was a genuine new key that was not published yet), at most once per
 *   `rescueIntervalMs`. Without this, one made-up kid sent just before a
 *   rotation held back every token signed with the new key for the whole cooldown.
 * A kid that caused the last fetch and is still absent never refetches again
 * inside the cooldown: repeating one made-up kid costs nothing.
 */
export function createForgeJwks(url: URL, options: ForgeJwksOptions = {}): FitKeys {
  const remote = createRemoteJWKSet(url, {
    cooldownDuration: options.cooldownMs ?? 30_000,
    cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
    timeoutDuration: options.timeoutMs ?? 5_000,
  });
  const rescueIntervalMs = options.rescueIntervalMs ?? 2_000;
  const nowMs = options.nowMs ?? Date.now;

  let keys: Map<string, KeyObject> | null = null;
  /** The kid of the token that caused the last fetch (whatever the reason: start, age, unknown kid). */
  let lastCause: string | null = null;
  let lastRescueAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<Map<string, KeyObject>> | null = null;

  function fetchKeys(cause: string): Promise<Map<string, KeyObject>> {
    if (inFlight !== null) return inFlight;
    lastCause = cause;
    inFlight = remote
      .reload()
      .then(
        () => {
          keys = keysByKid(remote.jwks() ?? { keys: [] });
          return keys;
        },
        (error: unknown) => {
          throw new FitError('jwks_unavailable', 'the Forge signing keys could not be fetched', {
            cause: error,
          });
        },
      )
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  }

  async function afterFetch(cause: string, kid: string): Promise<KeyObject> {
    const fetched = await fetchKeys(cause);
    const key = fetched.get(kid);
    if (key === undefined) throw unknownKid();
    return key;
  }

  return {
    keyFor(kid) {
      if (keys === null || !remote.fresh) return afterFetch(kid, kid);
      const key = keys.get(kid);
      if (key !== undefined) return key;
      if (inFlight !== null) return afterFetch(kid, kid);
      if (!remote.coolingDown) return afterFetch(kid, kid);
      const causeStillAbsent = lastCause !== null && lastCause !== kid && !keys.has(lastCause);
      const now = nowMs();
      if (causeStillAbsent && now - lastRescueAt >= rescueIntervalMs) {
        lastRescueAt = now;
        return afterFetch(kid, kid);
      }
      throw unknownKid();
    },
  };
}
