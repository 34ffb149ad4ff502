import { type Clock, systemClock } from './clock';
import type { ConfluenceCredential } from './credential';
import { RateLimitError } from './errors';
import { createMemoryPacerStore, type PacerStore } from './pacer-store';
import {
  classifyRateLimitReason,
  isGlobalQuotaPolicy,
  isQuotaReason,
  type RateLimitFigures,
  type RateLimitPolicyEntry,
  type RateLimitSnapshot,
} from './rate-limit-headers';

/**
 * Adaptive pacing: Pagewire's own answer to "bulk publishing ends in a 429
 * storm", as users of other publishers report it (docToolchain #1241,
 * kovetskiy/mark #588, confluence-publisher #412).
 *
 * Instead of firing and retrying, every request first takes a start slot
 * from the pacer. The spacing between slots is learned from Confluence's
 * headers on every response:
 *  - `X-RateLimit-Limit` of a short (burst) window is requests per second;
 *    the pacer runs at a fixed fraction of it (`targetUtilisation`), so a
 *    long run finishes close to the limit's pace without touching it;
 *  - when `X-RateLimit-NearLimit` is true or `X-RateLimit-Remaining` falls
 *    under a fifth of the limit, the remaining budget is spread evenly over
 *    the time left until `X-RateLimit-Reset` (Atlassian: "spread work over
 *    the hour", https://developer.atlassian.com/cloud/confluence/rate-limiting/);
 *  - `Remaining: 0` holds the key until the reset;
 *  - the `Beta-` preview headers are read the same way and, by default, also
 *    slow the pace, so the upcoming limits never surprise a running job;
 *  - the hourly points quota is described only by `RateLimit-Policy`
 *    (`q`, `w`) and `RateLimit` (`r` points left, `t` seconds to the reset),
 *    and `r` is sent once about 80 % is spent: from then on the pool the
 *    policy governs (`global-app-quota`: every installation's app traffic) is
 *    spaced so that what is left lasts until the reset, and `r=0` holds the
 *    pool until `t` (docs/platform-notes.md#confluence-rate-limit-headers);
 *  - a 429 cuts the pace multiplicatively and holds the key until
 *    `Retry-After`; a quota reason holds the whole pool (for a global or an
 *    unrecognised reason, every installation's app traffic) until the reset.
 *    Successes win the pace back a little at a time (AIMD).
 *
 * Spacing uses GCRA slots kept in a `PacerStore`, so several replicas that
 * share a store share one budget. The learned figures stay per process:
 * every replica sees the same headers for the same credential, so they agree
 * on the pace without coordinating more than the slots.
 */

export interface PacingTarget {
  /** One budget: the slots are spaced per key. */
  readonly key: string;
  /** Pools the key belongs to, the key itself included; a pause on any of them holds the key. */
  readonly pools: readonly string[];
  /** The pool a global-quota 429 pauses. */
  readonly globalPool: string | null;
  /** The pool a tenant-quota 429 pauses. */
  readonly tenantPool: string;
}

/** The app's Tier-1 points quota is shared by every tenant (docs/platform-notes.md#confluence-rate-limit-regimes). */
export const APP_GLOBAL_POOL = 'app:*';

export function pacingTargetFor(credential: ConfluenceCredential): PacingTarget {
  if (credential.kind === 'app-token') {
    const key = `app:${credential.installationId}`;
    return { key, pools: [key, APP_GLOBAL_POOL], globalPool: APP_GLOBAL_POOL, tenantPool: key };
  }
  // API-token traffic is governed by burst limits per account, not the app's points quota.
  const key = `api-token:${credential.installationId}:${credential.email.toLowerCase()}`;
  return { key, pools: [key], globalPool: null, tenantPool: key };
}

