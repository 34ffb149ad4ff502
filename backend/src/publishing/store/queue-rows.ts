import type { JobState, JobView, JobWarning, PublishPlan } from '@pagewire/shared';
import type { Kysely, Updateable } from 'kysely';
import type { PublishJobsTable, PublishWorkTable, Tables } from '../../store/schema';
import type { HumanEdit, JobKind, Lease, StoredJob, Written } from './queue-types';

/** The rows of the queue (store/schema/publishing.ts) as the engine sees them, and the statements every part shares. */

export const ACTIVE_JOB_STATES: JobState[] = ['queued', 'running'];

/** A work row's lease let go: its holder finished, will retry later, or gave up. */
export const NO_LEASE = {
  lease_owner: null,
  lease_expires_at: null,
  leased_seq: null,
  leased_job_id: null,
} as const;

/** Work items under this prefix exist for one job (dry runs) and are deleted when it finishes. */
export const EPHEMERAL_TARGET_PREFIX = 'dry-run:';

/** Updates the jobs of a target that still wait or run, up to (`<=`) or before (`<`) `seq`. */
export function updateActiveJobs(
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

export function toLease(work: PublishWorkTable, owner: string, job: StoredJob): Lease {
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
    written: (row.written ?? null) as Written | null,
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
    ...(job.written === null ? {} : { written: job.written }),
  };
}
