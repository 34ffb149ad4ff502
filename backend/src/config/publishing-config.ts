import { z } from 'zod';
import { ConfigError } from './config';

/**
 * The publishing engine's knobs (`PAGEWIRE_PUBLISH_*`), read here in config/
 * like every variable, from the same env record `main.ts`
 * hands to the backend's config (never from `process.env` here). Every one
 * has a production default; tests shorten the lease and the backoff.
 */
export interface PublishingConfig {
  /** Work items this process works on at once (each a different page). */
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  readonly pollMs: number;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** How often to look for block changes whose snapshot refresh a crash swallowed (and prune old jobs). */
  readonly reconcileMs: number;
  /** How long a finished job stays readable at `GET /ingest/v1/jobs/{id}`. */
  readonly jobRetentionMs: number;
  /** How often the homepage index entries of new pages are written, in one batch per space. */
  readonly indexFlushMs: number;
}

export const defaultPublishingConfig: PublishingConfig = {
  // Forge suggests 5–10 concurrent calls; with one request per update in the
  // happy path, 8 targets at once are at most 8 calls in flight, and the pacer
  // keeps their rate under the limit.
  concurrency: 8,
  leaseMs: 30_000,
  heartbeatMs: 10_000,
  pollMs: 1_000,
  maxAttempts: 10,
  retryBaseMs: 2_000,
  retryMaxMs: 5 * 60_000,
  reconcileMs: 5 * 60_000,
  jobRetentionMs: 30 * 24 * 3_600_000,
  indexFlushMs: 2_000,
};

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max).optional();

const envSchema = z.object({
  PAGEWIRE_PUBLISH_CONCURRENCY: integer(1, 32),
  PAGEWIRE_PUBLISH_LEASE_MS: integer(1_000, 3_600_000),
  PAGEWIRE_PUBLISH_POLL_MS: integer(10, 60_000),
  PAGEWIRE_PUBLISH_MAX_ATTEMPTS: integer(1, 100),
  PAGEWIRE_PUBLISH_RETRY_BASE_MS: integer(1, 3_600_000),
  PAGEWIRE_PUBLISH_RETRY_MAX_MS: integer(1, 24 * 3_600_000),
});

export function readPublishingConfig(env: Readonly<Record<string, string | undefined>>): PublishingConfig {
  const present = Object.fromEntries(
    Object.keys(envSchema.shape)
      .filter((name) => env[name] !== undefined && env[name] !== '')
      .map((name) => [name, env[name]]),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${String(issue.path[0])}: ${issue.message}`);
  }
  const values = parsed.data;
  const leaseMs = values.PAGEWIRE_PUBLISH_LEASE_MS ?? defaultPublishingConfig.leaseMs;
  return {
    concurrency: values.PAGEWIRE_PUBLISH_CONCURRENCY ?? defaultPublishingConfig.concurrency,
    leaseMs,
    // Three beats per lease: one lost beat never costs the lease.
    heartbeatMs: Math.max(100, Math.floor(leaseMs / 3)),
    pollMs: values.PAGEWIRE_PUBLISH_POLL_MS ?? defaultPublishingConfig.pollMs,
    maxAttempts: values.PAGEWIRE_PUBLISH_MAX_ATTEMPTS ?? defaultPublishingConfig.maxAttempts,
    retryBaseMs: values.PAGEWIRE_PUBLISH_RETRY_BASE_MS ?? defaultPublishingConfig.retryBaseMs,
    retryMaxMs: values.PAGEWIRE_PUBLISH_RETRY_MAX_MS ?? defaultPublishingConfig.retryMaxMs,
    reconcileMs: defaultPublishingConfig.reconcileMs,
    jobRetentionMs: defaultPublishingConfig.jobRetentionMs,
    indexFlushMs: defaultPublishingConfig.indexFlushMs,
  };
}