export interface PacerOptions {
  readonly store?: PacerStore;
  readonly clock?: Clock;
  /** Fraction of a learned burst limit to run at. */
  readonly targetUtilisation?: number;
  /** Requests in flight per key at most (Forge's cost guide suggests 5–10 concurrent). */
  readonly maxConcurrency?: number;
  /** Pace by the `Beta-` preview headers too (`pace`), or only record them (`observe`). */
  readonly previewHeaders?: 'pace' | 'observe';
  /** A pause longer than this is not waited out: the caller gets a RateLimitError to reschedule. */
  readonly maxWaitMs?: number;
  /** Below this share of the limit left, the remaining budget is spread until the reset. */
  readonly lowRemainingRatio?: number;
  /** Windows that reset within this many ms are burst windows (limit per second). */
  readonly burstWindowMs?: number;
  /**
   * Points one request is assumed to cost when spreading a quota's `r` over
   * its `t`: a single-object read costs 2 (1 base + 1 object), a write 1.
   */
  readonly quotaPointsPerRequest?: number;
}

export interface PacingState {
  readonly intervalMs: number;
  readonly multiplier: number;
  readonly burstLimitPerSecond: number | null;
  readonly inFlight: number;
  readonly lastSnapshot: RateLimitSnapshot | null;
  readonly throttled429s: number;
}

export type PacerOutcome =
  | { readonly kind: 'response'; readonly status: number; readonly snapshot: RateLimitSnapshot }
  | { readonly kind: 'no-response' };

export interface PacerPermit {
  /** Reports how the request went and frees its concurrency slot. Call exactly once. */
  settle(outcome: PacerOutcome): Promise<void>;
}

export interface Pacer {
  acquire(target: PacingTarget, signal?: AbortSignal): Promise<PacerPermit>;
  stateOf(key: string): PacingState | null;
}

interface KeyState {
  observed: boolean;
  /** Holding a concurrency turn: waiting for a slot or sent. */
  inFlight: number;
  /** Sent and not yet answered: these spend budget the last headers did not count. */
  sent: number;
  waiters: Array<() => void>;
  burstLimit: number | null;
  intervalMs: number;
  multiplier: number;
  lastSnapshot: RateLimitSnapshot | null;
  throttled429s: number;
}

const MIN_MULTIPLIER = 0.25;
const DECREASE_FACTOR = 0.7;
const INCREASE_STEP = 0.02;

/** The options with their defaults filled in. */
interface PacingSettings {
  readonly utilisation: number;
  readonly maxConcurrency: number;
  readonly pacePreview: boolean;
  readonly maxWaitMs: number;
  readonly lowRatio: number;
  readonly burstWindowMs: number;
  readonly pointsPerRequest: number;
}

/** What one pacer holds: the shared store, and what it learned per key and per pool. */
interface PacerContext {
  readonly store: PacerStore;
  readonly clock: Clock;
  readonly settings: PacingSettings;
  readonly states: Map<string, KeyState>;
  /** Spacing a low points quota imposes on a pool, until that quota's reset. */
  readonly poolSpacing: Map<string, { intervalMs: number; untilMs: number }>;
}

function settingsFrom(options: PacerOptions): PacingSettings {
  return {
    utilisation: options.targetUtilisation ?? 0.94,
    maxConcurrency: options.maxConcurrency ?? 10,
    pacePreview: (options.previewHeaders ?? 'pace') === 'pace',
    maxWaitMs: options.maxWaitMs ?? 60_000,
    lowRatio: options.lowRemainingRatio ?? 0.2,
    burstWindowMs: options.burstWindowMs ?? 10_000,
    pointsPerRequest: options.quotaPointsPerRequest ?? 2,
  };
}

export function createPacer(options: PacerOptions = {}): Pacer {
  const context: PacerContext = {
    store: options.store ?? createMemoryPacerStore(),
    clock: options.clock ?? systemClock,
    settings: settingsFrom(options),
    states: new Map(),
    poolSpacing: new Map(),
  };
  return {
    async acquire(target, signal) {
      const state = stateFor(context.states, target.key);
      await waitForTurn(context.settings, state, signal);
      try {
        await waitOutPauses(context, target, signal);
        await waitForSlot(context, target, state, signal);
        state.sent += 1;
      } catch (error) {
        releaseTurn(context.settings, state);
        throw error;
      }
      let settled = false;
      return {
        async settle(outcome) {
          if (settled) return;
          settled = true;
          try {
            state.sent -= 1;
            if (outcome.kind === 'response')
              await observe(context, target, state, outcome.status, outcome.snapshot);
          } finally {
            releaseTurn(context.settings, state);
          }
        },
      };
    },

    stateOf(key) {
      const state = context.states.get(key);
      if (!state) return null;
      return {
        intervalMs: state.intervalMs,
        multiplier: state.multiplier,
        burstLimitPerSecond: state.burstLimit,
        inFlight: state.inFlight,
        lastSnapshot: state.lastSnapshot,
        throttled429s: state.throttled429s,
      };
    },
  };
}

