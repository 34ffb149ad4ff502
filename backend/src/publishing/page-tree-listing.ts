import type { TreePage, TreePageList } from '@pagewire/shared';
import type { IngestPrincipal } from '../auth/ingest-key';
import type { InstallationRepository } from '../store/installation-repository';
import { type JobAutomation, pageUrlOf } from './job-automation';
import type { PageIdentityRepository } from './store/page-identity-repository';
import type { PageTreeRepository } from './store/page-tree-repository';

/** How many pages one answer of the tree listing carries. */
export const TREE_PAGE_LIMIT = 200;

/** A `nextCursor` this listing did not hand out. */
export class InvalidTreeCursorError extends Error {
  override readonly name = 'InvalidTreeCursorError';
}

export interface PageTreeListingDeps {
  trees: PageTreeRepository;
  identities: PageIdentityRepository;
  installations: InstallationRepository;
  automation: Pick<JobAutomation, 'findJob'>;
}

/**
 * `GET /ingest/v1/trees/{tree}/pages`: every page published with this
 * `origin.tree` in the key's space, current and archived, in external-id
 * order, `TREE_PAGE_LIMIT` at a time. What a docs-as-code tool compares its
 * folder with: renames, moves, orphans and unchanged files (`sourceHash`).
 */
export function createPageTreeListing(deps: PageTreeListingDeps) {
  return async function listTreePages(
    principal: IngestPrincipal,
    tree: string,
    cursor: string | undefined,
  ): Promise<TreePageList> {
    const after = cursor === undefined ? null : decodeCursor(cursor);
    const rows = await deps.trees.listTree(
      principal.installationId,
      principal.spaceKey,
      tree,
      after,
      TREE_PAGE_LIMIT + 1,
    );
    const installation = await deps.installations.find(principal.installationId);
    const siteUrl = installation?.siteUrl?.replace(/\/+$/, '') ?? null;
    const pages: TreePage[] = [];
    for (const row of rows.slice(0, TREE_PAGE_LIMIT)) {
      const identity = await deps.identities.find(
        principal.installationId,
        principal.spaceKey,
        row.external_id,
      );
      const pageId = identity?.pageId ?? null;
      pages.push({
        externalId: row.external_id,
        origin: { tree: row.tree, path: row.path, sourceHash: row.source_hash },
        title: row.title,
        parentExternalId: row.parent_external_id,
        pageId,
        ...(pageId === null || siteUrl === null
          ? {}
          : { pageUrl: pageUrlOf(siteUrl, principal.spaceKey, pageId) }),
        status: row.status === 'archived' ? 'archived' : 'current',
        updatedAt: row.updated_at,
        lastJob: await deps.automation.findJob(principal, row.last_job_id),
      });
    }
    const last = pages.at(-1);
    return {
      tree,
      pages,
      nextCursor: rows.length > TREE_PAGE_LIMIT && last !== undefined ? encodeCursor(last.externalId) : null,
    };
  };
}

export type ListTreePages = ReturnType<typeof createPageTreeListing>;

function encodeCursor(externalId: string): string {
  return Buffer.from(`after:${externalId}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith('after:') || decoded.length <= 'after:'.length) throw new InvalidTreeCursorError();
  return decoded.slice('after:'.length);
}
