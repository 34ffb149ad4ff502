import type { WebhookEventType } from '@pagewire/shared';
import type { MirroredPageChange, ReconcileAnnouncerPort } from './page-mirror-port';
import type { InboundEventRepository } from './store/inbound-event-repository';

type ContentWebhookType = Exclude<WebhookEventType, 'webhook.test'>;

/** The intake payload of a change the reconcile found (not a Confluence event). */
export interface ReconcileAnnouncement {
  source: 'pagewire:reconcile';
  type: ContentWebhookType;
}

export function isReconcileAnnouncement(payload: unknown): payload is ReconcileAnnouncement {
  return (
    typeof payload === 'object' &&
    payload !== null &&
    (payload as { source?: unknown }).source === 'pagewire:reconcile'
  );
}

/**
 * What a change the reconcile recorded is worth telling, by the mirror's
 * before and after (the export mirrors pages only): a status change first
 * (trashed, deleted, archived; back from the trash a restore, from the
 * archive an unarchive), then a new version, then a new parent. Null for a
 * change a consumer has no event type for (labels, the ancestor path).
 */
export function typeOfReconciledChange(change: MirroredPageChange): ContentWebhookType | null {
  const { before, after } = change;
  if (before === null) return after.status === 'current' ? 'page.created' : statusType(null, after.status);
  if (before.status !== after.status) return statusType(before.status, after.status);
  if (after.version > before.version) return 'page.updated';
  if ((after.parentId ?? null) !== (before.parentId ?? null)) return 'page.moved';
  return null;
}

function statusType(before: string | null, after: string): ContentWebhookType | null {
  if (after === 'trashed') return 'page.trashed';
  if (after === 'deleted') return before === null ? null : 'page.deleted';
  if (after === 'archived') return 'page.archived';
  if (before === 'trashed' || before === 'deleted') return 'page.restored';
  if (before === 'archived') return 'page.unarchived';
  return null;
}

/**
 * The webhooks' side of the export's `ChangeAnnouncer`: a change worth
 * telling is queued into the intake with the change already attached, so it
 * takes its place among the page's events and goes through the same
 * classification (Pagewire's own version or a person's) and delivery.
 */
export function createReconcileAnnouncer(deps: {
  inbound: InboundEventRepository;
  newId: () => string;
  now: () => Date;
  onQueued(): void;
}): ReconcileAnnouncerPort {
  return {
    async announce(change) {
      const type = typeOfReconciledChange(change);
      if (type === null) return;
      const payload: ReconcileAnnouncement = { source: 'pagewire:reconcile', type };
      await deps.inbound.insert({
        id: deps.newId(),
        installationId: change.installationId,
        contentId: change.after.pageId,
        payload,
        change: { before: change.before, after: change.after },
        receivedAt: deps.now(),
      });
      deps.onQueued();
    },
  };
}
