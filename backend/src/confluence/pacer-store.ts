/**
 * Where the pacer keeps the state that must be shared by everyone drawing on
 * one rate-limit budget: the next free start slot per credential and the
 * pauses a quota 429 imposes on a pool. One process uses the in-memory store;
 * replicas on PostgreSQL share `createPostgresPacerStore` (store/pacer-store-postgres.ts,
 * which implements this interface: the pacer never sees a database).
 *
 * Slots follow the generic cell rate algorithm (GCRA, "virtual scheduling"):
 * a theoretical arrival time (TAT) per key advances by one interval per
 * request, and a request may start once `now >= TAT - tolerance`. Reserving
 * is a single read-modify-write, which is what makes it easy to share.
 */
export interface PacerStore {
  /**
   * Reserves the next start slot for `key` and returns when the caller may
   * start (epoch ms, possibly `now`). Atomic per key.
   */
  reserveSlot(key: string, request: SlotRequest): Promise<number>;
  /** Holds every call on `pool` until `until`; an earlier pause never shortens a later one. */
  pause(pool: string, until: number, reason: string | null): Promise<void>;
  /** The latest pause still in force on any of `pools`, or null. */
  activePause(pools: readonly string[], now: number): Promise<PoolPause | null>;
}

export interface SlotRequest {
  readonly now: number;
  /** Spacing between starts for this key, in ms. */
  readonly intervalMs: number;
  /** How far ahead of its slot a request may start (absorbs timer lateness), in ms. */
  readonly toleranceMs: number;
}

export interface PoolPause {
  readonly pool: string;
  readonly until: number;
  readonly reason: string | null;
}

/** The GCRA step both stores implement: returns the new TAT and the start time. */
export function advanceSlot(
  previousTat: number | null,
  request: SlotRequest,
): { tat: number; startAt: number } {
  const tat = previousTat ?? request.now;
  const startAt = Math.max(request.now, tat - request.toleranceMs);
  return { tat: Math.max(tat, request.now) + request.intervalMs, startAt };
}

export function createMemoryPacerStore(): PacerStore {
  const slots = new Map<string, number>();
  const pauses = new Map<string, { until: number; reason: string | null }>();
  return {
    async reserveSlot(key, request) {
      const { tat, startAt } = advanceSlot(slots.get(key) ?? null, request);
      slots.set(key, tat);
      return startAt;
    },
    async pause(pool, until, reason) {
      const existing = pauses.get(pool);
      if (!existing || existing.until < until) pauses.set(pool, { until, reason });
    },
    async activePause(pools, now) {
      let latest: PoolPause | null = null;
      for (const pool of pools) {
        const pause = pauses.get(pool);
        if (!pause) continue;
        if (pause.until <= now) {
          pauses.delete(pool);
          continue;
        }
        if (!latest || pause.until > latest.until) latest = { pool, ...pause };
      }
      return latest;
    },
  };
}
