import type { ExportPageStatus } from '@pagewire/shared';

/**
 * What the webhooks need of the export mirror (backend/src/export/, issue 18):
 * fetch one page now and upsert it. The mirror is idempotent and the higher
 * page version wins, so an event that repeats or arrives late changes
 * nothing and answers null. The lead wires the export extension's mirror
 * here (webhooks-extension.ts `mirror`).
 */
export interface MirroredPage {
  pageId: string;
  title: string;
  version: number;
  status: ExportPageStatus;
  updatedAt: string;
  /** sha256 of the canonical ADF body, hex. */
  checksum: string;
  url: string;
  spaceKey: string;
  /** The parent page, when the mirror knows it (a change of it is a move). */
  parentId?: string | null;
}

export interface MirroredPageChange {
  /** The mirror's row before, or null for a page it did not know. */
  before: MirroredPage | null;
  after: MirroredPage;
}

export interface PageMirrorPort {
  /** Null when the page is as the mirror already had it (a repeated or out-of-date event). */
  refreshPage(installationId: string, spaceId: string, pageId: string): Promise<MirroredPageChange | null>;
}

/**
 * What the export's reconcile calls with a change it found in Confluence that
 * may have come without an event (docs/WEBHOOKS.md, "What events can't
 * tell"): the webhooks queue it into the same intake as events, so it is
 * announced in order with the page's events.
 */
export interface ReconcileAnnouncerPort {
  announce(change: MirroredPageChange & { installationId: string }): Promise<void>;
}
