import { z } from 'zod';
import { adfDocumentSchema } from '../adf/adf-document';

/** Block keys are chosen by sources and appear in URLs: `PUT /ingest/v1/blocks/{key}`. */
export const BLOCK_KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const blockKeySchema = z
  .string()
  .regex(
    BLOCK_KEY_PATTERN,
    'must be 1–64 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit',
  );
export type BlockKey = z.infer<typeof blockKeySchema>;

export const blockKinds = ['markdown', 'adf', 'status', 'table', 'metrics'] as const;
export const blockKindSchema = z.enum(blockKinds);
export type BlockKind = z.infer<typeof blockKindSchema>;

/** Ingest bodies are capped at 256 KB; no single text field may use it all up. */
export const MAX_INGEST_BODY_BYTES = 256 * 1024;

const httpUrlSchema = z.url({ protocol: /^https?$/ }).max(2048);

const shortText = (max: number) => z.string().trim().min(1).max(max);

/** Maps onto UI Kit `Lozenge` appearances in the macro. */
export const statusTones = ['success', 'warning', 'danger', 'info', 'neutral'] as const;
export const statusToneSchema = z.enum(statusTones);
export type StatusTone = z.infer<typeof statusToneSchema>;

export const statusComponentSchema = z.strictObject({
  name: shortText(100),
  status: shortText(64),
  tone: statusToneSchema.default('neutral'),
});

export const statusContentSchema = z.strictObject({
  /** The headline, e.g. "Operational" or "Degraded performance". */
  status: shortText(64),
  tone: statusToneSchema.default('neutral'),
  summary: z.string().trim().max(2000).optional(),
  /** Where a reader goes for more (a status page, a dashboard). */
  url: httpUrlSchema.optional(),
  /** Per-component breakdown, e.g. one row per service. */
  components: z.array(statusComponentSchema).max(50).optional(),
});
export type StatusContent = z.infer<typeof statusContentSchema>;

export const tableColumnFormats = ['text', 'number', 'date', 'link', 'status'] as const;
export const tableColumnSchema = z.strictObject({
  key: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 characters of letters, digits, ".", "_" or "-"'),
  title: shortText(100),
  format: z.enum(tableColumnFormats).default('text'),
});
export const tableCellSchema = z.union([z.string().max(2000), z.number().finite(), z.boolean(), z.null()]);
export type TableCell = z.infer<typeof tableCellSchema>;

export const tableContentSchema = z
  .strictObject({
    columns: z.array(tableColumnSchema).min(1).max(20),
    rows: z.array(z.record(z.string(), tableCellSchema)).max(1000),
    caption: z.string().trim().max(500).optional(),
  })
  .superRefine((table, ctx) => {
    const keys = new Set<string>();
    table.columns.forEach((column, index) => {
      if (keys.has(column.key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['columns', index, 'key'],
          message: `duplicate column key "${column.key}"`,
        });
      }
      keys.add(column.key);
    });
    table.rows.forEach((row, rowIndex) => {
      for (const cellKey of Object.keys(row)) {
        if (!keys.has(cellKey)) {
          ctx.addIssue({
            code: 'custom',
            path: ['rows', rowIndex, cellKey],
            message: `no column has key "${cellKey}"`,
          });
        }
      }
    });
  });
export type TableContent = z.infer<typeof tableContentSchema>;

export const metricSchema = z.strictObject({
  label: shortText(80),
  value: z.number().finite(),
  unit: z.string().trim().max(16).optional(),
  /** Change since the previous period, in the metric's unit. */
  delta: z.number().finite().optional(),
  /** Which direction of change is good news; colours the delta. */
  goodDirection: z.enum(['up', 'down']).optional(),
  hint: z.string().trim().max(200).optional(),
});
export const metricsContentSchema = z.strictObject({
  metrics: z.array(metricSchema).min(1).max(24),
});
export type MetricsContent = z.infer<typeof metricsContentSchema>;

export const markdownContentSchema = z.string().max(MAX_INGEST_BODY_BYTES);

export const blockContentSchemas = {
  markdown: markdownContentSchema,
  adf: adfDocumentSchema,
  status: statusContentSchema,
  table: tableContentSchema,
  metrics: metricsContentSchema,
} as const;

const blockTitleSchema = shortText(200);

/** A block as a source writes it and as resolvers read it: kind and content travel together. */
export const blockPayloadSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('markdown'), title: blockTitleSchema, content: markdownContentSchema }),
  z.strictObject({ kind: z.literal('adf'), title: blockTitleSchema, content: adfDocumentSchema }),
  z.strictObject({ kind: z.literal('status'), title: blockTitleSchema, content: statusContentSchema }),
  z.strictObject({ kind: z.literal('table'), title: blockTitleSchema, content: tableContentSchema }),
  z.strictObject({ kind: z.literal('metrics'), title: blockTitleSchema, content: metricsContentSchema }),
]);
export type BlockPayload = z.infer<typeof blockPayloadSchema>;
export type BlockPayloadInput = z.input<typeof blockPayloadSchema>;

const isoDateTime = z.iso.datetime({ offset: true });

export const blockSummarySchema = z.object({
  key: blockKeySchema,
  title: z.string(),
  kind: blockKindSchema,
  revision: z.number().int().positive(),
  updatedAt: isoDateTime,
  source: z.string(),
});
export type BlockSummary = z.infer<typeof blockSummarySchema>;

/** What `blocks.get` returns: the payload plus its bookkeeping. */
export const blockSchema = z.intersection(
  blockPayloadSchema,
  z.object({
    key: blockKeySchema,
    revision: z.number().int().positive(),
    updatedAt: isoDateTime,
    source: z.string(),
  }),
);
export type Block = z.infer<typeof blockSchema>;

/** Where a block is shown: one macro on one page (recorded when the macro is viewed). */
export const blockPlacementSchema = z.object({
  contentId: z.string(),
  lastSeenAt: isoDateTime,
});
export type BlockPlacement = z.infer<typeof blockPlacementSchema>;

/** `GET /ingest/v1/blocks` and the settings page's "Blocks" tab: each block with where it is placed. */
export const blockListItemSchema = blockSummarySchema.extend({ placements: z.array(blockPlacementSchema) });
export type BlockListItem = z.infer<typeof blockListItemSchema>;
export const blockListSchema = z.object({ blocks: z.array(blockListItemSchema) });
export type BlockList = z.infer<typeof blockListSchema>;
