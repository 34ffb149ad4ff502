import type { ConfluenceClient } from '../client';
import { type Label, labelArraySchema } from '../schemas';
import { idSegment } from './ids';

/**
 * Labels go through v1 (`/wiki/rest/api/content/{id}/label`): the v2 label
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
    operation: 'label.write',
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
 * Every label on the page. v1 pages by offset (`start`, `limit` ≤ 200), and
 * its `_links.next` is relative to `/wiki`, so this walks the offsets itself.
 */
export async function* listPageLabels(
  client: ConfluenceClient,
  params: { pageId: string; prefix?: string; signal?: AbortSignal },
): AsyncGenerator<Label, void, undefined> {
  const limit = 200;
  for (let start = 0; ; ) {
    const response = await client.send({
      operation: 'label.read',
      method: 'GET',
      path: labelsPath(params.pageId),
      query: { prefix: params.prefix, start, limit },
      schema: labelArraySchema,
      resource: `the labels of page ${params.pageId}`,
      signal: params.signal,
    });
    const { results } = response.data;
    for (const label of results) yield label;
    if (results.length === 0 || (results.length < limit && !response.data._links?.next)) return;
    start += results.length;
  }
}
