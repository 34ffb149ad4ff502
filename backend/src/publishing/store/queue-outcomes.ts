import { type Kysely, sql } from 'kysely';
import type { Tables } from '../../store/schema';
import { EPHEMERAL_TARGET_PREFIX, NO_LEASE, updateActiveJobs } from './queue-rows';
import type { JobError, Lease, Outcome, QueueRepository } from './queue-types';

/** How a leased job ends: done (carrying the older jobs it superseded), back for a later attempt, or given up. */
export function createOutcomeOperations(
  db: Kysely<Tables>,
): Pick<QueueRepository, 'complete' | 'retryLater' | 'deadLetter'> {
  return {
    complete: (lease, outcome, now) => completeLease(db, lease, outcome, now),
    retryLater: (lease, error, availableAt, now) => retryLeaseLater(db, lease, error, availableAt, now),
    deadLetter: (lease, error, now) => deadLetterLease(db, lease, error, now),
  };
}

/** Finishes the leased job and every older one still waiting for the same target. */
async function completeLease(
  db: Kysely<Tables>,
  lease: Lease,
  outcome: Outcome,
  now: Date,
): Promise<{ superseded: number }> {
  const at = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const values = {
      state: outcome.state,
      page_id: outcome.pageId ?? null,
      version: outcome.version ?? null,
      error_code: outcome.error?.code ?? null,
      error_detail: outcome.error?.detail ?? null,
      plan_json: outcome.plan === undefined ? null : JSON.stringify(outcome.plan),
      human_edit_json: outcome.humanEdit === undefined ? null : JSON.stringify(outcome.humanEdit),
      warnings_json:
        outcome.warnings === undefined || outcome.warnings.length === 0
          ? null
          : JSON.stringify(outcome.warnings),
      written: outcome.written ?? null,
      updated_at: at,
      finished_at: at,
    };
    await trx
      .updateTable('publish_jobs')
      .set({ ...values, superseded_by: null })
      .where('id', '=', lease.job.id)
      .execute();
    // Older requests for the same page that were still waiting end with the
    // outcome of the write that carried their newer replacement.
    const superseded = await updateActiveJobs(trx, lease, '<', lease.seq, {
      ...values,
      superseded_by: lease.job.id,
    }).executeTakeFirst();
    await trx
      .updateTable('publish_work')
      .set({
        // Evaluated on the row as it is now: a job accepted while this one
        // ran has bumped latest_seq, and the item goes straight back to ready.
        state: sql<string>`case when latest_seq > ${lease.seq} then 'ready' else 'idle' end`,
        available_at: at,
        ...NO_LEASE,
        attempts: 0,
        last_error: null,
        intent_json: null,
        updated_at: at,
      })
      .where('id', '=', lease.workId)
      .where('lease_owner', '=', lease.owner)
      .execute();
    if (lease.targetKey.startsWith(EPHEMERAL_TARGET_PREFIX)) {
      // A dry run's item serves one job only: keeping it would grow the table forever.
      await trx
        .deleteFrom('publish_work')
        .where('id', '=', lease.workId)
        .where('state', '=', 'idle')
        .execute();
    }
    return { superseded: Number(superseded.numUpdatedRows) };
  });
}

/** Puts the item back for a later attempt; its jobs stay queued and show the error. */
async function retryLeaseLater(
  db: Kysely<Tables>,
  lease: Lease,
  error: JobError,
  availableAt: Date,
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    await updateActiveJobs(trx, lease, '<=', lease.seq, {
      state: 'queued',
      error_code: error.code,
      error_detail: error.detail,
      updated_at: at,
    }).execute();
    await trx
      .updateTable('publish_work')
      .set({
        state: 'ready',
        available_at: availableAt.toISOString(),
        ...NO_LEASE,
        attempts: sql<number>`attempts + 1`,
        last_error: `${error.code}: ${error.detail}`,
        updated_at: at,
      })
      .where('id', '=', lease.workId)
      .where('lease_owner', '=', lease.owner)
      .execute();
  });
}

/** Gives up on the item: its jobs fail, and the item stays as a dead letter. */
async function deadLetterLease(db: Kysely<Tables>, lease: Lease, error: JobError, now: Date): Promise<void> {
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    await updateActiveJobs(trx, lease, '<=', lease.seq, {
      state: 'failed',
      error_code: error.code,
      error_detail: error.detail,
      updated_at: at,
      finished_at: at,
    }).execute();
    await trx
      .updateTable('publish_work')
      .set({
        // Newer content accepted while this failed gets its own chance.
        state: sql<string>`case when latest_seq > ${lease.seq} then 'ready' else 'dead' end`,
        available_at: at,
        ...NO_LEASE,
        last_error: `${error.code}: ${error.detail}`,
        updated_at: at,
      })
      .where('id', '=', lease.workId)
      .where('lease_owner', '=', lease.owner)
      .execute();
  });
}
