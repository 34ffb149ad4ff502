/**
 * Pagewire marks every page version it writes in the version's own message,
 * which travels with the update itself: no second request per update. The
 * page's ownership property (`page-ownership.ts`) says *which* source owns the
 * page and is written on create and re-discovery only; the marker says *which
 * versions* are Pagewire's and what content they hold, so a backend that lost
 * (or restored an old copy of) its database still tells its own latest write
 * from a person's edit by reading the page once. Confluence keeps the message
 * as given and returns it with the page (`version.message`,
 * docs/platform-notes.md#page-updates-and-watcher-notifications-v2).
 *
 * The marker is readable in the page history ("… (published by Pagewire,
 * content 3f2a…)"). Only the first 16 hex digits of the content hash are
 * carried: enough to tell "the page holds what this job would write" (64 bits)
 * and short enough for a history line.
 */

const MARKER_HASH_LENGTH = 16;
/** The longest message sent: a version message is kept to 255 characters here, the marker included. */
const MAX_MESSAGE_LENGTH = 255;
const MARKER_PATTERN = /\(published by Pagewire, content ([0-9a-f]{16})\)$/;

/** The version message Pagewire sends: the source's own message, if any, then the marker. */
export function markVersionMessage(sourceMessage: string | undefined, contentHash: string): string {
  const marker = `(published by Pagewire, content ${contentHash.slice(0, MARKER_HASH_LENGTH)})`;
  const own = sourceMessage?.trim() ?? '';
  if (own === '') return marker;
  // The source's words give way, never the marker: it must end the message.
  const room = MAX_MESSAGE_LENGTH - marker.length - 1;
  const kept = own.length <= room ? own : `${own.slice(0, room - 1).trimEnd()}…`;
  return `${kept} ${marker}`;
}

/** The content-hash prefix a Pagewire version carries, or null for a version someone else wrote. */
export function readVersionMarker(message: string | null | undefined): string | null {
  if (message === null || message === undefined) return null;
  return MARKER_PATTERN.exec(message)?.[1] ?? null;
}

/** Whether a marker's hash prefix names exactly this content. */
export function markerMatches(marker: string, contentHash: string): boolean {
  return marker.length === MARKER_HASH_LENGTH && contentHash.startsWith(marker);
}
