/**
 * Tables of the publishing engine (migrations 01xx), typed for Kysely. Same
 * portable conventions as the core schema (core.ts): ISO-8601 UTC text timestamps
 * with milliseconds (they sort as text on SQLite and PostgreSQL), JSON as text,
 * booleans as 0/1 integers.
 */

/**
 * One accepted request: a whole-page publish (or its dry run), or a snapshot
 * refresh of one macro instance. Its id is what the ingest API hands out.
 */
export interface PublishJobsTable {
  id: string;
  installation_id: string;
  space_key: string;
  /** The ingest source (page jobs) or the block's source (snapshot jobs): who the activity log names. */
  source: string;
  kind: string;
  /** The work item this job belongs to: one per page (or per macro instance). */
  target_key: string;
  /** Position among the target's jobs; the highest one is the content that gets written. */
  seq: number;
  external_id: string | null;
  dry_run: number;
  request_json: string;
  state: string;
  attempts: number;
  /** The worker (lease owner) that last took this job: which replica wrote what. */
  claimed_by: string | null;
  page_id: string | null;
  version: number | null;
  error_code: string | null;
  error_detail: string | null;
  plan_json: string | null;
  human_edit_json: string | null;
  warnings_json: string | null;
  superseded_by: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  /** What a `published` job did to its page: `created`, `updated`, `moved` or `archived` (0400); null otherwise. */
  written: string | null;
}

/**
 * The queue proper: one row per target, so work on one page is serialised by
 * construction and many waiting updates are one row (coalescing).
 * `latest_seq` grows with every accepted job; a worker leases the row,
 * processes the job with `leased_seq`, and when it finishes the row goes back
 * to `ready` if a newer job arrived meanwhile, else to `idle`.
 */
export interface PublishWorkTable {
  id: string;
  installation_id: string;
  space_key: string;
  target_key: string;
  kind: string;
  latest_seq: number;
  latest_job_id: string;
  /** `idle` | `ready` | `leased` | `dead`. */
  state: string;
  /** A `ready` row is not taken before this time (retry backoff). */
  available_at: string;
  lease_owner: string | null;
  lease_expires_at: string | null;
  leased_seq: number | null;
  leased_job_id: string | null;
  /** Failed attempts in a row for the current content; reset when it completes. */
  attempts: number;
  last_error: string | null;
  /**
   * What the worker was about to do in Confluence, recorded before it does it
   * (`PublishIntent` as JSON). After a crash the next worker reads it, re-reads
   * the page and decides whether the write landed before acting again.
   */
  intent_json: string | null;
  created_at: string;
  updated_at: string;
}

/** externalId ↔ pageId, and what Pagewire last wrote there (mark's "last version we wrote"). */
export interface PublishPagesTable {
  installation_id: string;
  space_key: string;
  external_id: string;
  page_id: string;
  space_id: string;
  title: string;
  /** The page version Pagewire's last write created. */
  last_version: number;
  /** `hashPageContent` of that write (title + canonical body). */
  last_hash: string;
  /** Labels Pagewire has added, JSON array. */
  labels_json: string;
  last_job_id: string;
  updated_at: string;
  /** The parent Pagewire last put the page under; null when not known (rows before 0110). */
  parent_id: string | null;
  /** The page the homepage index is known to name for this external id (null: not yet indexed). */
  indexed_page_id: string | null;
  /**
   * A person's edit seen in a Confluence event since Pagewire's last write
   * (`HumanEdit` as JSON); cleared by the next write. Null when none is known.
   */
  human_edit_json: string | null;
}

/** The block revision a macro's snapshot property shows. */
export interface PublishSnapshotsTable {
  installation_id: string;
  content_id: string;
  local_id: string;
  block_key: string;
  revision: number;
  property_version: number;
  written_at: string;
  /** The property's id in Confluence; null before 0110 or when nothing was written. */
  property_id: string | null;
  /** sha256 of the canonical value written; null when not known. */
  value_hash: string | null;
}

/** A page a space admin released ("stop managing"); see page-release-migrations.ts. */
export interface PublishPageReleasesTable {
  installation_id: string;
  space_key: string;
  external_id: string;
  page_id: string;
  title: string;
  /** The source that published it last. */
  source: string;
  released_at: string;
  /** The account id of the admin who released it. */
  released_by: string;
}

export interface PublishingTables {
  publish_page_releases: PublishPageReleasesTable;
  publish_jobs: PublishJobsTable;
  publish_work: PublishWorkTable;
  publish_pages: PublishPagesTable;
  publish_snapshots: PublishSnapshotsTable;
}

/** The engine's tables that hold an installation's rows, emptied by the uninstall purge. */
export const PUBLISHING_TENANT_TABLES = [
  'publish_jobs',
  'publish_work',
  'publish_pages',
  'publish_snapshots',
  'publish_page_releases',
] as const satisfies readonly (keyof PublishingTables)[];
