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

/**
 * The store in the backend's database (SQLite or PostgreSQL), so replicas
 * share it. One statement per accepted call: an INSERT that does nothing on a
 * known `jti` and says whether it inserted, compiled once (the hot path).
 */
export function createFitReplayStore(db: Kysely<Tables>, now: () => Date): FitReplayStore {
  const insert: CompiledStatement<{ jti: string }> = compileStatement(db, 3, (jti, operation, expiresAt) =>
    db
      .insertInto('fit_token_uses')
      .values({ jti: jti!, operation: operation!, expires_at: expiresAt! })
      .onConflict((conflict) => conflict.column('jti').doNothing())
      .returning('jti'),
  );
  const earlier: CompiledStatement<{ operation: string }> = compileStatement(db, 1, (jti) =>
    db.selectFrom('fit_token_uses').select('operation').where('jti', '=', jti!),
  );
  const prune: CompiledStatement<unknown> = compileStatement(db, 1, (before) =>
    db.deleteFrom('fit_token_uses').where('expires_at', '<', before!),
  );
  let lastPruneAt = Number.NEGATIVE_INFINITY;

  return {
    async use({ jti, operation, retryable, rememberUntil }) {
      const at = now();
      if (at.getTime() - lastPruneAt >= PRUNE_INTERVAL_MS) {
        lastPruneAt = at.getTime();
        await prune.execute(at.toISOString());
      }
      const inserted = await insert.execute(jti, operation, rememberUntil.toISOString());
      if (inserted.length > 0) return 'first';
      if (!retryable) return 'replayed';
      const [row] = await earlier.execute(jti);
      return row?.operation === operation ? 'retry' : 'replayed';
    },
  };
}
