import { z } from 'zod';
import { exportPageStatusSchema } from './export';

/**
 * Signed webhooks out (docs/EXPORT.md, "Webhooks"): deliveries follow the
 * Standard Webhooks spec (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`).
 */
export const webhookEventTypes = [
  'page.created',
  'page.updated',
  'page.moved',
  'page.archived',
  'page.unarchived',
  'page.trashed',
  'page.restored',
  'page.deleted',
  'blogpost.created',
  'blogpost.updated',
  'blogpost.moved',
  'blogpost.archived',
  'blogpost.unarchived',
  'blogpost.trashed',
  'blogpost.restored',
  'blogpost.deleted',
  /** Sent only by `webhooks.test`. */
  'webhook.test',
] as const;
export const webhookEventTypeSchema = z.enum(webhookEventTypes);
export type WebhookEventType = z.infer<typeof webhookEventTypeSchema>;

/** The body of every delivery. */
export const webhookEventSchema = z.object({
  type: webhookEventTypeSchema,
  occurredAt: z.string(),
  installationId: z.string(),
  spaceKey: z.string(),
  page: z.object({
    pageId: z.string(),
    title: z.string(),
    version: z.number().int().nonnegative(),
    status: exportPageStatusSchema,
    updatedAt: z.string(),
    checksum: z.string(),
    url: z.string(),
  }),
  actor: z.object({
    accountId: z.string().nullable(),
    /** True when the change is Pagewire's own write (a block snapshot or a published page). */
    isPagewire: z.boolean(),
  }),
});
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

/** Standard Webhooks secrets: `whsec_` + base64 of 32 random bytes; shown once. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

export const webhookCreateInputSchema = z.strictObject({
  url: z.url({ error: 'must be an https:// URL' }).max(2048),
  /** Event types to deliver; all page and blog post events when left out. */
  events: z
    .array(webhookEventTypeSchema.exclude(['webhook.test']))
    .min(1)
    .max(32)
    .optional(),
});

export const webhookStates = ['active', 'paused'] as const;
export const webhookSubscriptionSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(webhookEventTypeSchema),
  state: z.enum(webhookStates),
  createdAt: z.string(),
  createdBy: z.string(),
  deliveries: z.object({
    delivered: z.number().int().nonnegative(),
    pending: z.number().int().nonnegative(),
    deadLettered: z.number().int().nonnegative(),
  }),
  lastSuccessAt: z.string().nullable(),
  lastError: z.object({ at: z.string(), detail: z.string() }).nullable(),
  /** Set when deliveries failed for 3 days and the subscription was paused. */
  pausedAt: z.string().nullable(),
});
export type WebhookSubscription = z.infer<typeof webhookSubscriptionSchema>;
