/**
 * Reading Confluence's rate-limit headers into one snapshot
 * (https://developer.atlassian.com/cloud/confluence/rate-limiting/;
 * docs/platform-notes.md#confluence-rate-limit-headers).
 *
 * Headers without a `Beta-` prefix describe limits that are enforced now;
 * the `Beta-`/`X-Beta-` ones preview limits that would apply under upcoming
 * rules and never cause a 429 themselves.
 */

/** One entry of the structured `RateLimit` / `RateLimit-Policy` headers. */
export interface RateLimitPolicyEntry {
  readonly policy: string;
  /** `q`: the quota's size. */
  readonly quota?: number;
  /** `w`: the window in seconds. */
  readonly windowSeconds?: number;
  /** `r`: what is left; sent only past roughly 80% use. */
  readonly remaining?: number;
  /** `t`: seconds until the window resets. */
  readonly resetSeconds?: number;
}

export interface RateLimitFigures {
  readonly limit: number | null;
  readonly remaining: number | null;
  /** Epoch milliseconds of the window's reset, or null. */
  readonly resetAt: number | null;
  readonly nearLimit: boolean;
  readonly reason: string | null;
  /** From `Retry-After` (or `Beta-Retry-After` for the preview), in ms, clamped. */
  readonly retryAfterMs: number | null;
  /** Parsed `RateLimit` joined with `RateLimit-Policy` by policy name. */
  readonly policies: readonly RateLimitPolicyEntry[];
}

export interface RateLimitSnapshot {
  /** When the response was read (epoch ms), so durations can be computed later. */
  readonly observedAt: number;
  readonly enforced: RateLimitFigures;
  readonly preview: RateLimitFigures;
}

/**
 * `Retry-After` has been seen as `9223372036854775807`
 * (community.atlassian.com, "Rate limit Retry-After header value too large"):
 * anything beyond a day is treated as a day, which callers then refuse to wait.
 */
export const RETRY_AFTER_CEILING_MS = 24 * 60 * 60 * 1000;

function parseNumber(value: string | null): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (!/^-?\d+(\.\d+)?$/.test(trimmed)) return null;
  const parsed = Number(trimmed);
  return Number.isFinite(parsed) ? parsed : null;
}

/**
 * `Retry-After` is delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Returns
 * milliseconds from `now`, at least 0 and at most the ceiling; null when
 * absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    // Compare digit counts before Number() so absurd values do not lose precision first.
    if (trimmed.replace(/^0+/, '').length > 9) return RETRY_AFTER_CEILING_MS;
    return Math.min(Number(trimmed) * 1000, RETRY_AFTER_CEILING_MS);
  }
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(at - now, 0), RETRY_AFTER_CEILING_MS);
}

/**
 * `X-RateLimit-Reset` is an ISO 8601 time, observed without seconds
 * (`2026-03-26T16:00Z`), which `Date.parse` reads. Some proxies send epoch
 * seconds instead; accept both.
 */
export function parseResetTime(value: string | null): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d{9,11}$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : at;
}

function parseBoolean(value: string | null): boolean {
  return value !== null && value.trim().toLowerCase() === 'true';
}

