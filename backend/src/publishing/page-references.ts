import type { AdfDocument, JobWarning, PageIngestBody } from '@pagewire/shared';
import { pageUrlOf } from './job-automation';
import { linkedExternalIds, type ResolvedLinks, resolvePageLinks } from './page-links';
import { DependencyPendingError, PermanentPublishError } from './publish-errors';
import type { PageStanding, PageTreeRepository } from './store/page-tree-repository';
import type { StoredJob } from './store/queue-types';

/**
 * What a page job needs to know about other pages of its source: the parent
 * it names by external id, and the pages it links to (`pagewire:page/…`).
 */
export interface PageReferences {
  /**
   * The Confluence page id the page goes under: `parentId`, or the page
   * `parentExternalId` was published as. A parent queued in the same run is
   * waited for a little (its job was queued first, so a worker has it or
   * takes it next), then the job is tried again later; a parent that is
   * neither written nor queued fails the job with `parent_not_found`.
   */
  parentIdOf(
    job: StoredJob,
    body: PageIngestBody,
    signal?: AbortSignal,
  ): Promise<{ parentId: string | undefined; warnings: JobWarning[] }>;
  resolveLinks(job: StoredJob, document: AdfDocument): Promise<ResolvedLinks>;
  /**
   * After a write: the links this page could not resolve yet, so the
   * target's creation re-publishes it. Resolves to whether a target was
   * written meanwhile (its creation may have looked for linking pages before
   * this record existed): then the caller publishes this page again itself.
   */
  recordUnresolved(job: StoredJob, unresolved: readonly string[]): Promise<boolean>;
}

export interface PageReferencesDeps {
  trees: PageTreeRepository;
  siteUrlOf(installationId: string): Promise<string | null>;
  now(): Date;
  /** How long a job waits in the worker for a parent queued before it. */
  parentWaitMs?: number;
  pollMs?: number;
}

export function createPageReferences(deps: PageReferencesDeps): PageReferences {
  const parentWaitMs = deps.parentWaitMs ?? 10_000;
  const pollMs = deps.pollMs ?? 100;

  async function waitWhilePending(job: StoredJob, externalId: string, signal?: AbortSignal) {
    const deadline = performance.now() + parentWaitMs;
    for (;;) {
      const standing = await deps.trees.standing(job.installationId, job.spaceKey, externalId);
      if (standing.state !== 'pending' || performance.now() >= deadline || signal?.aborted) return standing;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  return {
    async parentIdOf(job, body, signal) {
      const parent = body.parentExternalId;
      if (parent === undefined) return { parentId: body.parentId, warnings: [] };
      if (job.dryRun) {
        // A dry run writes nothing, so it never waits: a parent not written yet is one the real run creates first.
        const standing = await deps.trees.standing(job.installationId, job.spaceKey, parent);
        if (standing.state === 'written') return { parentId: standing.pageId, warnings: [] };
        return {
          parentId: undefined,
          warnings: [
            {
              // Not `parent_not_found`: in a dry run of a new tree the parent is only planned, like this page.
              code: standing.state === 'pending' ? 'parent_pending' : 'parent_not_published',
              detail: `The parent "${parent}" is not published yet${standing.state === 'pending' ? ' (its job is queued)' : ''}; a real run needs it published first or in the same run. The plan shows the page where it is now.`,
            },
          ],
        };
      }
      const standing = await waitWhilePending(job, parent, signal);
      if (standing.state === 'written') return { parentId: standing.pageId, warnings: [] };
      if (standing.state === 'pending') {
        throw new DependencyPendingError(
          `The parent "${parent}" is queued but not published yet; this page follows it.`,
        );
      }
      throw new PermanentPublishError(
        'parent_not_found',
        `The parent "${parent}" is not a page Pagewire published in space ${job.spaceKey}, and no job for it is queued; publish it first.`,
      );
    },

    async resolveLinks(job, document) {
      const targets = linkedExternalIds(document);
      if (targets.length === 0) return { document, warnings: [], unresolved: [] };
      const standings = new Map<string, PageStanding>();
      for (const target of targets) {
        standings.set(target, await deps.trees.standing(job.installationId, job.spaceKey, target));
      }
      const siteUrl = await deps.siteUrlOf(job.installationId);
      // Without the site's URL (not seen yet), a site-relative link: Confluence opens it on its own site.
      const urlOf = (pageId: string) => pageUrlOf(siteUrl ?? '', job.spaceKey, pageId);
      return resolvePageLinks(document, standings, urlOf);
    },

    async recordUnresolved(job, unresolved) {
      if (job.dryRun || job.externalId === null) return false;
      await deps.trees.replacePendingLinks(
        job.installationId,
        job.spaceKey,
        job.externalId,
        unresolved,
        deps.now().toISOString(),
      );
      for (const target of unresolved) {
        const standing = await deps.trees.standing(job.installationId, job.spaceKey, target);
        if (standing.state === 'written') return true;
      }
      return false;
    },
  };
}
