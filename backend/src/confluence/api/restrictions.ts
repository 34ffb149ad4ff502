import { z } from 'zod';
import type { ConfluenceClient } from '../client';
import { idSegment } from './ids';

/**
 * View restrictions are v1 only: `GET /wiki/rest/api/content/{id}/restriction/byOperation/read`
 * lists the users and groups a page's own read restriction names
 * (docs/platform-notes.md#page-view-restrictions). Restrictions inherited from
 * an ancestor are not in it: the caller derives them from the page tree.
 */

const subjectsSchema = z.looseObject({ results: z.array(z.unknown()), size: z.number().int().optional() });

export const readRestrictionSchema = z.looseObject({
  operation: z.string(),
  restrictions: z
    .looseObject({ user: subjectsSchema.optional(), group: subjectsSchema.optional() })
    .nullish(),
});

/** Whether the page carries a read (view) restriction of its own. */
export async function hasOwnViewRestriction(
  client: ConfluenceClient,
  params: { pageId: string; signal?: AbortSignal },
): Promise<boolean> {
  const response = await client.send({
    endpoint: 'restriction.read',
    method: 'GET',
    path: `/wiki/rest/api/content/${idSegment(params.pageId, 'page')}/restriction/byOperation/read`,
    // One subject is enough to know there is a restriction; the names are not needed.
    query: { limit: 1 },
    schema: readRestrictionSchema,
    resource: `the view restrictions of page ${params.pageId}`,
    signal: params.signal,
  });
  const restrictions = response.data.restrictions;
  return (restrictions?.user?.results.length ?? 0) > 0 || (restrictions?.group?.results.length ?? 0) > 0;
}
