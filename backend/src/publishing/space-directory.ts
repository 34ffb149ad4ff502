import type { PublishingConfluence, PublishTarget } from './confluence-gateway';
import type { PageIndex } from './page-index';
import { PermanentPublishError } from './publish-errors';

/** A space as the publisher needs it: its id (to create pages) and its homepage (where the index lives). */
export interface SpaceInfo {
  id: string;
  homepageId: string | null;
}

/**
 * The space's page index as read in one go (page-index.ts), or null when it
 * cannot be read at all (no permission on the homepage).
 */
export type IndexCensus = PageIndex | null;

/** The space, or a permanent failure when it does not exist (or the credential cannot see it). */
export async function loadSpace(confluence: PublishingConfluence, target: PublishTarget): Promise<SpaceInfo> {
  const found = await confluence.findSpace(target);
  if (found === null) {
    throw new PermanentPublishError(
      'space_not_found',
      `Space ${target.spaceKey} does not exist, or Pagewire's credential may not see it.`,
    );
  }
  return found;
}

/**
 * What the publisher remembers about spaces between jobs, so that creating a
 * page in the happy path is only the writes: the space's id and homepage
 * (one lookup per space, not one per create) and the homepage index read in
 * full once (one request per 250 entries) instead of one index read per new
 * page.
 *
 * Why a census may answer "no entry" without asking Confluence: every index
 * entry this engine writes is written from a page's record in the backend's
 * database (page-indexer.ts), and the census is only consulted for external
 * ids the database has no record of. An entry missing from the census can therefore
 * only have been written by a backend with another database after the census
 * was read; entries from before a lost database are in it, because a process
 * reads its census after it started. The census expires after `ttlMs` all the
 * same, which bounds how long a replica that kept running through a lost
 * database can miss an entry (docs/PUBLISHING.md, known limits).
 *
 * Created once per publishing service (no module state); each entry is a
 * promise, so four workers asking at once cause one request.
 */
export interface SpaceDirectory {
  space(target: PublishTarget, load: () => Promise<SpaceInfo>): Promise<SpaceInfo>;
  index(target: PublishTarget, homepageId: string, load: () => Promise<IndexCensus>): Promise<IndexCensus>;
  /** Something the directory said turned out wrong (a 409 on the index, a moved homepage): ask again next time. */
  forget(target: PublishTarget): void;
}

interface Cached<T> {
  value: Promise<T>;
  expiresAt: number;
}

export function createSpaceDirectory(options: { ttlMs: number; now: () => Date }): SpaceDirectory {
  const spaces = new Map<string, Cached<SpaceInfo>>();
  const indexes = new Map<string, Cached<IndexCensus>>();
  const keyOf = (target: PublishTarget) => `${target.installationId}\u0000${target.spaceKey}`;
  const indexKeyOf = (target: PublishTarget, homepageId: string) => `${keyOf(target)}\u0000${homepageId}`;

  function cached<T>(map: Map<string, Cached<T>>, key: string, load: () => Promise<T>): Promise<T> {
    const now = options.now().getTime();
    const hit = map.get(key);
    if (hit !== undefined && hit.expiresAt > now) return hit.value;
    const value = load();
    const entry = { value, expiresAt: now + options.ttlMs };
    map.set(key, entry);
    value.catch(() => {
      // A failed lookup is not remembered: the next job asks again.
      if (map.get(key) === entry) map.delete(key);
    });
    return value;
  }

  return {
    space(target, load) {
      return cached(spaces, keyOf(target), load);
    },
    index(target, homepageId, load) {
      // The census is one object that the indexer updates after each write it makes.
      return cached(indexes, indexKeyOf(target, homepageId), load);
    },
    forget(target) {
      const prefix = keyOf(target);
      spaces.delete(prefix);
      for (const key of indexes.keys()) if (key.startsWith(`${prefix}\u0000`)) indexes.delete(key);
    },
  };
}
