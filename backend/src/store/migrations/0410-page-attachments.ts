import type { Kysely } from 'kysely';

/**
 * Docs-as-code images (docs/PUBLISHING.md#page-attachments): the bytes a
 * source sent for a page's attachment, and what the publisher last uploaded
 * to Confluence for it, so an image is uploaded again only when its hash
 * changes. The bytes are base64 text: one portable column type on SQLite
 * and PostgreSQL, for files of at most 10 MB.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('page_attachments')
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('space_key', 'text', (column) => column.notNull())
    .addColumn('external_id', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('content_type', 'text', (column) => column.notNull())
    .addColumn('size', 'integer', (column) => column.notNull())
    .addColumn('sha256', 'text', (column) => column.notNull())
    .addColumn('bytes_base64', 'text', (column) => column.notNull())
    .addColumn('uploaded_sha256', 'text')
    .addColumn('uploaded_page_id', 'text')
    .addColumn('attachment_id', 'text')
    .addColumn('file_id', 'text')
    .addColumn('uploaded_at', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('page_attachments_pk', ['installation_id', 'space_key', 'external_id', 'name'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('page_attachments').execute();
}
