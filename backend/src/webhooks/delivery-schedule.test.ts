import { describe, expect, it } from 'vitest';
import { afterFailure, DEFAULT_DELIVERY_SCHEDULE, retryDelayMs, shouldPause } from './delivery-schedule';

const HOUR = 3_600_000;

describe('the delivery schedule', () => {
  it('doubles the wait per failed attempt from 5 s up to an hour, within equal jitter', () => {
    const steps = [1, 2, 3, 4, 5, 10, 11, 12, 30].map((attempts) => [
      retryDelayMs(DEFAULT_DELIVERY_SCHEDULE, attempts, () => 0),
      retryDelayMs(DEFAULT_DELIVERY_SCHEDULE, attempts, () => 0.999999),
    ]);
    expect(steps.map(([low]) => low)).toEqual([
      2_500, 5_000, 10_000, 20_000, 40_000, 1_280_000, 1_800_000, 1_800_000, 1_800_000,
    ]);
    expect(steps.map(([, high]) => Math.round(high! / 1000))).toEqual([
      5, 10, 20, 40, 80, 2560, 3600, 3600, 3600,
    ]);
  });

  it('spreads retries of the same attempt across the upper half of the step', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(DEFAULT_DELIVERY_SCHEDULE, 6)));
    expect(delays.size).toBeGreaterThan(40);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(80_000);
      expect(delay).toBeLessThanOrEqual(160_000);
    }
  });

  it('retries for 24 hours after the delivery was created, the last attempt at the deadline, then dead-letters', () => {
    const createdAt = new Date('2026-12-01T00:00:00Z');
    let now = createdAt;
    let attempts = 0;
    const schedule = [];
    for (;;) {
      attempts += 1;
      const next = afterFailure(
        DEFAULT_DELIVERY_SCHEDULE,
        { createdAt, failedAttempts: attempts, now },
        () => 0.5,
      );
      if (next.kind === 'dead') break;
      schedule.push(next.availableAt.getTime() - createdAt.getTime());
      now = next.availableAt;
    }
    expect(schedule.at(-1)).toBe(24 * HOUR);
    // 3.75 s, 7.5 s, 15 s, … then 45 min apart (an hour's step, jitter at its middle): 42 attempts in the day.
    expect(schedule.slice(0, 3)).toEqual([3_750, 11_250, 26_250]);
    expect(attempts).toBe(42);
    expect(schedule).toEqual([...schedule].sort((a, b) => a - b));
  });

  it('pauses a subscription only after 3 days of failures without a success', () => {
    const since = new Date('2026-12-01T00:00:00Z');
    expect(shouldPause(DEFAULT_DELIVERY_SCHEDULE, null, new Date('2026-12-09T00:00:00Z'))).toBe(false);
    expect(shouldPause(DEFAULT_DELIVERY_SCHEDULE, since, new Date('2026-12-03T23:59:59Z'))).toBe(false);
    expect(shouldPause(DEFAULT_DELIVERY_SCHEDULE, since, new Date('2026-12-04T00:00:00Z'))).toBe(true);
  });
});
