import type { AdfDocument } from '@pagewire/shared';
import { listPageLabels } from '../confluence/api/labels';
import { hasOwnViewRestriction } from '../confluence/api/restrictions';
import { getPageForExport, type PageWithLabels } from '../confluence/api/space-pages';
import type { ConfluenceClient } from '../confluence/client';
import { isNotFoundError, isScopeError } from '../confluence/errors';
import type { ObservedPage } from './page-mirror';

/** How many labels `include-labels=true` brings along; more are read from the labels list. */
const INLINE_LABELS = 50;

/** What reading one page found: the page, or that it is gone (or no longer readable) for this space. */
export type PageReading = { kind: 'found'; page: ObservedPage } | { kind: 'gone' };

function bodyOf(page: PageWithLabels): AdfDocument | null {
  const raw = page.body?.atlas_doc_format?.value;
  if (raw === undefined) return null;
  // Stored as Confluence sent it: the export hands ADF on unchanged, and a node
  // Pagewire does not know must not stop the mirror (the converters handle it).
  const parsed = JSON.parse(raw) as unknown;
  return typeof parsed === 'object' && parsed !== null && (parsed as { type?: unknown }).type === 'doc'
    ? (parsed as AdfDocument)
    : null;
}

async function labelsOf(client: ConfluenceClient, page: PageWithLabels): Promise<string[]> {
  const inline = (page.labels?.results ?? []).map((label) => label.name);
  if (page.labels?.meta?.hasMore !== true || inline.length < INLINE_LABELS) return inline;
  try {
    const all: string[] = [];
    for await (const label of listPageLabels(client, { pageId: page.id })) all.push(label.name);
    return all;
  } catch (error) {
    // The labels list needs read:label:confluence, which the app does not request: keep the first 50.
    if (isScopeError(error)) return inline;
    throw error;
  }
}

/** The page's web UI address: the site's wiki base plus `webui` (never used for API calls). */
function urlOf(page: PageWithLabels): string {
  const webui = page._links?.webui;
  if (webui === undefined) return '';
  return `${page._links?.base ?? ''}${webui}`;
}

/**
 * Reads a page for the mirror: body (ADF) and labels in one request, then its
 * own view restriction (v1, one request). A 404 means the page is gone or the
 * app may no longer read it; either way it leaves the export.
 */
export async function readPageForMirror(
  client: ConfluenceClient,
  params: { pageId: string; spaceId: string; now: Date },
): Promise<PageReading> {
  let page: PageWithLabels;
  try {
    page = await getPageForExport(client, { id: params.pageId });
  } catch (error) {
    if (isNotFoundError(error)) return { kind: 'gone' };
    throw error;
  }
  if (page.spaceId !== params.spaceId) return { kind: 'gone' };
  if (page.status !== 'current' && page.status !== 'archived' && page.status !== 'trashed') {
    return { kind: 'gone' };
  }
  let ownRestricted: boolean;
  try {
    ownRestricted = await hasOwnViewRestriction(client, { pageId: page.id });
  } catch (error) {
    // Read between the two calls: the page went away meanwhile.
    if (isNotFoundError(error)) return { kind: 'gone' };
    throw error;
  }
  return {
    kind: 'found',
    page: {
      pageId: page.id,
      title: page.title,
      status: page.status,
      version: page.version.number,
      parentId: page.parentId ?? null,
      labels: await labelsOf(client, page),
      url: urlOf(page),
      updatedAt: page.version.createdAt ?? params.now.toISOString(),
      ownRestricted,
      body: bodyOf(page),
    },
  };
}
