import { type Kysely, sql } from 'kysely';
import type { PacerStore, PoolPause, SlotRequest } from '../confluence/pacer-store';
import type { Tables } from './schema';

/**
 * The pacer's shared state on PostgreSQL, so several backend replicas draw on
 * one rate-limit budget instead of each assuming it has all of it (two
 * replicas that pace alone would send twice the limit's rate).
 *
 * Every reservation is one upsert, atomic per key under PostgreSQL's row
 * lock, so replicas never hand out the same slot. Times are the replicas' own
 * epoch milliseconds (the pacer's clock); replicas are expected to run NTP,
 * and a few ms of skew only shifts a slot by as much.
 *
 * Cost: two round trips per Confluence call (the pause check and the
 * reservation); docs/CONFLUENCE-CLIENT.md has the numbers measured against
 * the devkit.
 *
 * The tables come with migration 0300 (migrations/0300-confluence-pacer.ts);
 * the pacer (confluence/pacer.ts) sees only its own `PacerStore` interface.
 */
export function createPostgresPacerStore(db: Kysely<Tables>): PacerStore {
  return {
    async reserveSlot(key: string, request: SlotRequest): Promise<number> {
      const now = Math.floor(request.now);
      const interval = Math.max(0, Math.ceil(request.intervalMs));
      const result = await sql<{ tat_ms: string | number }>`
        insert into confluence_pacer_slots (pacing_key, tat_ms)
        values (${key}, ${now + interval})
        on conflict (pacing_key) do update
          set tat_ms = greatest(confluence_pacer_slots.tat_ms, ${now}::bigint) + ${interval}::bigint
        returning tat_ms`.execute(db);
      const tat = Number(result.rows[0]?.tat_ms ?? now + interval);
      // The row now holds max(previous TAT, now) + interval; the slot starts one interval earlier.
      return Math.max(now, tat - interval - request.toleranceMs);
    },

    async pause(pool: string, until: number, reason: string | null): Promise<void> {
      await sql`
        insert into confluence_pacer_pauses (pool, until_ms, reason)
        values (${pool}, ${Math.ceil(until)}, ${reason})
        on conflict (pool) do update
          set reason = case when excluded.until_ms > confluence_pacer_pauses.until_ms
                            then excluded.reason else confluence_pacer_pauses.reason end,
              until_ms = greatest(confluence_pacer_pauses.until_ms, excluded.until_ms)`.execute(db);
    },

    async activePause(pools: readonly string[], now: number): Promise<PoolPause | null> {
      if (pools.length === 0) return null;
      const result = await sql<{ pool: string; until_ms: string | number; reason: string | null }>`
        select pool, until_ms, reason from confluence_pacer_pauses
        where pool in (${sql.join([...pools])}) and until_ms > ${Math.floor(now)}
        order by until_ms desc
        limit 1`.execute(db);
      const row = result.rows[0];
      return row ? { pool: row.pool, until: Number(row.until_ms), reason: row.reason } : null;
    },
  };
}
