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
});
export type ActivityItem = z.infer<typeof activityItemSchema>;
