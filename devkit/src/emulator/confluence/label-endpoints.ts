import type { Label, Page } from '../state/emulator-state';
import {
  type ConfluenceContext,
  canEdit,
  type EmulatedEndpoint,
  NUMERIC_ID,
  visiblePage,
} from './confluence-context';
import { type ConfluenceResult, noContent, v1Error } from './confluence-results';
import { renderV1Label, renderV2Label } from './page-views';
import { listPage, parseWindow } from './pagination';

/**
 * Labels: reads through v2 (`GET /wiki/api/v2/labels`, `/pages/{id}/labels`),
 * writes through the v1 path production still has: the v2 label API is
 * read-only (docs/platform-notes.md#confluence-v1-leftovers), and v1 `getLabelsForContent` is one of
 * the operations Atlassian removed (removed-v1-endpoints.ts answers it 410). v1 operations accept the classic
 * scope or the granular ones; the reference page for "Add labels to content"
 * lists Classic `write:confluence-content`, Granular `read:label:confluence,
 * write:label:confluence`. The read and remove pairs follow the same pattern.
 */
const ADD_LABELS = [
  ['write:confluence-content'],
  ['read:label:confluence', 'write:label:confluence'],
] as const;
const REMOVE_LABELS = [['write:confluence-content'], ['write:label:confluence']] as const;

/** Confluence labels are lower-case words without spaces or the characters it reserves. */
const LABEL_PATTERN = /^[^\s:;,.?&[\]()#^*@!'"<>]{1,255}$/u;

function contentFor(context: ConfluenceContext, forWrite: boolean): Page | ConfluenceResult {
  const id = context.params.id!;
  const found = NUMERIC_ID.test(id) ? visiblePage(context, id) : undefined;
  if (found?.page.status !== 'current' || (forWrite && !canEdit(found.space, context.caller))) {
    return v1Error(404, `No content found with id: ContentId{id=${id}}`);
  }
  return found.page;
}

function isPage(value: Page | ConfluenceResult): value is Page {
  return 'versions' in value;
}

function labelArray(context: ConfluenceContext, labels: Label[], points: number): ConfluenceResult {
  return {
    status: 200,
    body: {
      results: labels.map(renderV1Label),
      start: 0,
      limit: 200,
      size: labels.length,
      _links: {
        base: context.siteWikiBase,
        context: '/wiki',
        self: `${context.siteWikiBase}${context.wikiPath.slice(5)}`,
      },
    },
    points,
  };
}

/**
 * `GET /wiki/api/v2/labels`: every label on the current pages the caller can
 * see, one entry per label, in id order (v2 `getLabels`, scope `read:label:confluence`).
 */
function getLabels(context: ConfluenceContext) {
  const window = parseWindow(context.query);
  if (!window.ok) return window.error;
  const prefixes = context.query.get('prefix')?.split(',');
  const byId = new Map<string, Label>();
  for (const page of context.site.pages.values()) {
    if (page.status !== 'current' || !visiblePage(context, page.id)) continue;
    for (const label of page.labels.values()) {
      if (prefixes === undefined || prefixes.includes(label.prefix)) byId.set(label.id, label);
    }
  }
  const labels = [...byId.values()].sort((a, b) => Number(a.id) - Number(b.id));
  return listPage(labels, window, context, renderV2Label);
}

function addLabelsToContent(context: ConfluenceContext) {
  if (context.body.kind !== 'ok')
    return v1Error(400, 'The request body must be a JSON label or array of labels');
  const page = contentFor(context, true);
  if (!isPage(page)) return page;
  const raw = context.body.value;
  const items = Array.isArray(raw) ? raw : [raw];
  const names: { name: string; prefix: Label['prefix'] }[] = [];
  for (const item of items) {
    const record = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const name = typeof record.name === 'string' ? record.name.trim().toLowerCase() : '';
    const prefix = record.prefix ?? 'global';
    if (!LABEL_PATTERN.test(name)) return v1Error(400, `'${String(record.name)}' is not a valid label name`);
    if (prefix !== 'global' && prefix !== 'my' && prefix !== 'team') {
      return v1Error(400, `'${String(prefix)}' is not a valid label prefix`);
    }
    names.push({ name, prefix });
  }
  for (const { name, prefix } of names) {
    if (!page.labels.has(name)) page.labels.set(name, { id: context.state.nextId(), name, prefix });
  }
  return labelArray(context, [...page.labels.values()], 1);
}

function removeLabel(context: ConfluenceContext, name: string | null) {
  const page = contentFor(context, true);
  if (!isPage(page)) return page;
  const key = (name ?? '').trim().toLowerCase();
  if (!page.labels.delete(key)) return v1Error(404, `Label '${name ?? ''}' is not on this content`);
  return { ...noContent(), points: 1 };
}

export const labelEndpoints: readonly EmulatedEndpoint[] = [
  {
    operationId: 'getLabels',
    method: 'GET',
    path: '/wiki/api/v2/labels',
    scopes: [['read:label:confluence']],
    handle: getLabels,
  },
  {
    operationId: 'addLabelsToContent',
    method: 'POST',
    path: '/wiki/rest/api/content/:id/label',
    scopes: ADD_LABELS,
    handle: addLabelsToContent,
  },
  {
    operationId: 'removeLabelFromContentUsingQueryParameter',
    method: 'DELETE',
    path: '/wiki/rest/api/content/:id/label',
    scopes: REMOVE_LABELS,
    handle: (context) => removeLabel(context, context.query.get('name')),
  },
  {
    operationId: 'removeLabelFromContent',
    method: 'DELETE',
    path: '/wiki/rest/api/content/:id/label/:label',
    scopes: REMOVE_LABELS,
    handle: (context) => removeLabel(context, context.params.label ?? null),
  },
];
