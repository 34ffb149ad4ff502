import { z } from 'zod';

/**
 * Injected faults, so clients can be tested against the failures production
 * has (docs/platform-notes.md#retrying-confluence-calls): 5xx errors at a given rate, added latency, and
 * connections dropped without an answer. Rules match the emulator request path
 * with a glob (`*` is one path segment, `**` any number), optionally a method
 * and a site. The first matching rule wins. `times` limits a rule to its next N
 * matches, which keeps tests deterministic; `seed` makes rates repeatable.
 * The Dev API (`/_dev/…`) is never faulted, so a test can always clear faults.
 */
export const faultRuleSchema = z.strictObject({
  path: z.string().min(1).max(500).startsWith('/', 'must start with "/"'),
  method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', '*']).default('*'),
  cloudId: z.string().min(1).max(64).optional(),
  /** Share of matching requests answered with `status` (0–1). */
  errorRate: z.number().min(0).max(1).default(0),
  status: z.union([z.literal(500), z.literal(502), z.literal(503)]).default(503),
  /** Sent as `Retry-After` with the error, as Confluence sometimes does on 503. */
  retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
  /** Delay before the request is handled (or failed, or dropped). */
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  /** Share of matching requests whose connection is destroyed without a response (0–1). */
  dropRate: z.number().min(0).max(1).default(0),
  /** Apply to the next N matching requests only, then retire the rule. */
  times: z.number().int().min(1).max(1_000_000).optional(),
});
export type FaultRule = z.output<typeof faultRuleSchema>;

export const faultsSchema = z.strictObject({
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional(),
  rules: z.array(faultRuleSchema).max(50),
});
export type FaultsInput = z.input<typeof faultsSchema>;
export type Faults = z.output<typeof faultsSchema>;

export type FaultDecision =
  | { readonly action: 'none'; readonly latencyMs: number }
  | { readonly action: 'drop'; readonly latencyMs: number }
  | {
      readonly action: 'error';
      readonly latencyMs: number;
      readonly status: 500 | 502 | 503;
      readonly retryAfterSeconds: number | undefined;
    };

export interface FaultInjector {
  configure(faults: Faults): void;
  current(): Faults;
  decide(method: string, path: string, cloudId: string | undefined): FaultDecision;
  clear(): void;
}

interface ActiveRule {
  readonly rule: FaultRule;
  readonly pattern: RegExp;
  remaining: number | undefined;
}

const NO_FAULT: FaultDecision = { action: 'none', latencyMs: 0 };

/** mulberry32: tiny, seedable, good enough to spread faults evenly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!;
    if (char === '*') {
      if (glob[index + 1] === '*') {
        source += '.*';
        index++;
      } else {
        source += '[^/]*';
      }
    } else {
      source += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

export function createFaultInjector(): FaultInjector {
  let configured: Faults = { rules: [] };
  let rules: ActiveRule[] = [];
  let random = seededRandom(Date.now());

  return {
    configure(faults) {
      configured = faults;
      rules = faults.rules.map((rule) => ({ rule, pattern: globToRegExp(rule.path), remaining: rule.times }));
      random = seededRandom(faults.seed ?? Date.now());
    },
    current: () => configured,
    decide(method, path, cloudId) {
      if (rules.length === 0) return NO_FAULT;
      for (const active of rules) {
        const { rule } = active;
        if (rule.method !== '*' && rule.method !== method) continue;
        if (rule.cloudId !== undefined && rule.cloudId !== cloudId) continue;
        if (!active.pattern.test(path)) continue;
        if (active.remaining !== undefined) {
          active.remaining -= 1;
          if (active.remaining <= 0) rules = rules.filter((other) => other !== active);
        }
        if (rule.dropRate > 0 && random() < rule.dropRate)
          return { action: 'drop', latencyMs: rule.latencyMs };
        if (rule.errorRate > 0 && random() < rule.errorRate) {
          return {
            action: 'error',
            latencyMs: rule.latencyMs,
            status: rule.status,
            retryAfterSeconds: rule.retryAfterSeconds,
          };
        }
        return { action: 'none', latencyMs: rule.latencyMs };
      }
      return NO_FAULT;
    },
    clear() {
      configured = { rules: [] };
      rules = [];
    },
  };
}
