import type { ConfluenceClient } from '../client';
import { pageSize, paginate } from '../pagination';
import { type Label, labelArraySchema } from '../schemas';
import { idSegment } from './ids';

/**
 * Label writes go through v1 (`/wiki/rest/api/content/{id}/label`): the v2 label
 * API is read-only (confluence.js `src/v2/api/label.ts`). v1 checks the
 * classic scope `write:confluence-content` or the granular
 * `read:label:confluence` + `write:label:confluence`
 * (https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-content-labels/),
 * none of which Pagewire's manifest requests; see docs/CONFLUENCE-CLIENT.md.
 */

const labelsPath = (pageId: string) => `/wiki/rest/api/content/${idSegment(pageId, 'page')}/label`;

/** Adds labels (prefix `global`, the kind people add in the editor); existing labels stay. */
export async function addLabelsToPage(
  client: ConfluenceClient,
  params: { pageId: string; labels: readonly string[]; signal?: AbortSignal },
): Promise<Label[]> {
  if (params.labels.length === 0) return [];
  const response = await client.send({
    endpoint: 'label.write',
    method: 'POST',
    path: labelsPath(params.pageId),
    body: params.labels.map((name) => ({ prefix: 'global', name })),
    schema: labelArraySchema,
    resource: `the labels of page ${params.pageId}`,
    signal: params.signal,
  });
  return response.data.results;
}

/**
 * Every label on the page, through v2 `GET /pages/{id}/labels` (cursor
 * pages): the v1 `GET /content/{id}/label` is one of the operations Atlassian
 * removed (docs/platform-notes.md#removed-confluence-v1-operations).
 */
export function listPageLabels(
  client: ConfluenceClient,
  params: { pageId: string; prefix?: string; limit?: number; signal?: AbortSignal },
): AsyncGenerator<Label, void, undefined> {
  return paginate(client, {
    endpoint: 'label.read',
    method: 'GET',
    path: `/wiki/api/v2/pages/${idSegment(params.pageId, 'page')}/labels`,
    query: { prefix: params.prefix, limit: pageSize(params.limit) },
    schema: labelArraySchema,
    resource: `the labels of page ${params.pageId}`,
    signal: params.signal,
  });
}
