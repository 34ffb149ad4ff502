import {
  type ContentEventPayload,
  contentEventPayloadSchema,
  type WebhookEvent,
  type WebhookEventType,
  webhookTypeOfContentEvent,
} from '@pagewire/shared';
import type { MirroredPage, MirroredPageChange } from './page-mirror-port';

/**
 * What one Confluence content event becomes (docs/WEBHOOKS.md, "Events in"):
 * the mirror's before/after decides, not the event alone. The event names
 * what happened; the page as read now says where it ended up. When the two
 * disagree about the status (an "updated" event for a page that has since
 * been trashed, an event this app does not subscribe to), the status change
 * the mirror saw wins, so a consumer is never told a trashed page was updated.
 */
export function typeOfChange(
  payload: ContentEventPayload,
  change: MirroredPageChange,
): Exclude<WebhookEventType, 'webhook.test'> {
  const kind = payload.content.type;
  const fromEvent = webhookTypeOfContentEvent(payload.eventType);
  const before = change.before?.status ?? null;
  const after = change.after.status;
  if (after === before || before === null) return fromEvent;
  if (after === 'trashed') return `${kind}.trashed`;
  if (after === 'deleted') return `${kind}.deleted`;
  if (after === 'archived') return `${kind}.archived`;
  // Back to current: from the trash it is a restore, from the archive an unarchive.
  if (before === 'trashed' || before === 'deleted') return `${kind}.restored`;
  if (before === 'archived') return `${kind}.unarchived`;
  return fromEvent;
}

export function parseContentEvent(payload: unknown): ContentEventPayload {
  return contentEventPayloadSchema.parse(payload);
}

/** The webhook body: the same bytes on every attempt, so its signature's meaning never changes. */
export function buildWebhookEvent(input: {
  type: WebhookEventType;
  occurredAt: string;
  installationId: string;
  page: MirroredPage;
  accountId: string | null;
  isPagewire: boolean;
}): WebhookEvent {
  const { page } = input;
  return {
    type: input.type,
    occurredAt: input.occurredAt,
    installationId: input.installationId,
    spaceKey: page.spaceKey,
    page: {
      pageId: page.pageId,
      title: page.title,
      version: page.version,
      status: page.status,
      updatedAt: page.updatedAt,
      checksum: page.checksum,
      url: page.url,
    },
    actor: { accountId: input.accountId, isPagewire: input.isPagewire },
  };
}

/** Who caused the event: the event's own `atlassianId`, else the version's author. */
export function actorOf(payload: ContentEventPayload): string | null {
  return payload.atlassianId ?? payload.content.history?.createdBy?.accountId ?? null;
}
