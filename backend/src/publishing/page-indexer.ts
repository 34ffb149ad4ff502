import type { Logger } from 'pino';
import {
  isBadRequestError,
  isConflictError,
  isForbiddenError,
  isNotFoundError,
  isScopeError,
} from '../confluence/errors';
import type { PublishingConfluence, PublishTarget } from './confluence-gateway';
import { applyIndexWrite, loadPageIndex, planIndexWrite } from './page-index';
import { isPermanentPublishError } from './publish-errors';
import { loadSpace, type SpaceDirectory } from './space-directory';
import type { PageIdentityRepository, UnindexedPage } from './store/page-identity-repository';

/** Entries per chunk write: 100 × (externalId ≤ 128 + page id) stays far under a property's 32 KB. */
const ENTRIES_PER_WRITE = 100;
/** A space whose homepage index cannot be written is not tried again for this long. */
const UNAVAILABLE_BACKOFF_MS = 5 * 60_000;

export interface PageIndexer {
  /** Writes the index entries the database has and the homepage index lacks; resolves to how many. */
  flush(): Promise<number>;
}

/**
 * Keeps the space's homepage index (page-index.ts) in step with the backend's
 * records, in batches: a new page costs its create and its ownership property,
 * and the index entries of all the pages created in a few seconds cost one
 * property write together. The index matters only after a lost database (to
 * find a page renamed meanwhile); a page created less than one flush before
 * the database was lost is still found by its title and ownership property.
 * Driven by the database, so a crash loses nothing: rows stay unindexed until
 * a flush (on any replica, after any restart) writes them.
 */
export function createPageIndexer(deps: {
  identities: PageIdentityRepository;
  spaces: SpaceDirectory;
  confluence: PublishingConfluence;
  logger: Logger;
  now: () => Date;
  batchLimit?: number;
}): PageIndexer {
  const unavailableUntil = new Map<string, number>();

  async function indexSpace(target: PublishTarget, pages: UnindexedPage[]): Promise<number> {
    const space = await deps.spaces.space(target, () => loadSpace(deps.confluence, target));
    if (space.homepageId === null) return -1;
    const homepageId = space.homepageId;
    const index = await deps.spaces.index(target, homepageId, () =>
      loadPageIndex(deps.confluence, target, homepageId),
    );
    if (index === null) return -1;
    // Already named by the index (a page found again through it): nothing to write.
    const named = pages.filter((page) => index.entries.get(page.externalId) === page.pageId);
    await deps.identities.markIndexed(named);
    const pending = pages.filter((page) => index.entries.get(page.externalId) !== page.pageId);
    let written = 0;
    while (pending.length > 0) {
      const batch = pending.splice(0, ENTRIES_PER_WRITE);
      const plan = planIndexWrite(index, new Map(batch.map((page) => [page.externalId, page.pageId])));
      const property = await deps.confluence.putProperty(
        target,
        homepageId,
        plan.key,
        { entries: plan.entries },
        plan.existing,
      );
      applyIndexWrite(index, { number: plan.number, property, entries: plan.entries });
      await deps.identities.markIndexed(batch);
      written += batch.length;
    }
    return written;
  }

  return {
    async flush() {
      const rows = await deps.identities.listUnindexed(deps.batchLimit ?? 1_000);
      const bySpace = new Map<string, UnindexedPage[]>();
      for (const row of rows) {
        const key = `${row.installationId}\u0000${row.spaceKey}`;
        bySpace.set(key, [...(bySpace.get(key) ?? []), row]);
      }
      let written = 0;
      for (const [key, pages] of bySpace) {
        if ((unavailableUntil.get(key) ?? 0) > deps.now().getTime()) continue;
        const target = { installationId: pages[0]!.installationId, spaceKey: pages[0]!.spaceKey };
        try {
          const count = await indexSpace(target, pages);
          if (count < 0) unavailableUntil.set(key, deps.now().getTime() + UNAVAILABLE_BACKOFF_MS);
          else written += count;
        } catch (error) {
          if (isConflictError(error) || isBadRequestError(error)) {
            // Another replica wrote the same chunk: read the index again next time.
            deps.spaces.forget(target);
          } else if (
            isScopeError(error) ||
            isForbiddenError(error) ||
            isNotFoundError(error) ||
            isPermanentPublishError(error)
          ) {
            unavailableUntil.set(key, deps.now().getTime() + UNAVAILABLE_BACKOFF_MS);
            deps.logger.warn(
              { spaceKey: target.spaceKey, installationId: target.installationId, err: error },
              "the space's page index could not be written; pages are still found by title and ownership property",
            );
          } else {
            deps.logger.warn(
              { spaceKey: target.spaceKey, installationId: target.installationId, err: error },
              "writing the space's page index failed; the next flush tries again",
            );
          }
        }
      }
      return written;
    },
  };
}
