import type { CredentialKind } from './credentials';

/**
 * Confluence's two rate-limit regimes, with the headers Atlassian documents for
 * each (https://developer.atlassian.com/cloud/confluence/rate-limiting/,
 * docs/platform-notes.md#confluence-rate-limit-headers):
 * - a **burst** window of a second per credential, described on every
 *   authenticated answer by `X-RateLimit-Limit/-Remaining/-Reset/-NearLimit`;
 * - an hourly **points quota** that resets at the top of each UTC hour, with no
 *   partial throttling ("all requests are blocked until reset"). For the quota
 *   only `RateLimit-Policy` (`"<policy>";q=<points>;w=3600`) and `RateLimit`
 *   (`"<policy>";r=<left>;t=<s to reset>`) are used, never `X-RateLimit-*`;
 *   `r` is reported once about 80 % of the quota is spent, so `RateLimit`
 *   appears from then on.
 * `RateLimit-Reason` and `Retry-After` come only with a 429.
 *
 * The docs apply the quota to Forge/OAuth app traffic and say API-token traffic
 * "will continue to be governed by existing burst rate limits", so by default
 * the quota applies to app tokens only (`quotaAppliesTo: 'all'` extends it to
 * API tokens, each with its own budget). Tier 1 (`quotaPolicy: 'global'`) is
 * one pool per app shared by every installation; Tier 2 (`'tenant'`) is one
 * per installation. App tokens of one installation share one burst window.
 */
export interface RateLimitSettings {
  readonly burstPerSecond: number | null;
  readonly quotaPointsPerHour: number | null;
  readonly quotaAppliesTo: 'app-tokens' | 'all';
  readonly quotaPolicy: 'global' | 'tenant';
  /**
   * The `RateLimit-Reason` of a quota 429; null sends the documented one. Lets
   * a test replay an undocumented live value such as `conf-global-based`.
   */
  readonly quotaReason: string | null;
}

/** Tier 1 is 65,000 points an hour; Jira's published GET burst is 100 a second (docs/platform-notes.md#confluence-rate-limit-regimes). */
export const defaultRateLimitSettings: RateLimitSettings = {
  burstPerSecond: 100,
  quotaPointsPerHour: 65_000,
  quotaAppliesTo: 'app-tokens',
  quotaPolicy: 'global',
  quotaReason: null,
};

export const BURST_REASON = 'confluence-burst-based';
export const QUOTA_REASONS = {
  global: 'confluence-quota-global-based',
  tenant: 'confluence-quota-tenant-based',
} as const;
export const QUOTA_POLICY_NAMES = { global: 'global-app-quota', tenant: 'tenant-app-quota' } as const;

/** `r` appears in `RateLimit` only past about 80 % use (docs/platform-notes.md#confluence-rate-limit-regimes). */
const REMAINING_REPORTED_FROM_USE = 0.8;

interface BurstUsage {
  kind: CredentialKind;
  window: number;
  count: number;
  /** The quota pool this credential spends, or null when the quota does not apply to it. */
  quotaKey: string | null;
}

interface QuotaUsage {
  window: number;
  pointsUsed: number;
}

export type Admission =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly headers: Record<string, string> };

export interface Headroom {
  readonly credentialId: string;
  readonly kind: CredentialKind;
  readonly burst: { limit: number; remaining: number; resetAt: string } | null;
  readonly quota: { limit: number; remaining: number; resetAt: string } | null;
}

export interface RateLimiter {
  settings(): RateLimitSettings;
  configure(settings: RateLimitSettings): void;
  /**
   * Counts a request against the burst window and refuses it when a limit is
   * spent. `appId` names the app an app token belongs to: the global quota
   * pool is the app's.
   */
  admit(credentialId: string, kind: CredentialKind, nowMs: number, appId?: string): Admission;
  charge(credentialId: string, points: number, nowMs: number): void;
  /** The documented headers of a successful (or non-429) answer for this credential. */
  headers(credentialId: string, nowMs: number): Record<string, string>;
  headroom(nowMs: number): Headroom[];
  clear(): void;
}

const SECOND = 1000;
const HOUR = 3_600_000;

