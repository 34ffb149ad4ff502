import type { Kysely } from 'kysely';

/**
 * The publishing engine's queue (docs/PUBLISHING.md): one row per accepted
 * job, one work item per target (page or macro instance) that serialises and
 * coalesces its jobs, the externalId ↔ pageId identities, and which block
 * revision each macro's snapshot shows. Table types: ../schema/publishing.ts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createJobTable(db);
  await createWorkTable(db);
  await createPageAndSnapshotTables(db);
}

/** One row per accepted job, in the order its target received them. */
async function createJobTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('publish_jobs')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('space_key', 'text', (column) => column.notNull())
    .addColumn('source', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('target_key', 'text', (column) => column.notNull())
    .addColumn('seq', 'integer', (column) => column.notNull())
    .addColumn('external_id', 'text')
    .addColumn('dry_run', 'integer', (column) => column.notNull())
    .addColumn('request_json', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('page_id', 'text')
    .addColumn('version', 'integer')
    .addColumn('error_code', 'text')
    .addColumn('error_detail', 'text')
    .addColumn('plan_json', 'text')
    .addColumn('human_edit_json', 'text')
    .addColumn('warnings_json', 'text')
    .addColumn('superseded_by', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  // Finishing a drain marks every job of the target up to the written one.
  await db.schema
    .createIndex('publish_jobs_target_seq')
    .on('publish_jobs')
    .columns(['installation_id', 'target_key', 'seq'])
    .execute();
  // The metrics count jobs by state.
  await db.schema.createIndex('publish_jobs_state').on('publish_jobs').columns(['state']).execute();
}

/** One work item per target (page or macro instance), which serialises and coalesces its jobs. */
async function createWorkTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('publish_work')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('space_key', 'text', (column) => column.notNull())
    .addColumn('target_key', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('latest_seq', 'integer', (column) => column.notNull())
    .addColumn('latest_job_id', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('available_at', 'text', (column) => column.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('leased_seq', 'integer')
    .addColumn('leased_job_id', 'text')
    .addColumn('attempts', 'integer', (column) => column.notNull())
    .addColumn('last_error', 'text')
    .addColumn('intent_json', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addUniqueConstraint('publish_work_target', ['installation_id', 'target_key'])
    .execute();
  // What a worker scans when it looks for work.
  await db.schema
    .createIndex('publish_work_claimable')
    .on('publish_work')
    .columns(['state', 'available_at'])
    .execute();
}

/** The externalId ↔ pageId identities, and which block revision each macro's snapshot shows. */
async function createPageAndSnapshotTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('publish_pages')
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('space_key', 'text', (column) => column.notNull())
    .addColumn('external_id', 'text', (column) => column.notNull())
    .addColumn('page_id', 'text', (column) => column.notNull())
    .addColumn('space_id', 'text', (column) => column.notNull())
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('last_version', 'integer', (column) => column.notNull())
    .addColumn('last_hash', 'text', (column) => column.notNull())
    .addColumn('labels_json', 'text', (column) => column.notNull())
    .addColumn('last_job_id', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('publish_pages_pk', ['installation_id', 'space_key', 'external_id'])
    .execute();

  // Which block revision each macro's snapshot shows: lets a restarted
  // engine find block changes whose refresh a crash swallowed.
  await db.schema
    .createTable('publish_snapshots')
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('content_id', 'text', (column) => column.notNull())
    .addColumn('local_id', 'text', (column) => column.notNull())
    .addColumn('block_key', 'text', (column) => column.notNull())
    .addColumn('revision', 'integer', (column) => column.notNull())
    .addColumn('property_version', 'integer', (column) => column.notNull())
    .addColumn('written_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('publish_snapshots_pk', ['installation_id', 'content_id', 'local_id'])
    .execute();
}
