/**
 * Docs-as-code attachments (migrations 04xx), typed for Kysely, with the core
 * schema's portable conventions (core.ts): ISO-8601 UTC text timestamps.
 */

/**
 * One attachment of one page of a source, by the page's external id and the
 * file name: the last bytes the source sent (`sha256`) and the last upload to
 * Confluence (`uploaded_sha256` to page `uploaded_page_id`, which made
 * attachment `attachment_id` with media file `file_id`). The publisher uploads
 * again when `sha256` differs from `uploaded_sha256` or the page is another.
 */
export interface PageAttachmentsTable {
  installation_id: string;
  space_key: string;
  external_id: string;
  name: string;
  content_type: string;
  size: number;
  sha256: string;
  /** The file's bytes, base64 (a text column is portable between SQLite and PostgreSQL). */
  bytes_base64: string;
  uploaded_sha256: string | null;
  uploaded_page_id: string | null;
  attachment_id: string | null;
  file_id: string | null;
  uploaded_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface PageAttachmentTables {
  page_attachments: PageAttachmentsTable;
}

/** Emptied by the uninstall purge with the publishing engine's tables. */
export const PAGE_ATTACHMENT_TENANT_TABLES = [
  'page_attachments',
] as const satisfies readonly (keyof PageAttachmentTables)[];
