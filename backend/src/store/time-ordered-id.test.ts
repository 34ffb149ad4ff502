import { describe, expect, it } from 'vitest';
import { createTimeOrderedIdGenerator, UUID_PATTERN } from './time-ordered-id';

describe('time-ordered ids', () => {
  it('sort in creation order even when many share one millisecond', () => {
    const next = createTimeOrderedIdGenerator(() => 1_700_000_000_000);
    const ids = Array.from({ length: 5000 }, () => next());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sort by time when the clock moves on', () => {
    let clock = 1_700_000_000_000;
    const next = createTimeOrderedIdGenerator(() => clock);
    const first = next();
    clock += 1;
    const second = next();
    expect(second > first).toBe(true);
  });

  it('are version 7 UUIDs', () => {
    const id = createTimeOrderedIdGenerator()();
    expect(id).toMatch(UUID_PATTERN);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
  });
});