function stateFor(states: Map<string, KeyState>, key: string): KeyState {
  let state = states.get(key);
  if (!state) {
    state = {
      observed: false,
      inFlight: 0,
      sent: 0,
      waiters: [],
      burstLimit: null,
      intervalMs: 0,
      multiplier: 1,
      lastSnapshot: null,
      throttled429s: 0,
    };
    states.set(key, state);
  }
  return state;
}

// Until the first response, one request probes alone: it teaches the
// pacer the limit before a crowd is let through at a guessed pace.
function concurrencyLimit(settings: PacingSettings, state: KeyState): number {
  return state.observed ? settings.maxConcurrency : 1;
}

function waitForTurn(settings: PacingSettings, state: KeyState, signal?: AbortSignal): Promise<void> {
  if (state.inFlight < concurrencyLimit(settings, state)) {
    state.inFlight += 1;
    return Promise.resolve();
  }
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      state.waiters = state.waiters.filter((waiter) => waiter !== grant);
      reject(signal?.reason);
    };
    const grant = () => {
      signal?.removeEventListener('abort', onAbort);
      state.inFlight += 1;
      resolve();
    };
    state.waiters.push(grant);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function releaseTurn(settings: PacingSettings, state: KeyState): void {
  state.inFlight -= 1;
  while (state.inFlight < concurrencyLimit(settings, state) && state.waiters.length > 0) {
    state.waiters.shift()?.();
  }
}

/** Sleeps through the pauses in force on the target's pools; one longer than `maxWaitMs` is the caller's to reschedule. */
async function waitOutPauses(
  context: PacerContext,
  target: PacingTarget,
  signal?: AbortSignal,
): Promise<void> {
  for (;;) {
    const now = context.clock.now();
    const pause = await context.store.activePause(target.pools, now);
    if (!pause) return;
    const waitMs = pause.until - now;
    if (waitMs > context.settings.maxWaitMs) {
      throw new RateLimitError(
        `Confluence asked Pagewire to pause calls for ${Math.ceil(waitMs / 1000)} s` +
          (pause.reason ? ` (${pause.reason})` : '') +
          '; the work is rescheduled for after the reset.',
        {
          retryAfterMs: waitMs,
          reason: pause.reason,
          scope: isQuotaReason(pause.reason) ? 'quota' : 'burst',
        },
      );
    }
    await context.clock.sleep(waitMs, signal);
  }
}

/** Reserves the key's next start slot (and its pools' while a quota runs low) and sleeps until it. */
async function waitForSlot(
  context: PacerContext,
  target: PacingTarget,
  state: KeyState,
  signal?: AbortSignal,
): Promise<void> {
  const { store, clock, poolSpacing } = context;
  const now = clock.now();
  const intervalMs = state.intervalMs;
  // No tolerance: slots are computed from the stored TAT, not from when
  // a sleeper wakes, so timer lateness never accumulates, and a burst
  // allowance would only push a fixed window over its limit.
  let startAt = await store.reserveSlot(target.key, { now, intervalMs, toleranceMs: 0 });
  // A low quota spaces every key of its pool together, so installations
  // sharing the app's Tier 1 pool do not each spend it at the full pace.
  for (const pool of target.pools) {
    const quota = poolSpacing.get(pool);
    if (!quota) continue;
    if (quota.untilMs <= now) {
      poolSpacing.delete(pool);
      continue;
    }
    const poolStart = await store.reserveSlot(`quota:${pool}`, {
      now,
      intervalMs: quota.intervalMs,
      toleranceMs: 0,
    });
    startAt = Math.max(startAt, poolStart);
  }
  if (startAt > now) await clock.sleep(startAt - now, signal);
}

