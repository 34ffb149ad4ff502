import type { MirrorEntry } from './store/mirror-repository';

/**
 * Ancestor titles and inherited view restrictions, derived from the mirror's
 * parent links rather than asked of Confluence page by page: the mirror holds
 * every page of the space the app may read, so the chain is local. A view
 * restriction applies to the page's descendants too
 * (docs/platform-notes.md#page-view-restrictions). An ancestor the mirror does
 * not hold (the app may not read it) ends the path.
 */
export function derivePageTree(
  entries: ReadonlyMap<string, MirrorEntry>,
): Map<string, { path: string[]; restricted: boolean }> {
  const derived = new Map<string, { path: string[]; restricted: boolean }>();
  for (const entry of entries.values()) {
    if (entry.status === 'deleted') continue;
    const path: string[] = [];
    let restricted = entry.ownRestricted;
    const visited = new Set([entry.pageId]);
    let parentId = entry.parentId;
    while (parentId !== null && !visited.has(parentId)) {
      const parent = entries.get(parentId);
      if (parent === undefined || parent.status === 'deleted') break;
      visited.add(parentId);
      path.unshift(parent.title);
      restricted ||= parent.ownRestricted;
      parentId = parent.parentId;
    }
    derived.set(entry.pageId, { path, restricted });
  }
  return derived;
}
