import { z } from 'zod';
import type { ConfluenceClient } from '../client';
import { nextLinkFromHeader, pageSize } from '../pagination';
import { multiEntityResultSchema, pageSchema } from '../schemas';
import { idSegment } from './ids';

/**
 * `GET /wiki/api/v2/spaces/{id}/pages` with status filters and a sort
 * (docs/platform-notes.md#listing-a-spaces-pages): metadata only (no
 * `body-format`), 250 a page, every `_links.next` followed.
 */
export type ListedPageStatus = 'current' | 'archived' | 'trashed';

/** One listing page and the link to the next one: what a resumable crawl checkpoints between. */
export async function listSpacePagesOnce(
  client: ConfluenceClient,
  params: {
    spaceId: string;
    statuses: readonly ListedPageStatus[];
    /** A `_links.next` from the previous page; the first page when null. */
    next: string | null;
    limit?: number;
    signal?: AbortSignal;
  },
) {
  const response = await client.send({
    endpoint: 'page.list',
    method: 'GET',
    ...(params.next === null
      ? {
          path: `/wiki/api/v2/spaces/${idSegment(params.spaceId, 'space')}/pages`,
          query: { status: params.statuses, sort: 'id', limit: pageSize(params.limit) },
        }
      : // The link carries every query parameter already (docs/platform-notes.md#cursor-pagination).
        { path: params.next }),
    schema: multiEntityResultSchema(pageSchema),
    resource: `pages of space ${params.spaceId}`,
    signal: params.signal,
  });
  const fromHeader = nextLinkFromHeader(response.headers.get('link'));
  return { pages: response.data.results, next: fromHeader ?? response.data._links?.next ?? null };
}

const pageLabelsSchema = z
  .looseObject({
    results: z.array(z.looseObject({ name: z.string(), prefix: z.string().optional() })),
    meta: z.looseObject({ hasMore: z.boolean().optional() }).nullish(),
  })
  .nullish();

/** A page read with its ADF body and (up to 50) labels in one request: `include-labels=true`. */
export const pageWithLabelsSchema = pageSchema.extend({ labels: pageLabelsSchema });
export type PageWithLabels = z.infer<typeof pageWithLabelsSchema>;

export async function getPageForExport(
  client: ConfluenceClient,
  params: { id: string; signal?: AbortSignal },
): Promise<PageWithLabels> {
  const response = await client.send({
    endpoint: 'page.read',
    method: 'GET',
    path: `/wiki/api/v2/pages/${idSegment(params.id, 'page')}`,
    // Trashed and archived pages are only found when asked for (docs/platform-notes.md#listing-a-spaces-pages).
    query: {
      'body-format': 'atlas_doc_format',
      'include-labels': true,
      status: ['current', 'archived', 'trashed'],
    },
    schema: pageWithLabelsSchema,
    resource: `page ${params.id}`,
    signal: params.signal,
  });
  return response.data;
}