function poolForPolicy(target: PacingTarget, policy: string): string {
  return isGlobalQuotaPolicy(policy) && target.globalPool ? target.globalPool : target.tenantPool;
}

/**
 * ms between starts on a pool that makes a quota's remaining points last
 * until its reset; null when the quota is not running low. `r` is only sent
 * past about 80 % use, so its presence alone means "low" unless `q` says
 * otherwise.
 */
function quotaSpacing(
  settings: PacingSettings,
  entry: RateLimitPolicyEntry,
  inFlight: number,
): number | null {
  if (entry.remaining === undefined || entry.resetSeconds === undefined) return null;
  if (entry.quota !== undefined && entry.remaining > entry.quota * settings.lowRatio) return null;
  const requestsLeft = Math.max(entry.remaining / settings.pointsPerRequest - inFlight, 1);
  return (entry.resetSeconds * 1000) / requestsLeft / settings.utilisation;
}

/**
 * ms between starts that keeps these figures' budget from running dry
 * before their reset, and the burst limit (per second) they reveal.
 */
function spacingFor(
  settings: PacingSettings,
  figures: RateLimitFigures,
  observedAt: number,
  inFlight: number,
  multiplier: number,
): { spacingMs: number; burstLimit: number | null } {
  const { utilisation, lowRatio, burstWindowMs } = settings;
  let spacingMs = 0;
  let burstLimit: number | null = null;
  const untilReset = figures.resetAt === null ? null : Math.max(figures.resetAt - observedAt, 0);
  const isBurstWindow =
    !isQuotaReason(figures.reason) && (untilReset === null || untilReset <= burstWindowMs);
  if (figures.limit !== null && figures.limit > 0 && isBurstWindow) {
    burstLimit = figures.limit;
    spacingMs = 1000 / (figures.limit * utilisation * multiplier);
  }
  if (figures.remaining !== null && untilReset !== null) {
    const low =
      figures.nearLimit || (figures.limit !== null && figures.remaining <= figures.limit * lowRatio);
    if (low) {
      // Requests already in flight will spend part of what is left.
      const left = Math.max(figures.remaining - inFlight, 1);
      spacingMs = Math.max(spacingMs, untilReset / left / utilisation);
    }
  }
  return { spacingMs, burstLimit };
}

/** Learns from one answer: the pace after a 429 or a success, pauses, and the spacing the headers call for. */
async function observe(
  context: PacerContext,
  target: PacingTarget,
  state: KeyState,
  status: number,
  snapshot: RateLimitSnapshot,
): Promise<void> {
  const firstObservation = !state.observed;
  state.observed = true;
  state.lastSnapshot = snapshot;
  const now = snapshot.observedAt;
  if (status === 429) {
    state.throttled429s += 1;
    state.multiplier = Math.max(MIN_MULTIPLIER, state.multiplier * DECREASE_FACTOR);
    await holdAfterThrottle(context.store, target, snapshot);
  } else if (status < 500) {
    state.multiplier = Math.min(1, state.multiplier + INCREASE_STEP);
  }
  let spacing = headerSpacing(context.settings, state, snapshot);
  if (status !== 429) spacing = Math.max(spacing, await followBudget(context, target, state, snapshot));
  state.intervalMs = spacing;
  // The probe went out before any pace was known: charge it one interval
  // now, so the requests queued behind it do not start in the same instant.
  if (firstObservation && spacing > 0) {
    await context.store.reserveSlot(target.key, { now, intervalMs: spacing, toleranceMs: 0 });
  }
}

/**
 * A 429: a quota reason (or a spent points policy) holds the whole pool,
 * a burst window only this key, each until the hint it comes with.
 */