/** Splits a structured-field list on commas that are not inside quotes. */
function splitList(value: string): string[] {
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of value) {
    if (char === '"') quoted = !quoted;
    if (char === ',' && !quoted) {
      items.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  items.push(current);
  return items.map((item) => item.trim()).filter((item) => item.length > 0);
}

/**
 * Parses `"<policy>";q=65000;w=3600, "<policy>";r=1200;t=600` (RFC draft
 * "RateLimit header fields" syntax). Entries come in no fixed order; unknown
 * parameters are ignored; malformed entries are skipped rather than failing
 * the response.
 */
export function parseRateLimitStructured(value: string | null): Map<string, Record<string, number>> {
  const byPolicy = new Map<string, Record<string, number>>();
  if (value === null) return byPolicy;
  for (const item of splitList(value)) {
    const [rawName, ...params] = item.split(';');
    const name = rawName?.trim().replace(/^"(.*)"$/, '$1');
    if (!name) continue;
    const entry: Record<string, number> = byPolicy.get(name) ?? {};
    for (const param of params) {
      const [key, raw] = param.split('=');
      const parsed = parseNumber(raw ?? null);
      if (key && parsed !== null) entry[key.trim()] = parsed;
    }
    byPolicy.set(name, entry);
  }
  return byPolicy;
}

function joinPolicies(policyHeader: string | null, stateHeader: string | null): RateLimitPolicyEntry[] {
  const policies = parseRateLimitStructured(policyHeader);
  const states = parseRateLimitStructured(stateHeader);
  const names = new Set([...policies.keys(), ...states.keys()]);
  return [...names].map((policy) => {
    const definition = policies.get(policy) ?? {};
    const state = states.get(policy) ?? {};
    return {
      policy,
      ...(definition.q !== undefined ? { quota: definition.q } : {}),
      ...(definition.w !== undefined ? { windowSeconds: definition.w } : {}),
      ...(state.r !== undefined ? { remaining: state.r } : {}),
      ...(state.t !== undefined ? { resetSeconds: state.t } : {}),
    };
  });
}

function readFigures(headers: Headers, now: number, preview: boolean): RateLimitFigures {
  const x = preview ? 'x-beta-ratelimit-' : 'x-ratelimit-';
  return {
    limit: parseNumber(headers.get(`${x}limit`)),
    remaining: parseNumber(headers.get(`${x}remaining`)),
    resetAt: parseResetTime(headers.get(`${x}reset`)),
    nearLimit: parseBoolean(headers.get(`${x}nearlimit`)),
    reason:
      (preview ? headers.get('x-beta-ratelimit-reason') : headers.get('ratelimit-reason'))?.trim() || null,
    retryAfterMs: parseRetryAfter(headers.get(preview ? 'beta-retry-after' : 'retry-after'), now),
    policies: preview
      ? joinPolicies(headers.get('beta-ratelimit-policy'), headers.get('beta-ratelimit'))
      : joinPolicies(headers.get('ratelimit-policy'), headers.get('ratelimit')),
  };
}

export function readRateLimitHeaders(headers: Headers, now: number): RateLimitSnapshot {
  return {
    observedAt: now,
    enforced: readFigures(headers, now, false),
    preview: readFigures(headers, now, true),
  };
}

/**
 * What a 429's `RateLimit-Reason` says tripped
 * (docs/platform-notes.md#confluence-rate-limit-headers). The documented quota
 * values are `confluence-quota-global-based` (Tier 1, the app's pool shared by
 * every tenant) and `confluence-quota-tenant-based` (Tier 2); burst refusals say
 * `confluence-burst-based`. Live answers have carried undocumented values
 * (`conf-global-based`), and mistaking a quota for a burst only earns more 429s
 * until the top of the hour, so anything not plainly burst or tenant counts as
 * the global quota. No reason at all is read as a burst: the gateway's own
 * throttling 429s come without one.
 */
export type RateLimitReasonKind = 'burst' | 'tenant-quota' | 'global-quota';

export function classifyRateLimitReason(reason: string | null): RateLimitReasonKind {
  if (reason === null || reason.trim() === '') return 'burst';
  if (/burst/i.test(reason)) return 'burst';
  if (/tenant/i.test(reason) && !/global/i.test(reason)) return 'tenant-quota';
  return 'global-quota';
}

export function isQuotaReason(reason: string | null): boolean {
  return classifyRateLimitReason(reason) !== 'burst';
}

/** Whether the quota that tripped is (or, for an unknown reason, may be) the app's global pool. */
export function isGlobalQuotaReason(reason: string | null): boolean {
  return classifyRateLimitReason(reason) === 'global-quota';
}

/** A `RateLimit-Policy` name for the app-wide Tier 1 pool (`global-app-quota`) rather than a tenant's. */
export function isGlobalQuotaPolicy(policy: string): boolean {
  return !/tenant/i.test(policy);
}
