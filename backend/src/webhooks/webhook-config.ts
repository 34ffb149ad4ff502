import { z } from 'zod';
import { ConfigError } from '../config/config';
import { DEFAULT_DELIVERY_SCHEDULE, type DeliverySchedule } from './delivery-schedule';

/**
 * The webhooks' knobs, read from the env record the backend's config comes
 * from (never `process.env` here), like the publishing engine's. Production
 * defaults throughout; tests shorten the poll, the lease and the backoff.
 * Whether private targets are allowed is core config
 * (`PAGEWIRE_WEBHOOK_ALLOW_PRIVATE`, backend/src/config/config.ts).
 */
export interface WebhookConfig {
  /** Deliveries in flight at once per process (each a different subscription and page). */
  readonly deliveryConcurrency: number;
  /** Content events worked on at once (each a different page). */
  readonly intakeConcurrency: number;
  /** Longer than a delivery's 10 s timeout: a live holder never loses its lease. */
  readonly leaseMs: number;
  readonly pollMs: number;
  readonly schedule: DeliverySchedule;
  /** First backoff of a content event whose page could not be read. */
  readonly intakeRetryBaseMs: number;
  /** How long delivered rows stay (the list's counts cover this window). */
  readonly deliveredRetentionMs: number;
}

export const defaultWebhookConfig: WebhookConfig = {
  deliveryConcurrency: 16,
  intakeConcurrency: 4,
  leaseMs: 30_000,
  pollMs: 1_000,
  schedule: DEFAULT_DELIVERY_SCHEDULE,
  intakeRetryBaseMs: 2_000,
  deliveredRetentionMs: 30 * 24 * 3_600_000,
};

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max).optional();

const envSchema = z.object({
  PAGEWIRE_WEBHOOK_CONCURRENCY: integer(1, 256),
  PAGEWIRE_WEBHOOK_LEASE_MS: integer(11_000, 3_600_000),
  PAGEWIRE_WEBHOOK_POLL_MS: integer(10, 60_000),
  PAGEWIRE_WEBHOOK_RETRY_BASE_MS: integer(1, 3_600_000),
  PAGEWIRE_WEBHOOK_RETRY_MAX_MS: integer(1, 24 * 3_600_000),
});

export function readWebhookConfig(env: Readonly<Record<string, string | undefined>>): WebhookConfig {
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
  const baseMs = values.PAGEWIRE_WEBHOOK_RETRY_BASE_MS ?? DEFAULT_DELIVERY_SCHEDULE.baseMs;
  return {
    ...defaultWebhookConfig,
    deliveryConcurrency: values.PAGEWIRE_WEBHOOK_CONCURRENCY ?? defaultWebhookConfig.deliveryConcurrency,
    leaseMs: values.PAGEWIRE_WEBHOOK_LEASE_MS ?? defaultWebhookConfig.leaseMs,
    pollMs: values.PAGEWIRE_WEBHOOK_POLL_MS ?? defaultWebhookConfig.pollMs,
    intakeRetryBaseMs: Math.min(baseMs, defaultWebhookConfig.intakeRetryBaseMs),
    schedule: {
      ...DEFAULT_DELIVERY_SCHEDULE,
      baseMs,
      maxDelayMs: values.PAGEWIRE_WEBHOOK_RETRY_MAX_MS ?? DEFAULT_DELIVERY_SCHEDULE.maxDelayMs,
    },
  };
}