async function holdAfterThrottle(store: PacerStore, target: PacingTarget, snapshot: RateLimitSnapshot) {
  const now = snapshot.observedAt;
  const { reason, retryAfterMs, resetAt, policies } = snapshot.enforced;
  const resetIn = resetAt === null ? null : Math.max(resetAt - now, 0);
  const spentPolicies = policies.filter((entry) => entry.remaining === 0 && entry.resetSeconds !== undefined);
  const kind = classifyRateLimitReason(reason);
  if (kind !== 'burst' || spentPolicies.length > 0) {
    // "All requests are blocked until reset": hold the whole pool. The
    // quota's own hints are Retry-After and RateLimit's `t`; X-RateLimit-Reset
    // describes the burst window, so it is only a last resort.
    const quotaHints = [
      retryAfterMs,
      ...spentPolicies.map((entry) => (entry.resetSeconds ?? 0) * 1000),
    ].filter((value): value is number => value !== null);
    const holdMs = quotaHints.length > 0 ? Math.max(...quotaHints) : (resetIn ?? 60_000);
    const pool =
      kind === 'tenant-quota'
        ? target.tenantPool
        : kind === 'global-quota'
          ? (target.globalPool ?? target.tenantPool)
          : poolForPolicy(target, spentPolicies[0]?.policy ?? '');
    await store.pause(pool, now + holdMs, reason ?? `${spentPolicies[0]?.policy ?? 'quota'} spent`);
  } else {
    // A burst window refills soon: hold this key until it does, whichever hint is sooner.
    const hints = [retryAfterMs, resetIn].filter((value): value is number => value !== null);
    const holdMs = hints.length > 0 ? Math.min(...hints) : 1000;
    await store.pause(target.key, now + holdMs, reason);
  }
}

/** The spacing the burst headers (enforced, and preview when pacing by them) call for. */
function headerSpacing(settings: PacingSettings, state: KeyState, snapshot: RateLimitSnapshot): number {
  const now = snapshot.observedAt;
  const others = Math.max(state.sent, 0);
  const enforced = spacingFor(settings, snapshot.enforced, now, others, state.multiplier);
  if (enforced.burstLimit !== null) state.burstLimit = enforced.burstLimit;
  let spacing = enforced.spacingMs;
  // A response without the headers (some endpoints omit them) keeps the pace already learned.
  if (enforced.burstLimit === null && state.burstLimit !== null) {
    spacing = Math.max(spacing, 1000 / (state.burstLimit * settings.utilisation * state.multiplier));
  }
  if (settings.pacePreview)
    spacing = Math.max(
      spacing,
      spacingFor(settings, snapshot.preview, now, others, state.multiplier).spacingMs,
    );
  return spacing;
}

/**
 * After an answer that was not a 429: waits out an exhausted window rather
 * than testing it, pauses a pool whose points are spent, spaces a pool whose
 * points run low, and returns the spacing the preview quotas call for.
 */
async function followBudget(
  context: PacerContext,
  target: PacingTarget,
  state: KeyState,
  snapshot: RateLimitSnapshot,
): Promise<number> {
  const { store, settings, poolSpacing } = context;
  const now = snapshot.observedAt;
  const others = Math.max(state.sent, 0);
  const { remaining, resetAt, reason } = snapshot.enforced;
  if (remaining === 0 && resetAt !== null && resetAt > now) await store.pause(target.key, resetAt, reason);
  for (const entry of snapshot.enforced.policies) {
    const pool = poolForPolicy(target, entry.policy);
    if (entry.remaining === 0 && entry.resetSeconds !== undefined && entry.resetSeconds > 0) {
      await store.pause(pool, now + entry.resetSeconds * 1000, `${entry.policy} spent`);
      continue;
    }
    const interval = quotaSpacing(settings, entry, others);
    if (interval !== null && entry.resetSeconds !== undefined) {
      poolSpacing.set(pool, { intervalMs: interval, untilMs: now + entry.resetSeconds * 1000 });
    } else {
      // The policy is reported without `r` (or with plenty): not low any more, e.g. a new hour.
      poolSpacing.delete(pool);
    }
  }
  let spacing = 0;
  if (settings.pacePreview) {
    for (const entry of snapshot.preview.policies)
      spacing = Math.max(spacing, quotaSpacing(settings, entry, others) ?? 0);
  }
  return spacing;
}
