import type { JobState, JobView, JobWarning, PublishPlan } from '@pagewire/shared';
import { type Kysely, sql, type Transaction, type Updateable } from 'kysely';
import type { PublishJobsTable, PublishWorkTable, Tables } from '../../store/schema';
import { createTimeOrderedIdGenerator } from '../../store/time-ordered-id';

export type JobKind = 'page' | 'snapshot';
export type TerminalOutcomeState = Exclude<JobState, 'queued' | 'running'>;

export interface JobError {
  code: string;
  detail: string;
}

export interface HumanEdit {
  by: string;
  at: string;
  version: number;
}

export interface StoredJob {
  id: string;
  installationId: string;
  spaceKey: string;
  source: string;
  kind: JobKind;
  targetKey: string;
  seq: number;
  externalId: string | null;
  dryRun: boolean;
  request: unknown;
  state: JobState;
  attempts: number;
  claimedBy: string | null;
  pageId: string | null;
  version: number | null;
  error: JobError | null;
  plan: PublishPlan | null;
  humanEdit: HumanEdit | null;
  warnings: JobWarning[];
  supersededBy: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface EnqueueInput {
  installationId: string;
  spaceKey: string;
  source: string;
  kind: JobKind;
  /** Jobs with the same target are serialised and coalesced. */
  targetKey: string;
  externalId: string | null;
  dryRun: boolean;
  request: unknown;
  now: Date;
}

/** A work item a worker holds: the newest job of its target at the time it was taken. */
export interface Lease {
  workId: string;
  owner: string;
  installationId: string;
  spaceKey: string;
  targetKey: string;
  kind: JobKind;
  seq: number;
  job: StoredJob;
  /** Failed attempts in a row before this one. */
  attempts: number;
  lastError: string | null;
  /** The intent a previous holder recorded and did not clear: it may have written. */
  intent: unknown;
}

export interface Outcome {
  state: TerminalOutcomeState;
  pageId?: string | undefined;
  version?: number | undefined;
  error?: JobError | undefined;
  plan?: PublishPlan | undefined;
  humanEdit?: HumanEdit | undefined;
  warnings?: JobWarning[] | undefined;
}

export interface DeadLetter {
  workId: string;
  installationId: string;
  spaceKey: string;
  targetKey: string;
  latestJobId: string;
  reason: string;
  updatedAt: string;
}

export interface QueueRepository {
  enqueue(input: EnqueueInput): Promise<StoredJob>;
  /** Several jobs in one transaction (one commit): a block change's refreshes of every macro showing it. */
  enqueueMany(inputs: readonly EnqueueInput[]): Promise<StoredJob[]>;
  findJob(installationId: string, jobId: string): Promise<StoredJob | null>;
  /** Takes the next work item that is due (or whose holder's lease ran out), or null. */
  claim(owner: string, now: Date, leaseMs: number): Promise<Lease | null>;
  /** Extends a lease; false when it was lost (another worker took the item). */
  heartbeat(lease: Lease, now: Date, leaseMs: number): Promise<boolean>;
  /** Records (or clears, with null) what the holder is about to do; false when the lease was lost. */
  recordIntent(lease: Lease, intent: unknown): Promise<boolean>;
  /** Finishes the leased job and every older one still waiting; resolves to how many older ones it carried. */
  complete(lease: Lease, outcome: Outcome, now: Date): Promise<{ superseded: number }>;
  /** Puts the item back for a later attempt; the jobs stay `queued` and show the error meanwhile. */
  retryLater(lease: Lease, error: JobError, availableAt: Date, now: Date): Promise<void>;
  /** Gives up on the item: its jobs fail with the reason, and the item stays as a dead letter. */
  deadLetter(lease: Lease, error: JobError, now: Date): Promise<void>;
  /** Makes leases held by owners that are gone claimable at once (SQLite: processes on this host that exited). */
  releaseLeases(owners: readonly string[], now: Date): Promise<number>;
  leaseOwners(): Promise<string[]>;
  listDeadLetters(installationId: string, spaceKey: string): Promise<DeadLetter[]>;
  /** Deletes jobs that finished before `before`; resolves to how many. */
  pruneFinishedJobs(before: Date): Promise<number>;
  countJobsByState(): Promise<Partial<Record<JobState, number>>>;
  countWorkByState(): Promise<Record<string, number>>;
  /** When the longest-waiting due item became due, or null when nothing waits. */
  oldestDueAt(now: Date): Promise<string | null>;
}

const ACTIVE_JOB_STATES: JobState[] = ['queued', 'running'];

/** A work row's lease let go: its holder finished, will retry later, or gave up. */
const NO_LEASE = {
  lease_owner: null,
  lease_expires_at: null,
  leased_seq: null,
  leased_job_id: null,
} as const;

/** Work items under this prefix exist for one job (dry runs) and are deleted when it finishes. */
export const EPHEMERAL_TARGET_PREFIX = 'dry-run:';

export function createQueueRepository(
  db: Kysely<Tables>,
  dialect: 'sqlite' | 'postgres',
  nextId: () => string = createTimeOrderedIdGenerator(),
): QueueRepository {
  // The statements of one enqueue; the caller holds the transaction (one per job, or one for a batch).
  async function enqueueWithin(trx: Transaction<Tables>, input: EnqueueInput): Promise<StoredJob> {
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
    const row: PublishJobsTable = {
      id: jobId,
      installation_id: input.installationId,
      space_key: input.spaceKey,
      source: input.source,
      kind: input.kind,
      target_key: input.targetKey,
      seq: Number(work.latest_seq),
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
    };
    await trx.insertInto('publish_jobs').values(row).execute();
    return toStoredJob(row);
  }

  /** Updates the jobs of a target that still wait or run, up to (`<=`) or before (`<`) `seq`. */
  function updateActiveJobs(
    trx: Kysely<Tables>,
    target: { installationId: string; targetKey: string },
    seqOp: '<' | '<=',
    seq: number,
    values: Updateable<PublishJobsTable>,
  ) {
    return trx
      .updateTable('publish_jobs')
      .set(values)
      .where('installation_id', '=', target.installationId)
      .where('target_key', '=', target.targetKey)
      .where('seq', seqOp, seq)
      .where('state', 'in', ACTIVE_JOB_STATES);
  }

  /** Updates the work row while `lease` still holds it; false when the lease was lost. */
  async function updateHeldWork(lease: Lease, values: Updateable<PublishWorkTable>): Promise<boolean> {
    const result = await db
      .updateTable('publish_work')
      .set(values)
      .where('id', '=', lease.workId)
      .where('lease_owner', '=', lease.owner)
      .where('state', '=', 'leased')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async function countByState(table: 'publish_jobs' | 'publish_work'): Promise<Record<string, number>> {
    const rows = await db
      .selectFrom(table)
      .select(['state', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('state')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
  }

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

    async claim(owner, now, leaseMs) {
      const at = now.toISOString();
      const expires = new Date(now.getTime() + leaseMs).toISOString();
      return db.transaction().execute(async (trx) => {
        let candidate = trx
          .selectFrom('publish_work')
          .select('id')
          .where((eb) =>
            eb.or([
              eb.and([eb('state', '=', 'ready'), eb('available_at', '<=', at)]),
              eb.and([eb('state', '=', 'leased'), eb('lease_expires_at', '<', at)]),
            ]),
          )
          .orderBy('available_at')
          .orderBy('id')
          .limit(1);
        // Several replicas on PostgreSQL: each takes a different row without
        // waiting on the others' locks. SQLite has one writer at a time, so the
        // single UPDATE below is already atomic there.
        if (dialect === 'postgres') candidate = candidate.forUpdate().skipLocked();
        const work = await trx
          .updateTable('publish_work')
          .set({
            // A lease that ran out means its holder died mid-job: that counts as an attempt.
            attempts: sql<number>`case when state = 'leased' then attempts + 1 else attempts end`,
            last_error: sql<
              string | null
            >`case when state = 'leased' then 'the worker processing this stopped before finishing' else last_error end`,
            state: 'leased',
            lease_owner: owner,
            lease_expires_at: expires,
            leased_seq: sql<number>`latest_seq`,
            leased_job_id: sql<string>`latest_job_id`,
            updated_at: at,
          })
          .where('id', '=', candidate)
          .returningAll()
          .executeTakeFirst();
        if (work === undefined) return null;
        const seq = Number(work.leased_seq);
        await updateActiveJobs(
          trx,
          { installationId: work.installation_id, targetKey: work.target_key },
          '<=',
          seq,
          { state: 'running', updated_at: at },
        ).execute();
        const job = await trx
          .updateTable('publish_jobs')
          .set({ attempts: sql<number>`attempts + 1`, claimed_by: owner })
          .where('id', '=', work.leased_job_id!)
          .returningAll()
          .executeTakeFirstOrThrow();
        return toLease(work, owner, toStoredJob(job));
      });
    },

    heartbeat: (lease, now, leaseMs) =>
      updateHeldWork(lease, { lease_expires_at: new Date(now.getTime() + leaseMs).toISOString() }),

    recordIntent: (lease, intent) =>
      updateHeldWork(lease, { intent_json: intent === null ? null : JSON.stringify(intent) }),

    async complete(lease, outcome, now) {
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
    },

    async retryLater(lease, error, availableAt, now) {
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
    },

    async deadLetter(lease, error, now) {
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
    },

    async releaseLeases(owners, now) {
      if (owners.length === 0) return 0;
      const result = await db
        .updateTable('publish_work')
        .set({ lease_expires_at: new Date(now.getTime() - 1).toISOString() })
        .where('state', '=', 'leased')
        .where('lease_owner', 'in', [...owners])
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async leaseOwners() {
      const rows = await db
        .selectFrom('publish_work')
        .select('lease_owner')
        .distinct()
        .where('state', '=', 'leased')
        .execute();
      return rows.map((row) => row.lease_owner).filter((owner): owner is string => owner !== null);
    },

    async listDeadLetters(installationId, spaceKey) {
      const rows = await db
        .selectFrom('publish_work')
        .selectAll()
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('state', '=', 'dead')
        .orderBy('updated_at', 'desc')
        .execute();
      return rows.map((row) => ({
        workId: row.id,
        installationId: row.installation_id,
        spaceKey: row.space_key,
        targetKey: row.target_key,
        latestJobId: row.latest_job_id,
        reason: row.last_error ?? 'unknown',
        updatedAt: row.updated_at,
      }));
    },

    async pruneFinishedJobs(before) {
      const result = await db
        .deleteFrom('publish_jobs')
        .where('finished_at', 'is not', null)
        .where('finished_at', '<', before.toISOString())
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    countJobsByState: () => countByState('publish_jobs'),
    countWorkByState: () => countByState('publish_work'),

    async oldestDueAt(now) {
      const row = await db
        .selectFrom('publish_work')
        .select((eb) => eb.fn.min('available_at').as('oldest'))
        .where('state', '=', 'ready')
        .where('available_at', '<=', now.toISOString())
        .executeTakeFirst();
      return (row?.oldest as string | null | undefined) ?? null;
    },
  };
}

function toLease(work: PublishWorkTable, owner: string, job: StoredJob): Lease {
  return {
    workId: work.id,
    owner,
    installationId: work.installation_id,
    spaceKey: work.space_key,
    targetKey: work.target_key,
    kind: work.kind as JobKind,
    seq: Number(work.leased_seq),
    job,
    attempts: Number(work.attempts),
    lastError: work.last_error,
    intent: work.intent_json === null ? null : (JSON.parse(work.intent_json) as unknown),
  };
}

export function toStoredJob(row: PublishJobsTable): StoredJob {
  return {
    id: row.id,
    installationId: row.installation_id,
    spaceKey: row.space_key,
    source: row.source,
    kind: row.kind as JobKind,
    targetKey: row.target_key,
    seq: Number(row.seq),
    externalId: row.external_id,
    dryRun: Number(row.dry_run) === 1,
    request: JSON.parse(row.request_json) as unknown,
    state: row.state as JobState,
    attempts: Number(row.attempts),
    claimedBy: row.claimed_by,
    pageId: row.page_id,
    version: row.version === null ? null : Number(row.version),
    error: row.error_code === null ? null : { code: row.error_code, detail: row.error_detail ?? '' },
    plan: row.plan_json === null ? null : (JSON.parse(row.plan_json) as PublishPlan),
    humanEdit: row.human_edit_json === null ? null : (JSON.parse(row.human_edit_json) as HumanEdit),
    warnings: row.warnings_json === null ? [] : (JSON.parse(row.warnings_json) as JobWarning[]),
    supersededBy: row.superseded_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

/** The public shape of a job (`GET /ingest/v1/jobs/{id}`). */
export function toJobView(job: StoredJob): JobView {
  return {
    id: job.id,
    externalId: job.externalId ?? '',
    state: job.state,
    ...(job.pageId === null ? {} : { pageId: job.pageId }),
    ...(job.version === null ? {} : { version: job.version }),
    ...(job.error === null ? {} : { error: job.error }),
    ...(job.plan === null ? {} : { plan: job.plan }),
    ...(job.humanEdit === null ? {} : { humanEdit: job.humanEdit }),
    attempts: job.attempts,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(job.dryRun ? { dryRun: true } : {}),
    ...(job.supersededBy === null ? {} : { supersededBy: job.supersededBy }),
    ...(job.warnings.length === 0 ? {} : { warnings: job.warnings }),
  };
}
