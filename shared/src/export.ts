import { z } from 'zod';
import { adfDocumentSchema } from './adf/adf-document';

/**
 * The export side of Pagewire (docs/EXPORT.md): a consumer (a search index, a
 * bot, a docs site) reads a space's pages, and every change to them, with one
 * export key. The key fixes the installation and the space.
 */

/** Export keys: `pwx_` + 43 base64url characters (256 random bits). An export key can't ingest, an ingest key can't export. */
export const EXPORT_KEY_PREFIX = 'pwx_';
export const EXPORT_KEY_PATTERN = /^pwx_[A-Za-z0-9_-]{43}$/;

/** Consumer names label who reads a space, as source names label who writes. */
export const consumerNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/, 'must be 1–64 letters, digits, spaces, ".", "_" or "-"');

/** Per space; off until a space admin turns it on. */
export const exportSettingsSchema = z.object({
  enabled: z.boolean(),
  /** Include pages with view restrictions (left out by default). */
  includeRestricted: z.boolean(),
});
export type ExportSettings = z.infer<typeof exportSettingsSchema>;
export const defaultExportSettings: ExportSettings = { enabled: false, includeRestricted: false };

/** `settings.update`'s `export` field: `includeRestricted` keeps its value when left out. */
export const exportSettingsUpdateSchema = z.strictObject({
  enabled: z.boolean(),
  includeRestricted: z.boolean().optional(),
});

export const exportPageStatuses = ['current', 'archived', 'trashed', 'deleted'] as const;
export const exportPageStatusSchema = z.enum(exportPageStatuses);
export type ExportPageStatus = z.infer<typeof exportPageStatusSchema>;

/** One row of the mirror as a consumer sees it. Deleted pages stay as tombstones for 30 days. */
export const exportPageItemSchema = z.object({
  pageId: z.string(),
  title: z.string(),
  status: exportPageStatusSchema,
  version: z.number().int().nonnegative(),
  /** When the page last changed (its version's time, or when Pagewire saw it trashed/deleted). */
  updatedAt: z.string(),
  parentId: z.string().nullable(),
  /** Ancestor titles, root first. */
  path: z.array(z.string()),
  labels: z.array(z.string()),
  /** sha256 of the page's canonical ADF body, hex; equal checksums mean equal bodies. */
  checksum: z.string(),
  url: z.string(),
});
export type ExportPageItem = z.infer<typeof exportPageItemSchema>;

export const MAX_EXPORT_PAGE_LIMIT = 250;
/** `GET /export/v1/pages?updatedSince=&cursor=&limit=`: ordered by change time, oldest first. */
export const exportPageListQuerySchema = z.strictObject({
  updatedSince: z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z' })
    .optional(),
  cursor: z.string().min(1).max(400).optional(),
  limit: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, `must be 1–${MAX_EXPORT_PAGE_LIMIT}`)
    .max(MAX_EXPORT_PAGE_LIMIT, `must be 1–${MAX_EXPORT_PAGE_LIMIT}`)
    .default(100),
});
export type ExportPageListQuery = z.infer<typeof exportPageListQuerySchema>;
export const exportPageListSchema = z.object({
  items: z.array(exportPageItemSchema),
  /** Pass as `cursor` to continue; when null, store the last item's `updatedAt` (or keep the cursor) and ask again later. */
  nextCursor: z.string().nullable(),
});
export type ExportPageList = z.infer<typeof exportPageListSchema>;

export const exportFormats = ['markdown', 'adf', 'text'] as const;
export const exportFormatSchema = z.enum(exportFormats);
export type ExportFormat = z.infer<typeof exportFormatSchema>;
export const exportPageBodyQuerySchema = z.strictObject({ format: exportFormatSchema.default('markdown') });

const bodyBase = {
  pageId: z.string(),
  title: z.string(),
  version: z.number().int().positive(),
  updatedAt: z.string(),
  checksum: z.string(),
};
/** `GET /export/v1/pages/{pageId}?format=`: Markdown (GitHub-flavoured) and text as strings, ADF as the document. */
export const exportPageBodySchema = z.discriminatedUnion('format', [
  z.object({ ...bodyBase, format: z.literal('markdown'), body: z.string() }),
  z.object({ ...bodyBase, format: z.literal('text'), body: z.string() }),
  z.object({ ...bodyBase, format: z.literal('adf'), body: adfDocumentSchema }),
]);
export type ExportPageBody = z.infer<typeof exportPageBodySchema>;

export const exportSyncStates = ['off', 'backfilling', 'reconciling', 'idle', 'failing'] as const;
export const exportSyncStateSchema = z.enum(exportSyncStates);
/** `GET /export/v1/sync`, and the settings page's Export tab. */
export const exportSyncViewSchema = z.object({
  state: exportSyncStateSchema,
  lastFullSyncAt: z.string().nullable(),
  nextSyncAt: z.string().nullable(),
  /** Pages in the mirror, tombstones excluded. */
  pages: z.number().int().nonnegative(),
  lastError: z.object({ code: z.string(), detail: z.string(), at: z.string() }).nullable(),
});
export type ExportSyncView = z.infer<typeof exportSyncViewSchema>;

export const exportKeySummarySchema = z.object({
  id: z.string(),
  consumer: z.string(),
  /** The first characters of the key, enough to recognise it, never enough to use it. */
  prefix: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ExportKeySummary = z.infer<typeof exportKeySummarySchema>;

/** What `settings.get` shows of export. */
export const exportSettingsViewSchema = z.object({
  settings: exportSettingsSchema,
  keys: z.array(exportKeySummarySchema),
  sync: exportSyncViewSchema,
  /** The URL consumers call (`PAGEWIRE_PUBLIC_URL` + `/export/v1`); null when the operator did not set it. */
  exportUrl: z.string().nullable(),
});
export type ExportSettingsView = z.infer<typeof exportSettingsViewSchema>;
