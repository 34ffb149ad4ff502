/**
 * When a failed delivery is tried again, when it is given up, and when a
 * subscription that keeps failing is paused (docs/WEBHOOKS.md, "Retries").
 *
 * Retries back off exponentially from `baseMs`, doubling per failed attempt up
 * to `maxDelayMs`, with "equal jitter" (half the delay fixed, half random), so
 * a receiver that comes back after an outage is not hit by every delivery at
 * the same instant and no retry comes sooner than half its step. A delivery
 * still failing `giveUpAfterMs` (24 h) after it was created is dead-lettered.
 */
export interface DeliverySchedule {
  readonly baseMs: number;
  readonly maxDelayMs: number;
  readonly giveUpAfterMs: number;
  /** A subscription whose deliveries have failed this long without one success is paused (3 days). */
  readonly pauseAfterMs: number;
}

export const DEFAULT_DELIVERY_SCHEDULE: DeliverySchedule = {
  baseMs: 5_000,
  maxDelayMs: 60 * 60 * 1000,
  giveUpAfterMs: 24 * 60 * 60 * 1000,
  pauseAfterMs: 3 * 24 * 60 * 60 * 1000,
};

/** The wait before the next attempt after `failedAttempts` failures in a row (1 for the first). */
export function retryDelayMs(
  schedule: DeliverySchedule,
  failedAttempts: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failedAttempts - 1, 0), 40);
  const step = Math.min(schedule.maxDelayMs, schedule.baseMs * 2 ** exponent);
  return Math.round(step / 2 + random() * (step / 2));
}

export type AfterFailure = { kind: 'retry'; availableAt: Date } | { kind: 'dead' };

/** What happens to a delivery created at `createdAt` whose attempt failed at `now`. */
export function afterFailure(
  schedule: DeliverySchedule,
  input: { createdAt: Date; failedAttempts: number; now: Date },
  random: () => number = Math.random,
): AfterFailure {
  const deadline = input.createdAt.getTime() + schedule.giveUpAfterMs;
  if (input.now.getTime() >= deadline) return { kind: 'dead' };
  const next = input.now.getTime() + retryDelayMs(schedule, input.failedAttempts, random);
  // The last attempt lands on the deadline rather than never happening.
  return { kind: 'retry', availableAt: new Date(Math.min(next, deadline)) };
}

/** Whether a subscription failing since `failingSince` is to be paused at `now`. */
export function shouldPause(schedule: DeliverySchedule, failingSince: Date | null, now: Date): boolean {
  return failingSince !== null && now.getTime() - failingSince.getTime() >= schedule.pauseAfterMs;
}
