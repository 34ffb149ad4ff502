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
