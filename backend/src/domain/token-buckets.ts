/**
 * Token buckets keyed by name (an ingest key, an installation, a client
 * address): each holds up to `burst` tokens and regains `perSecond` of them
 * a second; a request takes one, and an empty bucket says how long until the
 * next token. State is in memory, per process: a limit on what one replica
 * accepts, which is what protects that replica.
 */
export interface BucketLimit {
  perSecond: number;
  burst: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

export interface TokenBuckets {
  /** Whether `count` tokens are there, without taking any. */
  check(name: string, count?: number): TakeResult;
  take(name: string, count?: number): TakeResult;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Names remembered at most. Past it the least recently touched half is
 * forgotten (mostly full again by then, so forgetting them changes nothing).
 */
const MAX_BUCKETS = 100_000;

export function createTokenBuckets(limit: BucketLimit, nowMs: () => number): TokenBuckets {
  const buckets = new Map<string, Bucket>();

  function current(name: string): Bucket {
    const now = nowMs();
    const bucket = buckets.get(name);
    if (bucket === undefined) return { tokens: limit.burst, at: now };
    const elapsedSeconds = Math.max(0, now - bucket.at) / 1000;
    return { tokens: Math.min(limit.burst, bucket.tokens + elapsedSeconds * limit.perSecond), at: now };
  }

  function verdict(bucket: Bucket, count: number): TakeResult {
    if (bucket.tokens >= count) return { ok: true };
    return { ok: false, retryAfterMs: Math.ceil(((count - bucket.tokens) / limit.perSecond) * 1000) };
  }

  function prune(): void {
    for (const name of buckets.keys()) {
      if (buckets.size <= MAX_BUCKETS / 2) return;
      buckets.delete(name);
    }
  }

  return {
    check(name, count = 1) {
      return verdict(current(name), count);
    },
    take(name, count = 1) {
      const bucket = current(name);
      const result = verdict(bucket, count);
      if (result.ok) bucket.tokens -= count;
      buckets.delete(name);
      buckets.set(name, bucket);
      if (buckets.size > MAX_BUCKETS) prune();
      return result;
    },
  };
}
