import { z } from 'zod';
import type { WebhookEventType } from './webhooks';

/**
 * Confluence's page and blog post product events as Forge delivers them to a
 * remote `trigger` endpoint (docs/platform-notes.md#confluence-content-events).
 * The body names what changed, never the version: the receiver reads the page
 * for that, so a repeated or late event can't move anything backwards. Who the
 * tenant is comes from the signed FIT only; unknown fields pass.
 */

/** The events Pagewire's trigger subscribes to (manifest.yml `pagewire-content-events`). */
export const subscribedContentEvents = [
  'avi:confluence:created:page',
  'avi:confluence:updated:page',
  'avi:confluence:moved:page',
  'avi:confluence:archived:page',
  'avi:confluence:unarchived:page',
  'avi:confluence:restored:page',
  'avi:confluence:created:blogpost',
  'avi:confluence:updated:blogpost',
  'avi:confluence:restored:blogpost',
] as const;

/**
 * Every page and blog post event that changes what a consumer sees, including
 * the ones the app does not subscribe to (trashed and deleted need
 * `write:confluence-content` today, CONFCLOUD-82890): the devkit can emit them
 * all, and the backend maps any of them should the manifest subscribe later.
 */
export const contentEventTypes = [
  ...subscribedContentEvents,
  'avi:confluence:trashed:page',
  'avi:confluence:deleted:page',
  'avi:confluence:trashed:blogpost',
  'avi:confluence:deleted:blogpost',
] as const;
export type ContentEventType = (typeof contentEventTypes)[number];

const contentEventTypeSchema = z.enum(contentEventTypes);

const eventUserSchema = z.looseObject({
  accountId: z.string().max(128).optional(),
  accountType: z.string().max(32).optional(),
});

export const contentEventContentSchema = z.looseObject({
  id: z.string().regex(/^\d{1,20}$/, 'must be a Confluence content id'),
  type: z.enum(['page', 'blogpost']),
  status: z.string().max(32),
  title: z.string().max(1024),
  space: z.looseObject({
    id: z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)]),
    key: z.string().min(1).max(255),
  }),
  history: z
    .looseObject({
      latest: z.boolean().optional(),
      createdBy: eventUserSchema.optional(),
      createdDate: z.string().max(64).optional(),
    })
    .optional(),
});

export const contentEventPayloadSchema = z.looseObject({
  eventType: contentEventTypeSchema,
  /** The user who caused the event. */
  atlassianId: z.string().max(128).optional(),
  content: contentEventContentSchema,
  /** Only on `moved` events: the content as it was. */
  prevContent: contentEventContentSchema.optional(),
  retryContext: z
    .looseObject({ retryCount: z.number().optional(), retryReason: z.string().optional() })
    .nullable()
    .optional(),
});
export type ContentEventPayload = z.infer<typeof contentEventPayloadSchema>;

/** `avi:confluence:updated:page` → `page.updated`: the webhook type a content event becomes. */
export function webhookTypeOfContentEvent(
  eventType: ContentEventType,
): Exclude<WebhookEventType, 'webhook.test'> {
  const [, , action, kind] = eventType.split(':') as [string, string, string, 'page' | 'blogpost'];
  return `${kind}.${action}` as Exclude<WebhookEventType, 'webhook.test'>;
}
