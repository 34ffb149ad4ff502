import { type Kysely, sql, type Transaction } from 'kysely';
import type { PublishJobsTable, Tables } from '../../store/schema';
import { toStoredJob } from './queue-rows';
import type { EnqueueInput, QueueRepository, StoredJob } from './queue-types';

/** Accepting jobs: each joins (or creates) its target's work item and gets the next position in it. */
export function createEnqueueOperations(
  db: Kysely<Tables>,
  nextId: () => string,
): Pick<QueueRepository, 'enqueue' | 'enqueueMany' | 'findJob'> {
  const enqueueWithin = (trx: Transaction<Tables>, input: EnqueueInput) => enqueueJob(trx, nextId, input);

  return {
    enqueue: (input) => db.transaction().execute((trx) => enqueueWithin(trx, input)),

    async enqueueMany(inputs) {
      if (inputs.length === 0) return [];
      // A block shown on 25 pages queued 25 transactions per change, and their
      // commits were the largest cost of the whole coalescing benchmark
      // (bench/coalescing.ts: 46 s of SQLite time in 259,000 commits for
      // 10,000 block updates, docs/BENCHMARKS.md). Targets are taken in one
      // order, so two batches never lock work rows crosswise on PostgreSQL.
      const order = inputs
        .map((input, index) => ({ input, index }))
        .sort((a, b) =>
          a.input.targetKey < b.input.targetKey ? -1 : a.input.targetKey > b.input.targetKey ? 1 : 0,
        );
      return db.transaction().execute(async (trx) => {
        const jobs: StoredJob[] = new Array(inputs.length);
        for (const { input, index } of order) jobs[index] = await enqueueWithin(trx, input);
        return jobs;
      });
    },

    async findJob(installationId, jobId) {
      const row = await db
        .selectFrom('publish_jobs')
        .selectAll()
        .where('id', '=', jobId)
        .where('installation_id', '=', installationId)
        .executeTakeFirst();
      return row === undefined ? null : toStoredJob(row);
    },
  };
}

// The statements of one enqueue; the caller holds the transaction (one per job, or one for a batch).
async function enqueueJob(
  trx: Transaction<Tables>,
  nextId: () => string,
  input: EnqueueInput,
): Promise<StoredJob> {
  const at = input.now.toISOString();
  const jobId = nextId();
  // One statement both creates the item and bumps its sequence, so two
  // requests racing for one page each get their own seq (PostgreSQL
  // serialises the conflicting upsert on the row lock).
  const work = await trx
    .insertInto('publish_work')
    .values({
      id: nextId(),
      installation_id: input.installationId,
      space_key: input.spaceKey,
      target_key: input.targetKey,
      kind: input.kind,
      latest_seq: 1,
      latest_job_id: jobId,
      state: 'ready',
      available_at: at,
      lease_owner: null,
      lease_expires_at: null,
      leased_seq: null,
      leased_job_id: null,
      attempts: 0,
      last_error: null,
      intent_json: null,
      created_at: at,
      updated_at: at,
    })
    .onConflict((conflict) =>
      conflict.columns(['installation_id', 'target_key']).doUpdateSet({
        latest_seq: sql<number>`publish_work.latest_seq + 1`,
        latest_job_id: jobId,
        // A waiting or leased item keeps its place (and its backoff); an
        // idle one wakes up; a dead one gets a fresh start with new content.
        state: sql<string>`case when publish_work.state in ('idle', 'dead') then 'ready' else publish_work.state end`,
        available_at: sql<string>`case when publish_work.state in ('idle', 'dead') then ${at} else publish_work.available_at end`,
        attempts: sql<number>`case when publish_work.state = 'dead' then 0 else publish_work.attempts end`,
        updated_at: at,
      }),
    )
    .returning(['latest_seq'])
    .executeTakeFirstOrThrow();
  const row = queuedJobRow(input, jobId, Number(work.latest_seq), at);
  await trx.insertInto('publish_jobs').values(row).execute();
  return toStoredJob(row);
}

/** The row of a job just accepted: queued, at position `seq` of its target. */
function queuedJobRow(input: EnqueueInput, jobId: string, seq: number, at: string): PublishJobsTable {
  return {
    id: jobId,
    installation_id: input.installationId,
    space_key: input.spaceKey,
    source: input.source,
    kind: input.kind,
    target_key: input.targetKey,
    seq,
    external_id: input.externalId,
    dry_run: input.dryRun ? 1 : 0,
    request_json: JSON.stringify(input.request),
    state: 'queued',
    attempts: 0,
    claimed_by: null,
    page_id: null,
    version: null,
    error_code: null,
    error_detail: null,
    plan_json: null,
    human_edit_json: null,
    warnings_json: null,
    superseded_by: null,
    created_at: at,
    updated_at: at,
    finished_at: null,
    written: null,
  };
}