export function createRateLimiter(initial: Partial<RateLimitSettings> = {}): RateLimiter {
  let current: RateLimitSettings = { ...defaultRateLimitSettings, ...initial };
  const bursts = new Map<string, BurstUsage>();
  const quotas = new Map<string, QuotaUsage>();

  function quotaApplies(kind: CredentialKind): boolean {
    if (current.quotaPointsPerHour === null) return false;
    return current.quotaAppliesTo === 'all' || kind === 'app-system' || kind === 'app-user';
  }

  function quotaKeyFor(credentialId: string, kind: CredentialKind, appId: string | undefined): string | null {
    if (!quotaApplies(kind)) return null;
    const isApp = kind === 'app-system' || kind === 'app-user';
    if (isApp && current.quotaPolicy === 'global' && appId) return `app:${appId}`;
    return credentialId;
  }

  function burstFor(credentialId: string, kind: CredentialKind, nowMs: number, appId?: string): BurstUsage {
    let entry = bursts.get(credentialId);
    if (!entry) {
      entry = { kind, window: 0, count: 0, quotaKey: quotaKeyFor(credentialId, kind, appId) };
      bursts.set(credentialId, entry);
    }
    const second = Math.floor(nowMs / SECOND);
    if (entry.window !== second) {
      entry.window = second;
      entry.count = 0;
    }
    return entry;
  }

  function quotaFor(key: string, nowMs: number): QuotaUsage {
    let entry = quotas.get(key);
    if (!entry) {
      entry = { window: 0, pointsUsed: 0 };
      quotas.set(key, entry);
    }
    const hour = Math.floor(nowMs / HOUR);
    if (entry.window !== hour) {
      entry.window = hour;
      entry.pointsUsed = 0;
    }
    return entry;
  }

  function burstHeaders(entry: BurstUsage, nowMs: number): Record<string, string> {
    const limit = current.burstPerSecond;
    if (limit === null) return {};
    const second = Math.floor(nowMs / SECOND);
    const count = entry.window === second ? entry.count : 0;
    const remaining = Math.max(0, limit - count);
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': new Date((second + 1) * SECOND).toISOString(),
      // "true when less than 20% of the quota remains" (docs/platform-notes.md#confluence-rate-limit-regimes).
      'x-ratelimit-nearlimit': remaining < limit * 0.2 ? 'true' : 'false',
    };
  }

  function quotaHeaders(quota: QuotaUsage, nowMs: number, refused: boolean): Record<string, string> {
    const limit = current.quotaPointsPerHour;
    if (limit === null) return {};
    const policy = QUOTA_POLICY_NAMES[current.quotaPolicy];
    const remaining = Math.max(0, limit - quota.pointsUsed);
    const resetSeconds = Math.max(1, Math.ceil(((quota.window + 1) * HOUR - nowMs) / SECOND));
    const headers: Record<string, string> = { 'ratelimit-policy': `"${policy}";q=${limit};w=3600` };
    if (refused || quota.pointsUsed >= limit * REMAINING_REPORTED_FROM_USE) {
      headers.ratelimit = `"${policy}";r=${remaining};t=${resetSeconds}`;
    }
    return headers;
  }

  return {
    settings: () => current,
    configure(settings) {
      current = { ...defaultRateLimitSettings, ...settings };
      bursts.clear();
      quotas.clear();
    },
    admit(credentialId, kind, nowMs, appId) {
      const burst = burstFor(credentialId, kind, nowMs, appId);
      const quotaLimit = current.quotaPointsPerHour;
      if (burst.quotaKey !== null && quotaLimit !== null) {
        const quota = quotaFor(burst.quotaKey, nowMs);
        if (quota.pointsUsed >= quotaLimit) {
          const resetSeconds = Math.max(1, Math.ceil(((quota.window + 1) * HOUR - nowMs) / SECOND));
          return {
            allowed: false,
            headers: {
              ...burstHeaders(burst, nowMs),
              ...quotaHeaders(quota, nowMs, true),
              'ratelimit-reason': current.quotaReason ?? QUOTA_REASONS[current.quotaPolicy],
              'retry-after': String(resetSeconds),
            },
          };
        }
      }
      const burstLimit = current.burstPerSecond;
      if (burstLimit !== null && burst.count >= burstLimit) {
        return {
          allowed: false,
          headers: { ...burstHeaders(burst, nowMs), 'ratelimit-reason': BURST_REASON, 'retry-after': '1' },
        };
      }
      burst.count += 1;
      return { allowed: true };
    },
    charge(credentialId, points, nowMs) {
      const burst = bursts.get(credentialId);
      if (!burst || burst.quotaKey === null) return;
      quotaFor(burst.quotaKey, nowMs).pointsUsed += points;
    },
    headers(credentialId, nowMs) {
      const burst = bursts.get(credentialId);
      if (!burst) return {};
      return {
        ...burstHeaders(burst, nowMs),
        ...(burst.quotaKey === null ? {} : quotaHeaders(quotaFor(burst.quotaKey, nowMs), nowMs, false)),
      };
    },
    headroom(nowMs) {
      return [...bursts.entries()].map(([credentialId, entry]) => {
        const burstLimit = current.burstPerSecond;
        const quotaLimit = current.quotaPointsPerHour;
        const second = Math.floor(nowMs / SECOND);
        const used = entry.window === second ? entry.count : 0;
        const quota = entry.quotaKey === null ? null : quotaFor(entry.quotaKey, nowMs);
        return {
          credentialId,
          kind: entry.kind,
          burst:
            burstLimit === null
              ? null
              : {
                  limit: burstLimit,
                  remaining: Math.max(0, burstLimit - used),
                  resetAt: new Date((second + 1) * SECOND).toISOString(),
                },
          quota:
            quotaLimit === null || quota === null
              ? null
              : {
                  limit: quotaLimit,
                  remaining: Math.max(0, quotaLimit - quota.pointsUsed),
                  resetAt: new Date((quota.window + 1) * HOUR).toISOString(),
                },
        };
      });
    },
    clear: () => {
      bursts.clear();
      quotas.clear();
    },
  };
}
