import { type AttachmentContentType, attachmentContentTypeSchema } from '@pagewire/shared';
import type { Kysely } from 'kysely';
import type { PageAttachmentsTable, Tables } from '../../store/schema';

/** Which page of which source an attachment belongs to. */
export interface PageAttachmentOwner {
  installationId: string;
  spaceKey: string;
  externalId: string;
}

/** An attachment as the backend keeps it, without its bytes. */
export interface StoredAttachment {
  name: string;
  contentType: AttachmentContentType;
  size: number;
  sha256: string;
  /** The last upload to Confluence; null before the first. */
  uploaded: {
    sha256: string;
    pageId: string;
    attachmentId: string;
    fileId: string;
  } | null;
}

export interface PageAttachmentRepository {
  /**
   * Keeps the bytes under the name. `created`: the name was new for the page;
   * `changed`: the bytes differ from what was kept (a new name is changed too).
   */
  put(
    owner: PageAttachmentOwner,
    file: { name: string; contentType: AttachmentContentType; bytes: Uint8Array; sha256: string },
    now: Date,
  ): Promise<{ created: boolean; changed: boolean }>;
  /** The page's attachments among `names` (the others were never sent). */
  find(owner: PageAttachmentOwner, names: readonly string[]): Promise<Map<string, StoredAttachment>>;
  /** The kept bytes when their hash is still `sha256` (null if newer bytes replaced them meanwhile). */
  readBytes(owner: PageAttachmentOwner, name: string, sha256: string): Promise<Uint8Array | null>;
  recordUpload(
    owner: PageAttachmentOwner,
    name: string,
    upload: { sha256: string; pageId: string; attachmentId: string; fileId: string },
    now: Date,
  ): Promise<void>;
}

export function createPageAttachmentRepository(db: Kysely<Tables>): PageAttachmentRepository {
  const rowsOf = (owner: PageAttachmentOwner) =>
    db
      .selectFrom('page_attachments')
      .where('installation_id', '=', owner.installationId)
      .where('space_key', '=', owner.spaceKey)
      .where('external_id', '=', owner.externalId);

  return {
    async put(owner, file, now) {
      const at = now.toISOString();
      const existing = await rowsOf(owner).select('sha256').where('name', '=', file.name).executeTakeFirst();
      const values = {
        content_type: file.contentType,
        size: file.bytes.length,
        sha256: file.sha256,
        bytes_base64: Buffer.from(file.bytes).toString('base64'),
        updated_at: at,
      };
      // Two uploads of one name at once: the primary key lets one insert win, the other updates.
      await db
        .insertInto('page_attachments')
        .values({
          installation_id: owner.installationId,
          space_key: owner.spaceKey,
          external_id: owner.externalId,
          name: file.name,
          ...values,
          created_at: at,
        })
        .onConflict((conflict) =>
          conflict.columns(['installation_id', 'space_key', 'external_id', 'name']).doUpdateSet(values),
        )
        .execute();
      return { created: existing === undefined, changed: existing?.sha256 !== file.sha256 };
    },

    async find(owner, names) {
      const found = new Map<string, StoredAttachment>();
      if (names.length === 0) return found;
      const rows = await rowsOf(owner)
        .select([
          'name',
          'content_type',
          'size',
          'sha256',
          'uploaded_sha256',
          'uploaded_page_id',
          'attachment_id',
          'file_id',
        ])
        .where('name', 'in', [...names])
        .execute();
      for (const row of rows) found.set(row.name, toStoredAttachment(row));
      return found;
    },

    async readBytes(owner, name, sha256) {
      const row = await rowsOf(owner)
        .select('bytes_base64')
        .where('name', '=', name)
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      return row === undefined ? null : new Uint8Array(Buffer.from(row.bytes_base64, 'base64'));
    },

    async recordUpload(owner, name, upload, now) {
      await db
        .updateTable('page_attachments')
        .set({
          uploaded_sha256: upload.sha256,
          uploaded_page_id: upload.pageId,
          attachment_id: upload.attachmentId,
          file_id: upload.fileId,
          uploaded_at: now.toISOString(),
        })
        .where('installation_id', '=', owner.installationId)
        .where('space_key', '=', owner.spaceKey)
        .where('external_id', '=', owner.externalId)
        .where('name', '=', name)
        .execute();
    },
  };
}

function toStoredAttachment(
  row: Pick<
    PageAttachmentsTable,
    | 'name'
    | 'content_type'
    | 'size'
    | 'sha256'
    | 'uploaded_sha256'
    | 'uploaded_page_id'
    | 'attachment_id'
    | 'file_id'
  >,
): StoredAttachment {
  const uploaded =
    row.uploaded_sha256 !== null &&
    row.uploaded_page_id !== null &&
    row.attachment_id !== null &&
    row.file_id !== null
      ? {
          sha256: row.uploaded_sha256,
          pageId: row.uploaded_page_id,
          attachmentId: row.attachment_id,
          fileId: row.file_id,
        }
      : null;
  return {
    name: row.name,
    contentType: attachmentContentTypeSchema.parse(row.content_type),
    size: Number(row.size),
    sha256: row.sha256,
    uploaded,
  };
}
