import { z } from 'zod';

export const activityActions = [
  'settings.updated',
  'api_token.set',
  'api_token.rejected',
  'api_token.removed',
  'api_token.checked',
  'api_token.expiring',
  'ingest_key.created',
  'ingest_key.revoked',
  'block.updated',
  'block.deleted',
  'snapshot.written',
  'snapshot.failed',
  'page.published',
  'page.unchanged',
  'page.skipped_human_edit',
  'page.failed',
  'page.dry_run',
  /** An archive job archived the page (a docs tree's orphan, docs/PUBLISHING.md "Page trees"). */
  'page.archived',
  'page.overwrite_requested',
  'page.released',
  'export_key.created',
  'export_key.revoked',
  /** A backfill or reconcile of the export mirror finished; the detail says how many pages changed. */
  'export.synced',
  'export.sync_failed',
  'webhook.created',
  'webhook.deleted',
  'webhook.paused',
] as const;
export const activityActionSchema = z.enum(activityActions);
export type ActivityAction = z.infer<typeof activityActionSchema>;

export const activityResults = ['ok', 'skipped', 'failed', 'warning'] as const;
export const activityResultSchema = z.enum(activityResults);
export type ActivityResult = z.infer<typeof activityResultSchema>;

export const activityActorSchema = z.object({
  kind: z.enum(['user', 'source', 'system']),
  /** accountId for users, the source name for sources, `pagewire` for the system. */
  id: z.string(),
});
export type ActivityActor = z.infer<typeof activityActorSchema>;

export const activityItemSchema = z.object({
  id: z.string(),
  at: z.iso.datetime({ offset: true }),
  actor: activityActorSchema,
  action: activityActionSchema,
  result: activityResultSchema,
  /** Human-readable, secret-free. */
  detail: z.string().optional(),
  pageId: z.string().optional(),
  /** The Confluence version written, when the action wrote one. */
  version: z.number().int().optional(),
  /**
   * Set when this row stands for several routine rows in a row (a source
   * writing every few seconds): how many, and when the oldest of them was.
   * The rest of the row is the newest one's.
   */
  count: z.number().int().min(2).optional(),
  /** On page rows about a person's edit (left alone or overwritten): who edited the page, and when. */
  humanEdit: z.object({ by: z.string(), at: z.string() }).optional(),
  firstAt: z.iso.datetime({ offset: true }).optional(),
});
export type ActivityItem = z.infer<typeof activityItemSchema>;

/**
 * What the activity log can be narrowed to: `admin` is what people did (settings, tokens, keys, deletions),
 * `publishing` what went to blocks and pages, `errors` what failed or warned, `export` the export keys and the
 * export mirror's syncs (docs/EXPORT.md).
 */
export const activityKinds = ['admin', 'publishing', 'errors', 'export'] as const;
export const activityKindSchema = z.enum(activityKinds);
export type ActivityKind = z.infer<typeof activityKindSchema>;

export const publishingActivityActions: readonly ActivityAction[] = [
  'block.updated',
  'snapshot.written',
  'snapshot.failed',
  'page.published',
  'page.unchanged',
  'page.skipped_human_edit',
  'page.failed',
  'page.dry_run',
  'page.archived',
];

export const exportActivityActions: readonly ActivityAction[] = [
  'export_key.created',
  'export_key.revoked',
  'export.synced',
  'export.sync_failed',
];
