import { type AdfDocument, adfDocumentSchema } from '@pagewire/shared';
import type { ConfluenceClient } from '../client';
import { pageSize, paginate } from '../pagination';
import { emptyBodySchema, multiEntityResultSchema, type Page, pageSchema } from '../schemas';
import { idSegment } from './ids';

/**
 * v2 pages (https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-page/).
 * Pagewire writes ADF (`atlas_doc_format`), which travels as a JSON *string*
 * in `body.value` both ways (docs/platform-notes.md#adf-page-bodies).
 */

/** `none` reads metadata only: without `body-format` Confluence sends no body at all. */
export type BodyFormat = 'atlas_doc_format' | 'storage' | 'none';

export type PageBody =
  | { readonly representation: 'atlas_doc_format'; readonly value: AdfDocument }
  | { readonly representation: 'storage'; readonly value: string };

function serialiseBody(body: PageBody): { representation: string; value: string } {
  return body.representation === 'atlas_doc_format'
    ? { representation: 'atlas_doc_format', value: JSON.stringify(body.value) }
    : { representation: 'storage', value: body.value };
}

const pagePath = (id: string) => `/wiki/api/v2/pages/${idSegment(id, 'page')}`;

export async function getPageById(
  client: ConfluenceClient,
  params: { id: string; bodyFormat: BodyFormat; signal?: AbortSignal },
): Promise<Page> {
  const response = await client.send({
    endpoint: 'page.read',
    method: 'GET',
    path: pagePath(params.id),
    query: { 'body-format': params.bodyFormat === 'none' ? undefined : params.bodyFormat },
    schema: pageSchema,
    resource: `page ${params.id}`,
    signal: params.signal,
  });
  return response.data;
}

/**
 * Creates a page (Confluence answers 200, not 201). Never replayed by the
 * transport: a create that "failed" may have succeeded, so after an ambiguous
 * error look the page up with `findPageByTitle` before creating again.
 */
export async function createPage(
  client: ConfluenceClient,
  params: {
    spaceId: string;
    title: string;
    body: PageBody;
    parentId?: string;
    status?: 'current' | 'draft';
    signal?: AbortSignal;
  },
): Promise<Page> {
  const response = await client.send({
    endpoint: 'page.create',
    method: 'POST',
    path: '/wiki/api/v2/pages',
    body: {
      spaceId: params.spaceId,
      status: params.status ?? 'current',
      title: params.title,
      ...(params.parentId ? { parentId: params.parentId } : {}),
      body: serialiseBody(params.body),
    },
    schema: pageSchema,
    resource: `page "${params.title}" in space ${params.spaceId}`,
    signal: params.signal,
  });
  return response.data;
}

/**
 * Replaces the page's title and body (there is no patch). `version.number`
 * must be the current version + 1; a stale one is answered with a
 * ConflictError carrying the current version.
 */
export async function updatePage(
  client: ConfluenceClient,
  params: {
    id: string;
    title: string;
    body: PageBody;
    /**
     * v2's PageUpdateRequest takes `version.number` and `version.message`
     * only; there is no `minorEdit` (docs/platform-notes.md#page-updates-and-watcher-notifications-v2).
     */
    version: { number: number; message?: string };
    status?: 'current' | 'draft';
    parentId?: string;
    signal?: AbortSignal;
  },
): Promise<Page> {
  const response = await client.send({
    endpoint: 'page.update',
    method: 'PUT',
    path: pagePath(params.id),
    body: {
      id: params.id,
      status: params.status ?? 'current',
      title: params.title,
      ...(params.parentId ? { parentId: params.parentId } : {}),
      body: serialiseBody(params.body),
      version: {
        number: params.version.number,
        ...(params.version.message !== undefined ? { message: params.version.message } : {}),
      },
    },
    schema: pageSchema,
    resource: `page ${params.id}`,
    signal: params.signal,
  });
  return response.data;
}

/** Moves the page to the trash (no `purge`): a person can restore it. */
export async function deletePage(
  client: ConfluenceClient,
  params: { id: string; signal?: AbortSignal },
): Promise<void> {
  await client.send({
    endpoint: 'page.delete',
    method: 'DELETE',
    path: pagePath(params.id),
    schema: emptyBodySchema,
    resource: `page ${params.id}`,
    signal: params.signal,
  });
}

/** Every page of a space, optionally only those with an exact title, across all cursor pages. */
export function listPages(
  client: ConfluenceClient,
  params: {
    spaceId: string;
    title?: string;
    status?: 'current' | 'draft' | 'archived' | 'trashed';
    bodyFormat?: BodyFormat;
    /** Page size, 1–250 (Confluence's maximum). */
    limit?: number;
    signal?: AbortSignal;
  },
): AsyncGenerator<Page, void, undefined> {
  return paginate(client, {
    endpoint: 'page.list',
    method: 'GET',
    path: '/wiki/api/v2/pages',
    query: {
      'space-id': params.spaceId,
      title: params.title,
      status: params.status,
      'body-format': params.bodyFormat === 'none' ? undefined : params.bodyFormat,
      limit: pageSize(params.limit),
    },
    schema: multiEntityResultSchema(pageSchema),
    resource: `pages of space ${params.spaceId}`,
    signal: params.signal,
  });
}

/**
 * The current page with this exact title in the space, or null. Titles are
 * unique per space in Confluence; this is how a create whose outcome was
 * ambiguous is checked before trying again.
 */
export async function findPageByTitle(
  client: ConfluenceClient,
  params: { spaceId: string; title: string; bodyFormat?: BodyFormat; signal?: AbortSignal },
): Promise<Page | null> {
  for await (const page of listPages(client, { ...params, status: 'current', limit: 25 })) {
    if (page.title === params.title) return page;
  }
  return null;
}

/** The page's ADF body, parsed; null when the page was read without `atlas_doc_format`. */
export function readAdfBody(page: Page): AdfDocument | null {
  const raw = page.body?.atlas_doc_format?.value;
  if (raw === undefined) return null;
  return adfDocumentSchema.parse(JSON.parse(raw));
}
