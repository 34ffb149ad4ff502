import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SharedPacerStoreTarget, sharedPacerStoreTargets } from '../testing/pacer-store-targets';

const T0 = Date.parse('2026-11-28T10:00:00Z');

describe.each(sharedPacerStoreTargets())('the pacer store on $name', (target) => {
  let opened: Awaited<ReturnType<SharedPacerStoreTarget['open']>>;
  beforeAll(async () => {
    opened = await target.open();
  });
  afterAll(async () => {
    await opened.dispose();
  });

  it('hands out slots one interval apart, starting now for an idle key', async () => {
    const [store] = opened.stores;
    const starts = [];
    for (let i = 0; i < 4; i++)
      starts.push(await store.reserveSlot('k-sequential', { now: T0, intervalMs: 20, toleranceMs: 0 }));
    expect(starts).toEqual([T0, T0 + 20, T0 + 40, T0 + 60]);
    // After a quiet spell the key starts again at once, without a burst credit.
    expect(
      await store.reserveSlot('k-sequential', { now: T0 + 10_000, intervalMs: 20, toleranceMs: 0 }),
    ).toBe(T0 + 10_000);
    expect(
      await store.reserveSlot('k-sequential', { now: T0 + 10_000, intervalMs: 20, toleranceMs: 0 }),
    ).toBe(T0 + 10_020);
  });

  it('never gives two replicas reserving at once the same slot', async () => {
    const [a, b] = opened.stores;
    const reservations = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 === 0 ? a : b).reserveSlot('k-shared', { now: T0, intervalMs: 25, toleranceMs: 0 }),
      ),
    );
    const sorted = [...reservations].sort((x, y) => x - y);
    expect(new Set(sorted).size).toBe(60);
    expect(sorted[0]).toBe(T0);
    expect(sorted.at(-1)).toBe(T0 + 59 * 25);
  });

  it('keeps the later of two pauses and reports the latest pause among pools', async () => {
    const [a, b] = opened.stores;
    await a.pause('pool-x', T0 + 5_000, 'confluence-burst-based');
    await b.pause('pool-x', T0 + 2_000, 'shorter');
    await b.pause('pool-y', T0 + 60_000, 'confluence-quota-global-based');
    expect(await a.activePause(['pool-x'], T0)).toEqual({
      pool: 'pool-x',
      until: T0 + 5_000,
      reason: 'confluence-burst-based',
    });
    expect(await b.activePause(['pool-x', 'pool-y'], T0)).toEqual({
      pool: 'pool-y',
      until: T0 + 60_000,
      reason: 'confluence-quota-global-based',
    });
    expect(await a.activePause(['pool-x'], T0 + 5_000)).toBeNull();
    expect(await a.activePause([], T0)).toBeNull();
  });
});
