import { describe, expect, it } from 'vitest';
import { percentile } from './percentiles';

describe('percentiles', () => {
  it('report a latency some request really had (nearest rank, no interpolation)', () => {
    const samples = [5, 1, 4, 2, 3];
    expect(percentile(samples, 50)).toBe(3);
    expect(percentile(samples, 99)).toBe(5);
    expect(percentile(samples, 100)).toBe(5);
    expect(percentile(samples, 1)).toBe(1);
  });

  it('put p99 of a hundred samples on the 99th, not between the 99th and the 100th', () => {
    const samples = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(samples, 99)).toBe(99);
  });

  it('are not a number when nothing was measured', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});
