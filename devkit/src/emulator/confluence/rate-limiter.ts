import type { CredentialKind } from './credentials';

/**
 * Confluence's two rate-limit regimes, per credential
 * (https://developer.atlassian.com/cloud/confluence/rate-limiting/, docs/platform-notes.md#confluence-rate-limit-regimes):
 * - a **burst** window of a second, for every credential;
 * - an hourly **points quota** that resets at the top of each UTC hour, with no
 *   partial throttling ("all requests are blocked until reset"). The docs apply
 *   it to Forge/OAuth app traffic and say API-token traffic "will continue to be
 *   governed by existing burst rate limits", so by default the quota applies to
 *   app tokens only (`quotaAppliesTo: 'all'` extends it to API tokens).
 * App tokens of one installation share one budget, as the tenant quota does;
 * each API token has its own.
 */
export interface RateLimitSettings {
  readonly burstPerSecond: number | null;
  readonly quotaPointsPerHour: number | null;
  readonly quotaAppliesTo: 'app-tokens' | 'all';
}

/** Tier 1 is 65,000 points an hour; Jira's published GET burst is 100 a second (docs/platform-notes.md#confluence-rate-limit-regimes). */
export const defaultRateLimitSettings: RateLimitSettings = {
  burstPerSecond: 100,
  quotaPointsPerHour: 65_000,
  quotaAppliesTo: 'app-tokens',
};

export const BURST_REASON = 'confluence-burst-based';
export const QUOTA_REASON = 'confluence-quota-global-based';

interface Usage {
  kind: CredentialKind;
  burstWindow: number;
  burstCount: number;
  quotaWindow: number;
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
  /** Counts a request against the burst window and refuses it when a limit is spent. */
  admit(credentialId: string, kind: CredentialKind, nowMs: number): Admission;
  charge(credentialId: string, points: number, nowMs: number): void;
  /** The documented headers, describing the limit that governs this credential. */
  headers(credentialId: string, nowMs: number): Record<string, string>;
  headroom(nowMs: number): Headroom[];
  clear(): void;
}

const SECOND = 1000;
const HOUR = 3_600_000;

/** `X-RateLimit-Reset` has been observed without seconds (`2026-03-26T16:00Z`) for the hourly quota. */
function formatHourReset(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}Z`;
}

export function createRateLimiter(initial: RateLimitSettings = defaultRateLimitSettings): RateLimiter {
  let current = initial;
  const usage = new Map<string, Usage>();

  function usageFor(credentialId: string, kind: CredentialKind, nowMs: number): Usage {
    let entry = usage.get(credentialId);
    if (!entry) {
      entry = { kind, burstWindow: 0, burstCount: 0, quotaWindow: 0, pointsUsed: 0 };
      usage.set(credentialId, entry);
    }
    roll(entry, nowMs);
    return entry;
  }

  function roll(entry: Usage, nowMs: number): void {
    const second = Math.floor(nowMs / SECOND);
    if (entry.burstWindow !== second) {
      entry.burstWindow = second;
      entry.burstCount = 0;
    }
    const hour = Math.floor(nowMs / HOUR);
    if (entry.quotaWindow !== hour) {
      entry.quotaWindow = hour;
      entry.pointsUsed = 0;
    }
  }

  function quotaApplies(kind: CredentialKind): boolean {
    if (current.quotaPointsPerHour === null) return false;
    return current.quotaAppliesTo === 'all' || kind === 'app-system' || kind === 'app-user';
  }

  function burstHeaders(entry: Usage, limit: number): Record<string, string> {
    const remaining = Math.max(0, limit - entry.burstCount);
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': new Date((entry.burstWindow + 1) * SECOND).toISOString(),
      'x-ratelimit-nearlimit': remaining < limit * 0.2 ? 'true' : 'false',
      'ratelimit-reason': BURST_REASON,
    };
  }

  function quotaHeaders(entry: Usage, limit: number): Record<string, string> {
    const remaining = Math.max(0, limit - entry.pointsUsed);
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': formatHourReset((entry.quotaWindow + 1) * HOUR),
      // "true when less than 20% of the quota remains" (docs/platform-notes.md#confluence-rate-limit-headers).
      'x-ratelimit-nearlimit': remaining < limit * 0.2 ? 'true' : 'false',
      'ratelimit-reason': QUOTA_REASON,
    };
  }

  return {
    settings: () => current,
    configure(settings) {
      current = settings;
      usage.clear();
    },
    admit(credentialId, kind, nowMs) {
      const entry = usageFor(credentialId, kind, nowMs);
      const quotaLimit = current.quotaPointsPerHour;
      if (quotaLimit !== null && quotaApplies(kind) && entry.pointsUsed >= quotaLimit) {
        const resetMs = (entry.quotaWindow + 1) * HOUR;
        return {
          allowed: false,
          headers: {
            ...quotaHeaders(entry, quotaLimit),
            'retry-after': String(Math.max(1, Math.ceil((resetMs - nowMs) / SECOND))),
          },
        };
      }
      const burstLimit = current.burstPerSecond;
      if (burstLimit !== null && entry.burstCount >= burstLimit) {
        return { allowed: false, headers: { ...burstHeaders(entry, burstLimit), 'retry-after': '1' } };
      }
      entry.burstCount += 1;
      return { allowed: true };
    },
    charge(credentialId, points, nowMs) {
      const entry = usage.get(credentialId);
      if (!entry) return;
      roll(entry, nowMs);
      entry.pointsUsed += points;
    },
    headers(credentialId, nowMs) {
      const entry = usage.get(credentialId);
      if (!entry) return {};
      roll(entry, nowMs);
      if (current.quotaPointsPerHour !== null && quotaApplies(entry.kind)) {
        return quotaHeaders(entry, current.quotaPointsPerHour);
      }
      if (current.burstPerSecond !== null) return burstHeaders(entry, current.burstPerSecond);
      return {};
    },
    headroom(nowMs) {
      return [...usage.entries()].map(([credentialId, entry]) => {
        roll(entry, nowMs);
        const burstLimit = current.burstPerSecond;
        const quotaLimit = current.quotaPointsPerHour;
        return {
          credentialId,
          kind: entry.kind,
          burst:
            burstLimit === null
              ? null
              : {
                  limit: burstLimit,
                  remaining: Math.max(0, burstLimit - entry.burstCount),
                  resetAt: new Date((entry.burstWindow + 1) * SECOND).toISOString(),
                },
          quota:
            quotaLimit === null || !quotaApplies(entry.kind)
              ? null
              : {
                  limit: quotaLimit,
                  remaining: Math.max(0, quotaLimit - entry.pointsUsed),
                  resetAt: new Date((entry.quotaWindow + 1) * HOUR).toISOString(),
                },
        };
      });
    },
    clear: () => usage.clear(),
  };
}
