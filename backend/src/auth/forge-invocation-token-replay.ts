import type { Kysely } from 'kysely';
import { type CompiledStatement, compileStatement } from '../store/database';
import type { Tables } from '../store/schema';

/**
 * The replay rule for Forge invocation tokens: a FIT is good for one call.
 * The first use of a `jti` is recorded with the operation it was used for,
 * until the token expires; a second use is refused, with one exception the
 * platform forces on us: Forge retries a trigger delivery it thinks failed
 * (events and scheduled triggers: 5 s timeout, 4 retries), and its docs do not
 * say that a retry carries a fresh token (docs/platform-notes.md#forge-remote-retries).
 * So a repeat of the same trigger operation by a token without UI context is
 * taken as that retry; the handlers of those operations are idempotent.
 * A token used once can never be replayed against another operation.
 * The full argument is in docs/BACKEND.md, "Replayed invocation tokens".
 */
export interface FitReplayStore {
  /**
   * Records this use of `jti`. Resolves to `first`, `retry` (the same trigger
   * operation again, allowed) or `replayed` (anything else).
   */
  use(input: {
    jti: string;
    operation: string;
    /** Whether a repeat of this operation can be a platform retry (trigger deliveries). */
    retryable: boolean;
    /** Until when the token could still verify: `exp` plus the clock tolerance. */
    rememberUntil: Date;
  }): Promise<'first' | 'retry' | 'replayed'>;
}

/** How often expired rows are deleted, at most: a DELETE per request would double the write cost. */
const PRUNE_INTERVAL_MS = 30_000;

/** The most first uses one INSERT records (three bound values each). */
const MAX_USES_PER_INSERT = 64;

interface PendingUse {
  jti: string;
  operation: string;
  expiresAt: string;
  /** Whether this use inserted the row: the first use of its `jti` anywhere. */
  settle(inserted: boolean): void;
  fail(error: unknown): void;
}

/**
 * The store in the backend's database (SQLite or PostgreSQL), so replicas
 * share it. Every accepted call's `jti` is written before the call goes on,
 * as before; what changed is that the calls that reach this point in the same
 * turn of the event loop are written by one multi-row
 * `INSERT … ON CONFLICT DO NOTHING RETURNING jti`, one commit for all of them.
 * On SQLite each commit appends the pages it changed to the WAL, and that
 * write (and the checkpoints it leads to) was the largest single cost of a
 * macro view: ~65 µs of CPU and ~380 µs with the event loop blocked per
 * lone insert, against ~40 µs and ~150–200 µs per use in commits of eight
 * (docs/BENCHMARKS.md, "The replay rule's price"). Nothing is written after
 * the answer and nothing is kept in memory instead: a use is refused or
 * allowed exactly as by one INSERT per call, on every replica.
 */
export function createFitReplayStore(db: Kysely<Tables>, now: () => Date): FitReplayStore {
  const inserts = new Map<number, CompiledStatement<{ jti: string }>>();
  const insertOf = (count: number) => {
    let statement = inserts.get(count);
    if (statement === undefined) {
      statement = compileStatement(db, count * 3, (...values) =>
        db
          .insertInto('fit_token_uses')
          .values(
            Array.from({ length: count }, (_, index) => ({
              jti: values[index * 3]!,
              operation: values[index * 3 + 1]!,
              expires_at: values[index * 3 + 2]!,
            })),
          )
          .onConflict((conflict) => conflict.column('jti').doNothing())
          .returning('jti'),
      );
      inserts.set(count, statement);
    }
    return statement;
  };
  const earlier: CompiledStatement<{ operation: string }> = compileStatement(db, 1, (jti) =>
    db.selectFrom('fit_token_uses').select('operation').where('jti', '=', jti!),
  );
  const prune: CompiledStatement<unknown> = compileStatement(db, 1, (before) =>
    db.deleteFrom('fit_token_uses').where('expires_at', '<', before!),
  );
  let lastPruneAt = Number.NEGATIVE_INFINITY;
  const pending: PendingUse[] = [];

  async function writePending(): Promise<void> {
    const batch = pending.splice(0, MAX_USES_PER_INSERT);
    if (pending.length > 0) setImmediate(writePending);
    // A jti twice in one batch (a replay racing its original): the first is the use,
    // every later one finds the row the first wrote, as it would one INSERT later.
    const firsts = new Map<string, PendingUse>();
    for (const use of batch) if (!firsts.has(use.jti)) firsts.set(use.jti, use);
    const values = [...firsts.values()].flatMap((use) => [use.jti, use.operation, use.expiresAt]);
    let inserted: Set<string>;
    try {
      const at = now();
      if (at.getTime() - lastPruneAt >= PRUNE_INTERVAL_MS) {
        lastPruneAt = at.getTime();
        await prune.execute(at.toISOString());
      }
      const rows = await insertOf(firsts.size).execute(...values);
      inserted = new Set(rows.map((row) => row.jti));
    } catch (error) {
      for (const use of batch) use.fail(error);
      return;
    }
    for (const use of batch) use.settle(firsts.get(use.jti) === use && inserted.has(use.jti));
  }

  /** Resolves once this use's row is committed (or found already there). */
  function record(jti: string, operation: string, expiresAt: string): Promise<boolean> {
    return new Promise((settle, fail) => {
      pending.push({ jti, operation, expiresAt, settle, fail });
      if (pending.length === 1) setImmediate(writePending);
    });
  }

  return {
    async use({ jti, operation, retryable, rememberUntil }) {
      if (await record(jti, operation, rememberUntil.toISOString())) return 'first';
      if (!retryable) return 'replayed';
      const [row] = await earlier.execute(jti);
      return row?.operation === operation ? 'retry' : 'replayed';
    },
  };
}
