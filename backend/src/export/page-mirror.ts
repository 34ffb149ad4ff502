import type { AdfDocument, ExportPageStatus } from '@pagewire/shared';

/**
 * The mirror of a space's pages as the export keeps it (docs/EXPORT.md): one
 * row per page the app may read, kept as a tombstone for 30 days once the
 * page is gone. Other parts of the backend (the change-event handler) build
 * on these types and on `ExportModule.refreshPage`.
 */

/** Which space of which installation: the mirror is kept per installation and space. */
export interface MirrorTarget {
  readonly installationId: string;
  readonly spaceKey: string;
}

/** One row of the mirror. */
export interface MirroredPage {
  readonly installationId: string;
  readonly spaceKey: string;
  readonly pageId: string;
  readonly title: string;
  readonly status: ExportPageStatus;
  /** The Confluence version number; it only ever goes up in the mirror. */
  readonly version: number;
  readonly parentId: string | null;
  /** Ancestor titles, root first, as far as the mirror knows the ancestors. */
  readonly path: readonly string[];
  readonly labels: readonly string[];
  /** sha256 (hex) of the canonical ADF body; empty for a page deleted before it was read. */
  readonly checksum: string;
  /** The page in Confluence's web UI; empty when unknown. */
  readonly url: string;
  /** The version's time (or when Pagewire found the page trashed or gone). */
  readonly updatedAt: string;
  /** When the mirror recorded this state. */
  readonly changedAt: string;
  /** The position of this state in the space's change feed. */
  readonly changeSeq: number;
  /** The page itself carries a view restriction. */
  readonly ownRestricted: boolean;
  /** It or an ancestor does: left out of the export unless `includeRestricted`. */
  readonly restricted: boolean;
  /** When the page was found gone (status `deleted`); null otherwise. */
  readonly deletedAt: string | null;
}

/**
 * What `ExportModule.refreshPage` returns when the mirror changed: the row
 * before (null for a page the mirror did not have) and after. A refresh that
 * changed nothing (same version and metadata, or an older version than the
 * mirror's) returns null instead.
 */
export interface MirroredPageChange {
  readonly installationId: string;
  readonly spaceKey: string;
  /** Confluence's numeric space id. */
  readonly spaceId: string;
  readonly pageId: string;
  readonly before: MirroredPage | null;
  readonly after: MirroredPage;
}

/** A page as one read from Confluence saw it: what the mirror is updated from. */
export interface ObservedPage {
  readonly pageId: string;
  readonly title: string;
  readonly status: Exclude<ExportPageStatus, 'deleted'>;
  readonly version: number;
  readonly parentId: string | null;
  readonly labels: readonly string[];
  readonly url: string;
  readonly updatedAt: string;
  readonly ownRestricted: boolean;
  /** The body of `version`, when it was read. */
  readonly body: AdfDocument | null;
}

/** The part of `ExportModule` the change-event handler calls. */
export interface PageRefresher {
  /**
   * Reads one page from Confluence now and upserts it into the mirror
   * idempotently: the higher version wins and the mirror never goes back; a
   * page Confluence no longer has becomes a tombstone. Resolves to the change,
   * or null when nothing changed or export is off for the space.
   */
  refreshPage(installationId: string, spaceId: string, pageId: string): Promise<MirroredPageChange | null>;
}

/**
 * Told of every change a sync run (backfill excepted) records in the mirror:
 * the webhooks announce what Confluence's events did not tell (a page trashed,
 * deleted or restored without an event, events missed while the backend was
 * down). A port the composition root wires; the export knows nothing of
 * webhooks. A change an event already announced never reaches it twice: the
 * mirror only reports what moved it.
 */
export interface ChangeAnnouncer {
  announce(change: MirroredPageChange): Promise<void>;
}
