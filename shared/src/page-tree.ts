import { z } from 'zod';

/**
 * Docs as code: the ingest API's page-tree features, for the `pagewire` CLI
 * and any other tool that publishes a folder of documents as pages.
 *
 * A *tree* is a named set of pages one source publishes together (the CLI
 * names it after the folder, or `--tree`). Each page of a tree records where
 * it came from (`origin`): the file's path relative to the tree's root and a
 * hash of the file. The backend keeps that record with the page, so a tool can
 * list what it published before (`GET /ingest/v1/trees/{tree}/pages`), find
 * renames, moves and orphans, and skip files that did not change.
 */

/** Tree names appear in URLs: the external-id alphabet, at most 64 characters. */
export const TREE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,63}$/;
export const treeNameSchema = z
  .string()
  .regex(
    TREE_NAME_PATTERN,
    'must be 1–64 letters, digits, ".", "_", "~" or "-", starting with a letter or digit',
  );

/** A path inside the tree, `/`-separated, relative, without `.` or `..` segments. */
export const treePathSchema = z
  .string()
  .min(1)
  .max(1024)
  .refine(
    (path) =>
      !path.startsWith('/') &&
      !path.includes('\\') &&
      path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..'),
    'must be a relative path with "/" separators and no empty, "." or ".." segments',
  );

/** SHA-256, lowercase hex. */
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in lowercase hex');

export const pageOriginSchema = z.strictObject({
  tree: treeNameSchema,
  path: treePathSchema,
  /** SHA-256 of what the source published from (the file's bytes, with its images' hashes folded in). */
  sourceHash: sha256HexSchema,
});
export type PageOrigin = z.infer<typeof pageOriginSchema>;

/**
 * Links between pages of one source are written in Markdown as
 * `pagewire:page/<externalId>` (optionally `#anchor`); the publisher writes
 * them as links to the real Confluence page, and rewrites the linking page
 * when a target that did not exist yet is created later.
 */
export const PAGE_LINK_PREFIX = 'pagewire:page/';
/** Images that are the page's own attachments: `![alt](pagewire:attachment/<name>)`. */
export const ATTACHMENT_LINK_PREFIX = 'pagewire:attachment/';

/** Attachment names: a file name, no path. */
export const ATTACHMENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,254}$/;
export const attachmentNameSchema = z
  .string()
  .regex(
    ATTACHMENT_NAME_PATTERN,
    'must be a file name of letters, digits, spaces, ".", "_", "(", ")" or "-"',
  );

/** Image types a page attachment may have; the bytes must match the declared type. */
export const attachmentContentTypes = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/svg+xml',
  'image/webp',
] as const;
export const attachmentContentTypeSchema = z.enum(attachmentContentTypes);
export type AttachmentContentType = z.infer<typeof attachmentContentTypeSchema>;
/** Largest attachment the ingest API accepts. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/**
 * `PUT /ingest/v1/pages/{externalId}/attachments/{name}`, the raw bytes as the
 * body with their `Content-Type`: the backend keeps them and uploads them to
 * the page at its next publish, only when their hash differs from the last
 * upload. 201 on a new attachment, 200 after.
 */
export const attachmentResultSchema = z.object({
  name: attachmentNameSchema,
  contentType: attachmentContentTypeSchema,
  size: z.number().int().nonnegative(),
  sha256: sha256HexSchema,
  /** False when the same bytes were already stored under this name. */
  changed: z.boolean(),
});
export type AttachmentResult = z.infer<typeof attachmentResultSchema>;

/**
 * `POST /ingest/v1/pages/{externalId}/archive`: archive a page (never delete
 * it). Answers 202 with a job; `dryRun` plans only. Refused with
 * `page_has_children` when pages still sit under it.
 */
export const pageArchiveBodySchema = z.strictObject({
  dryRun: z.boolean().default(false),
});
export type PageArchiveBody = z.infer<typeof pageArchiveBodySchema>;
