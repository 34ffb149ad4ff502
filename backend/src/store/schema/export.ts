/**
 * The export module's tables, typed for Kysely, with the core schema's
 * portable conventions (../../store/schema.ts): ISO-8601 UTC text timestamps
 * with milliseconds, JSON as text, booleans as 0/1 integers.
 */

/** One consumer's key; only the SHA-256 of the secret is kept. */
export interface ExportKeysTable {
  id: string;
  installation_id: string;
  space_key: string;
  consumer: string;
  key_hash: string;
  prefix: string;
  created_at: string;
  created_by: string;
  last_used_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
}

/**
 * A space's export: its settings, and the one durable sync item of the space
 * (the queue is this table: a row is due when `due_at` has passed, held while
 * `lease_owner` has a live lease, and carries the checkpoint a crashed run
 * resumes from).
 */
export interface ExportSpacesTable {
  installation_id: string;
  space_key: string;
  /** Confluence's numeric space id, once looked up. */
  space_id: string | null;
  enabled: number;
  include_restricted: number;
  /** `full` re-reads every page; `incremental` only what the listing shows changed. */
  mode: string;
  due_at: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  checkpoint_json: string | null;
  running_since: string | null;
  attempts: number;
  last_error_code: string | null;
  last_error_detail: string | null;
  last_error_at: string | null;
  last_full_sync_at: string | null;
  last_sync_at: string | null;
  /** The next change sequence number to hand out: the order consumers read changes in. */
  next_seq: number;
  updated_at: string;
}

/** One page of the mirror (or its tombstone). */
export interface ExportPagesTable {
  installation_id: string;
  space_key: string;
  page_id: string;
  title: string;
  status: string;
  version: number;
  parent_id: string | null;
  path_json: string;
  labels_json: string;
  checksum: string;
  web_url: string;
  /** The version's time in Confluence (or when Pagewire saw the page trashed or gone). */
  updated_at: string;
  /** When the mirror recorded the change; `change_seq` orders these. */
  changed_at: string;
  change_seq: number;
  /** The page itself carries a view restriction. */
  own_restricted: number;
  /** It, or an ancestor, does: what the export decides by. */
  restricted: number;
  /** The sync run that last listed the page (deletions are what a finished run did not list). */
  seen_run: string | null;
  /** The sync run that last read the page's details. */
  read_run: string | null;
  /** When the page was found gone; tombstones are pruned 30 days later. */
  deleted_at: string | null;
}

/** A page body by version: reading an unchanged page's body makes no Confluence call. */
export interface ExportPageBodiesTable {
  installation_id: string;
  space_key: string;
  page_id: string;
  version: number;
  adf_json: string;
}

export interface ExportTables {
  export_keys: ExportKeysTable;
  export_spaces: ExportSpacesTable;
  export_pages: ExportPagesTable;
  export_page_bodies: ExportPageBodiesTable;
}

/** The export tables holding an installation's rows, emptied by the uninstall purge. */
export const EXPORT_TENANT_TABLES = [
  'export_keys',
  'export_spaces',
  'export_pages',
  'export_page_bodies',
] as const satisfies readonly (keyof ExportTables)[];
