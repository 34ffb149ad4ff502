/**
 * Nearest-rank percentile (the smallest sample with at least p% of samples at
 * or below it): no interpolation, so a reported p99 is a latency some request
 * really had.
 */
export function percentile(samples: ArrayLike<number>, p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function median(samples: ArrayLike<number>): number {
  return percentile(samples, 50);
}

/** Rounds for a report: enough digits to compare, not so many they pretend to precision. */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
