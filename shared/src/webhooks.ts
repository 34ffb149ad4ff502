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

/** Event types a subscription may ask for; all page and blog post events when left out. */
const subscribedEventsSchema = z
  .array(webhookEventTypeSchema.exclude(['webhook.test']))
  .min(1)
  .max(32)
  .optional();

export const webhookCreateInputSchema = z.strictObject({
  url: z.url({ error: 'must be an https:// URL' }).max(2048),
  /** Event types to deliver; all page and blog post events when left out. */
  events: subscribedEventsSchema,
});

/**
 * A Standard Webhooks secret an operator chose: `whsec_` + base64 of 24 to 64
 * bytes (the spec's range). Messages never quote the value.
 */
export const webhookSecretSchema = z.string({ error: 'must be a string' }).refine(
  (value) => {
    if (!value.startsWith(WEBHOOK_SECRET_PREFIX)) return false;
    const encoded = value.slice(WEBHOOK_SECRET_PREFIX.length);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return false;
    const bytes = (encoded.length / 4) * 3 - (encoded.match(/=+$/)?.[0].length ?? 0);
    return bytes >= 24 && bytes <= 64;
  },
  { error: 'must be whsec_ followed by base64 of 24 to 64 random bytes (whsec_$(openssl rand -base64 32))' },
);

/**
 * One subscription an operator declares in the backend's config
 * (`PAGEWIRE_WEBHOOKS`, in-house deployments; docs/WEBHOOKS.md, "Operator
 * subscriptions"): every space when `spaceKey` is left out, the operator's
 * own secret instead of a generated one.
 */
export const operatorWebhookSchema = z.strictObject({
  spaceKey: z.string().trim().min(1).max(255).optional(),
  url: z.url({ error: 'must be an https:// URL' }).max(2048),
  events: subscribedEventsSchema,
  secret: webhookSecretSchema,
});
export type OperatorWebhook = z.infer<typeof operatorWebhookSchema>;

/** The whole `PAGEWIRE_WEBHOOKS` list: one subscription per URL (the URL is what keeps it in sync). */
export const operatorWebhooksSchema = z
  .array(operatorWebhookSchema)
  .max(100)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((webhook, index) => {
      if (seen.has(webhook.url)) {
        ctx.addIssue({ code: 'custom', path: [index, 'url'], message: 'is listed twice; one entry per URL' });
      }
      seen.add(webhook.url);
    });
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
  /**
   * `operator`: declared in the backend's config (`PAGEWIRE_WEBHOOKS`); only
   * the operator can change or remove it, `webhooks.delete` answers
   * `409 webhook_managed_by_operator`.
   */
  managedBy: z.enum(['space-admin', 'operator']),
});
export type WebhookSubscription = z.infer<typeof webhookSubscriptionSchema>;
