/**
 * Docs as code (migrations 04xx, docs/INGEST-API.md "Page trees"): where each
 * page of a tree came from, and which pages link to pages that were not
 * written yet. Same conventions as the other areas (core.ts): ISO-8601 UTC
 * text timestamps, JSON as text.
 */

/**
 * A page a source published with an `origin` (PUT /ingest/v1/pages/{id}):
 * recorded when the page is accepted, so the tree listing knows it before
 * its first publish. One row per external id of a space.
 */
export interface PageOriginsTable {
  installation_id: string;
  space_key: string;
  external_id: string;
  tree: string;
  /** The file's path relative to the tree's root. */
  path: string;
  source_hash: string;
  title: string;
  parent_external_id: string | null;
  /** `current`, or `archived` once an archive job archived the page. */
  status: string;
  /** The last job accepted for the page (its publish, or its archive). */
  last_job_id: string;
  created_at: string;
  updated_at: string;
}

/**
 * A `pagewire:page/<target>` link in a page whose target had no Confluence
 * page when the linking page was written: when the target is created, the
 * linking page is published again from its last accepted body. The linking
 * page's next write replaces its rows.
 */
export interface PageLinksTable {
  installation_id: string;
  space_key: string;
  source_external_id: string;
  target_external_id: string;
  recorded_at: string;
}

export interface PageTreeTables {
  page_origins: PageOriginsTable;
  page_links: PageLinksTable;
}

/** The page-tree tables that hold an installation's rows, emptied by the uninstall purge. */
export const PAGE_TREE_TENANT_TABLES = [
  'page_origins',
  'page_links',
] as const satisfies readonly (keyof PageTreeTables)[];
