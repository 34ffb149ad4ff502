import { parseResetTime, parseRetryAfter } from './rate-limit-headers';

/**
 * Pagewire's HTTP retry policy for Confluence, as one table. docs/CONFLUENCE-CLIENT.md
 * renders the same rows; a test checks they agree.
 *
 * Atlassian's own guidance retries only idempotent calls that came back with
 * `Retry-After` (https://developer.atlassian.com/cloud/confluence/rate-limiting/).
 * We also retry writes on 429, because Confluence rejects a throttled request
 * before acting on it (kovetskiy/mark `confluence/transport.go`); a 5xx or a
 * lost connection on a write is different: the write may have landed, and a
 * replay would surface as a confusing 409 or a duplicate page, so the caller
 * gets the error and re-reads instead (docs/platform-notes.md#retrying-confluence-calls).
 */
export const HTTP_RETRY_POLICY = [
  {
    condition: '429 Too Many Requests',
    methods: 'any',
    action:
      'retry after Retry-After (seconds or HTTP-date); without it after X-RateLimit-Reset; without both, backoff. Jitter only lengthens the wait. A wait over 60 s is not taken: RateLimitError carries it to the caller',
    why: 'a throttled request was rejected before Confluence acted on it, so replaying even a write is safe',
  },
  {
    condition: '429 with a quota (or unrecognised) RateLimit-Reason',
    methods: 'any',
    action:
      'as above, and the pacer pauses every call on the pool (the app-wide pool for a global or unrecognised reason) until the reset',
    why: 'a breached hourly quota blocks all requests until the top of the hour; more calls only add 429s',
  },
  {
    condition: '502, 503, 504, network error, timeout',
    methods: 'GET, HEAD, OPTIONS',
    action: 'retry with backoff, honouring Retry-After on 503',
    why: 'reads have no effect, so a replay is harmless',
  },
  {
    condition: '502, 503, 504, network error, timeout',
    methods: 'POST, PUT, DELETE',
    action: 'no retry: ServerError / NetworkError with ambiguous = true',
    why: 'the write may have landed; the caller re-reads (version, content hash, title lookup) before writing again',
  },
  {
    condition: 'connection refused or host not found',
    methods: 'POST, PUT, DELETE',
    action: 'no retry: NetworkError with ambiguous = false',
    why: 'nothing was sent; the caller may retry at once, but the transport stays conservative',
  },
  {
    condition: '500 and other 5xx',
    methods: 'any',
    action: 'no retry: ServerError (ambiguous = true for writes)',
    why: 'a 500 is a fault in Confluence that the same request usually meets again; only 502/503/504 are passing',
  },
  {
    condition: '409 Conflict',
    methods: 'PUT',
    action: 'no retry: ConflictError with the current version',
    why: 'someone else wrote; the publisher re-reads, re-applies and writes fresh + 1',
  },
  {
    condition: '400, 401, 403, 404, 413, other 4xx',
    methods: 'any',
    action:
      'no retry: classified error (ScopeError, AuthError, ForbiddenError, NotFoundError, BadRequestError)',
    why: 'the same request will get the same answer',
  },
] as const;

/** At most this many retries after the first attempt (Atlassian's pseudocode uses 4). */
export const MAX_RETRIES = 4;
/** The longest single wait the transport takes before retrying; longer asks go back to the caller. */
export const MAX_RETRY_WAIT_MS = 60_000;
/** The single source of truth for "the gateway or Confluence had a passing failure". */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);
/** Methods without effects, the only ones replayed after an ambiguous failure. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface RetryOptions {
  readonly maxRetries: number;
  readonly maxWaitMs: number;
  /** First backoff step; doubles per retry (2 s in Atlassian's Jira recipe). */
  readonly baseDelayMs: number;
  /** Each backoff step is capped here (30 s in Atlassian's pseudocode). */
  readonly maxBackoffMs: number;
}

export const defaultRetryOptions: RetryOptions = {
  maxRetries: MAX_RETRIES,
  maxWaitMs: MAX_RETRY_WAIT_MS,
  baseDelayMs: 2_000,
  maxBackoffMs: 30_000,
};

/**
 * base × 2^retry × U(0.7, 1.3), capped: jitter spreads clients that failed
 * together so they do not come back together.
 */
export function computeBackoff(retry: number, options: RetryOptions, random: () => number): number {
  const step = options.baseDelayMs * 2 ** Math.min(retry, 30);
  return Math.round(Math.min(step * (0.7 + 0.6 * random()), options.maxBackoffMs));
}

export type AttemptOutcome =
  | { readonly type: 'response'; readonly status: number; readonly headers: Headers }
  | { readonly type: 'network'; readonly sent: boolean };

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | {
      readonly retry: false;
      readonly reason: 'not-retryable' | 'unsafe-method' | 'exhausted' | 'wait-too-long';
      readonly waitMs?: number;
    };

/**
 * How long a 429 asks us to wait: `Retry-After`, else `X-RateLimit-Reset`
 * (Atlassian's advice for gateway 429s that lack `Retry-After`,
 * developer.status.atlassian.com incident bb38p4wdd7mz), else null.
 */
export function rateLimitWaitMs(headers: Headers, now: number): number | null {
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now);
  if (retryAfter !== null) return retryAfter;
  const resetAt = parseResetTime(headers.get('x-ratelimit-reset'));
  if (resetAt !== null) return Math.max(resetAt - now, 0);
  return null;
}

/** Applies the table above to one failed attempt. `retry` counts retries already made. */
export function decideRetry(input: {
  method: string;
  outcome: AttemptOutcome;
  retry: number;
  now: number;
  options: RetryOptions;
  random: () => number;
}): RetryDecision {
  const { method, outcome, retry, now, options, random } = input;
  const safe = SAFE_METHODS.has(method.toUpperCase());

  if (outcome.type === 'network') {
    if (!safe) return { retry: false, reason: 'unsafe-method' };
    if (retry >= options.maxRetries) return { retry: false, reason: 'exhausted' };
    return { retry: true, delayMs: computeBackoff(retry, options, random) };
  }

  const { status, headers } = outcome;
  if (status === 429) {
    if (retry >= options.maxRetries) return { retry: false, reason: 'exhausted' };
    const asked = rateLimitWaitMs(headers, now);
    if (asked === null) return { retry: true, delayMs: computeBackoff(retry, options, random) };
    if (asked > options.maxWaitMs) return { retry: false, reason: 'wait-too-long', waitMs: asked };
    // Retry-After is a minimum (Jira's recipe): jitter may only add to it, up to 20%,
    // and never past the cap. A zero ask still waits a little so a herd spreads out.
    const jittered = Math.max(asked, 50) * (1 + 0.2 * random());
    return { retry: true, delayMs: Math.round(Math.min(jittered, options.maxWaitMs)) };
  }

  if (TRANSIENT_STATUSES.has(status)) {
    if (!safe) return { retry: false, reason: 'unsafe-method' };
    if (retry >= options.maxRetries) return { retry: false, reason: 'exhausted' };
    const backoff = computeBackoff(retry, options, random);
    const asked = status === 503 ? parseRetryAfter(headers.get('retry-after'), now) : null;
    if (asked !== null && asked > options.maxWaitMs)
      return { retry: false, reason: 'wait-too-long', waitMs: asked };
    return {
      retry: true,
      delayMs: asked === null ? backoff : Math.max(asked, Math.min(backoff, options.maxWaitMs)),
    };
  }

  return { retry: false, reason: 'not-retryable' };
}
