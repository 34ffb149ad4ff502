import { isBadRequestError, isNotFoundError } from '../confluence/errors';
import type { PublishingConfluence, PublishTarget } from './confluence-gateway';
import { PermanentPublishError } from './publish-errors';

/**
 * Confluence answers a create or a move under a parent it cannot use with a
 * 404 (or a 400) that says nothing about the parent, so the job's error would
 * name the page's title. When the request gave a `parentId`, such a refusal is
 * checked against the parent (only then: the happy path costs no extra
 * request). Resolves to the error that names the parent when it is missing,
 * null when the parent is there and the refusal means something else.
 */
export async function missingParentError(
  error: unknown,
  confluence: PublishingConfluence,
  target: PublishTarget,
  parentId: string | undefined,
): Promise<PermanentPublishError | null> {
  if (parentId === undefined || !(isNotFoundError(error) || isBadRequestError(error))) return null;
  if ((await confluence.getPage(target, parentId)) !== null) return null;
  return new PermanentPublishError(
    'confluence_not_found',
    `The parent page ${parentId} given as "parentId" does not exist in space ${target.spaceKey}, or Pagewire may not see it. Give the id of a page in this space, or leave "parentId" out to publish under the space homepage.`,
  );
}
