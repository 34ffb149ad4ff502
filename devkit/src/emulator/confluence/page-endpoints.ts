import { type ContentEventAction, emitContentEvent } from '../forge/content-events';
import {
  currentVersion,
  type Page,
  type PageStatus,
  type PageVersion,
  type Space,
} from '../state/emulator-state';
import {
  asRecord,
  type ConfluenceContext,
  canAdminister,
  canEdit,
  type EmulatedEndpoint,
  idString,
  isBlogPost,
  NUMERIC_ID,
  queryFlag,
  queryList,
  requestObject,
  visiblePage,
  visibleSpace,
} from './confluence-context';
import {
  type ConfluenceResult,
  noContent,
  ok,
  v2BadRequest,
  v2Error,
  v2NotFound,
} from './confluence-results';
import { restrictionAllows } from './content-restrictions';
import {
  LIST_BODY_FORMATS,
  parseBodyFormat,
  parseBodyInput,
  renderPage,
  renderProperty,
  renderV2Label,
  renderVersion,
  SINGLE_BODY_FORMATS,
  titleTaken,
} from './page-views';
import { listPage, parseWindow } from './pagination';

export const READ_PAGE = [['read:page:confluence']] as const;
export const WRITE_PAGE = [['write:page:confluence']] as const;
const DELETE_PAGE = [['delete:page:confluence']] as const;

const LIST_STATUSES = ['current', 'archived', 'deleted', 'trashed'] as const;
/** "By default, `current` and `archived` are used" (getPages, `status`). */
const DEFAULT_LIST_STATUSES: readonly string[] = ['current', 'archived'];

const PAGE_SORTS: Record<string, (a: Page, b: Page) => number> = {
  id: (a, b) => Number(a.id) - Number(b.id),
  '-id': (a, b) => Number(b.id) - Number(a.id),
  'created-date': (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || Number(a.id) - Number(b.id),
  '-created-date': (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || Number(b.id) - Number(a.id),
  'modified-date': (a, b) => modified(a) - modified(b) || Number(a.id) - Number(b.id),
  '-modified-date': (a, b) => modified(b) - modified(a) || Number(b.id) - Number(a.id),
  title: (a, b) => currentVersion(a).title.localeCompare(currentVersion(b).title),
  '-title': (a, b) => currentVersion(b).title.localeCompare(currentVersion(a).title),
};

function modified(page: Page): number {
  return currentVersion(page).createdAt.getTime();
}

function invalidId(name: string, value: string): ConfluenceResult {
  return v2BadRequest(`Expected type is Long for parameter ${name}`, value);
}

/**
 * One page of `candidates` as both page lists answer it: `body-format`, `sort`
 * and `status` checked, filtered by status, title and visible space, sorted
 * and windowed.
 */
function listPages(
  context: ConfluenceContext,
  window: { offset: number; limit: number },
  candidates: Iterable<Page>,
): ConfluenceResult {
  const format = parseBodyFormat(context.query, LIST_BODY_FORMATS);
  if (!format.ok) return format.error;
  const sortKey = context.query.get('sort') ?? 'id';
  const sort = PAGE_SORTS[sortKey];
  if (!sort) return v2BadRequest('Invalid value for parameter sort', sortKey);
  const statuses = queryList(context.query, 'status') ?? DEFAULT_LIST_STATUSES;
  const unknownStatus = statuses.find((status) => !(LIST_STATUSES as readonly string[]).includes(status));
  if (unknownStatus) return v2BadRequest('Invalid value for parameter status', unknownStatus);
  const title = context.query.get('title');
  const pages: Page[] = [];
  for (const page of candidates) {
    if (!statuses.includes(page.status)) continue;
    if (title !== null && currentVersion(page).title !== title) continue;
    const space = context.site.spaces.get(page.spaceId);
    if (!space || !visibleSpace(context, space.id)) continue;
    if (!restrictionAllows(context.site, page, context.caller)) continue;
    pages.push(page);
  }
  return listPage(pages.sort(sort), window, context, (page) =>
    renderPage(page, { space: context.site.spaces.get(page.spaceId)!, bodyFormat: format.format }),
  );
}

function getPages(context: ConfluenceContext) {
  const window = parseWindow(context.query);
  if (!window.ok) return window.error;
  const ids = queryList(context.query, 'id');
  const spaceIds = queryList(context.query, 'space-id');
  for (const id of [...(ids ?? []), ...(spaceIds ?? [])])
    if (!NUMERIC_ID.test(id)) return invalidId('id', id);
  if ((ids?.length ?? 0) > 250) return v2BadRequest('Too many values', 'id takes at most 250 values');
  if ((spaceIds?.length ?? 0) > 100)
    return v2BadRequest('Too many values', 'space-id takes at most 100 values');
  const candidates = [...context.site.pages.values()].filter(
    (page) =>
      !isBlogPost(page) && (!ids || ids.includes(page.id)) && (!spaceIds || spaceIds.includes(page.spaceId)),
  );
  return listPages(context, window, candidates);
}

function getPagesInSpace(context: ConfluenceContext) {
  const spaceId = context.params.id!;
  if (!NUMERIC_ID.test(spaceId)) return invalidId('id', spaceId);
  const window = parseWindow(context.query);
  if (!window.ok) return window.error;
  const space = visibleSpace(context, spaceId);
  if (!space) return v2NotFound();
  const depth = context.query.get('depth') ?? 'all';
  if (depth !== 'all' && depth !== 'root') return v2BadRequest('Invalid value for parameter depth', depth);
  const candidates = [...context.site.pages.values()].filter(
    (page) => !isBlogPost(page) && page.spaceId === space.id && (depth === 'all' || page.parentId === null),
  );
  return listPages(context, window, candidates);
}

function getPageById(context: ConfluenceContext) {
  const id = context.params.id!;
  if (!NUMERIC_ID.test(id)) return invalidId('id', id);
  const format = parseBodyFormat(context.query, SINGLE_BODY_FORMATS);
  if (!format.ok) return format.error;
  const found = visiblePage(context, id);
  if (!found) return v2NotFound();
  const { page, space } = found;
  // A trashed page is only found when the caller asks for trashed content.
  const statuses = queryList(context.query, 'status') ?? ['current', 'archived', 'draft'];
  if (!statuses.includes(page.status)) return v2NotFound();
  let version: PageVersion | undefined;
  const versionParam = context.query.get('version');
  if (versionParam !== null) {
    if (!/^\d{1,9}$/.test(versionParam))
      return v2BadRequest('Expected type is Integer for parameter version');
    version = page.versions.find((candidate) => candidate.number === Number(versionParam));
    if (!version) return v2NotFound();
  }
  const rendered = renderPage(page, {
    space,
    bodyFormat: format.format,
    siteWikiBase: context.siteWikiBase,
    version,
    includeVersion: queryFlag(context.query, 'include-version', true),
  });
  let points = 2;
  if (queryFlag(context.query, 'include-labels', false)) {
    const labels = [...page.labels.values()].slice(0, 50);
    rendered.labels = { results: labels.map(renderV2Label), meta: { hasMore: page.labels.size > 50 } };
    points += labels.length;
  }
  if (queryFlag(context.query, 'include-properties', false)) {
    const properties = [...page.properties.values()].slice(0, 50);
    rendered.properties = {
      results: properties.map(renderProperty),
      meta: { hasMore: page.properties.size > 50 },
    };
    points += properties.length;
  }
  if (queryFlag(context.query, 'include-versions', false)) {
    const versions = [...page.versions].reverse().slice(0, 50);
    rendered.versions = {
      results: versions.map(renderVersion),
      meta: { hasMore: page.versions.length > 50 },
    };
    points += versions.length;
  }
  return ok(rendered, points);
}

/** Is `candidate` the page itself or one of its descendants? */
function isWithin(context: ConfluenceContext, pageId: string, candidate: string): boolean {
  let cursor: string | null = candidate;
  for (let depth = 0; cursor !== null && depth < 10_000; depth++) {
    if (cursor === pageId) return true;
    cursor = context.site.pages.get(cursor)?.parentId ?? null;
  }
  return false;
}

function createPage(context: ConfluenceContext) {
  const request = requestObject(context);
  if (!request.ok) return request.error;
  const { body } = request;
  const spaceId = idString(body.spaceId);
  if (!spaceId) return v2BadRequest('spaceId is required', 'spaceId must be a numeric id');
  const status = body.status ?? 'current';
  if (status !== 'current') {
    return v2BadRequest('Unsupported status', 'the devkit emulator creates published (current) pages only');
  }
  const title = body.title;
  if (typeof title !== 'string' || title.trim().length === 0) {
    return v2BadRequest('Title is required for a published page');
  }
  if (title.length > 255) return v2BadRequest('Title must be at most 255 characters');
  const space = visibleSpace(context, spaceId);
  if (!space || !canEdit(space, context.caller)) return v2NotFound();
  const rootLevel = queryFlag(context.query, 'root-level', false);
  let parentId: string | null = null;
  if (body.parentId !== undefined && body.parentId !== null) {
    if (rootLevel) return v2BadRequest('parentId cannot be given with root-level=true');
    const parent = idString(body.parentId);
    const found = parent ? visiblePage(context, parent) : undefined;
    if (found?.page.status !== 'current' || found.page.spaceId !== space.id) return v2NotFound();
    parentId = found.page.id;
  } else if (!rootLevel) {
    // "Without parentId the page goes under the space homepage" (docs/platform-notes.md#creating-a-page).
    parentId = space.homepageId;
  }
  const parsedBody = parseBodyInput(body.body, context.adf);
  if (!parsedBody.ok) return parsedBody.error;
  if (titleTaken(context.site, space.id, title)) {
    return v2BadRequest(
      'A page with this title already exists',
      `A page already exists with the title ${title} in this space.`,
    );
  }
  const page = insertPage(context, space, {
    title,
    parentId,
    body: parsedBody.body,
    authorId: context.caller.actingAccountId,
  });
  emitContentEvent(context.state, {
    site: context.site,
    page,
    action: 'created',
    accountId: context.caller.actingAccountId,
  });
  const format = parsedBody.body?.representation;
  return ok(renderPage(page, { space, bodyFormat: format, siteWikiBase: context.siteWikiBase }), 1);
}

export function insertPage(
  context: Pick<ConfluenceContext, 'state' | 'site' | 'now'>,
  space: Space,
  input: {
    title: string;
    parentId: string | null;
    body: PageVersion['body'];
    authorId: string;
    contentType?: 'blogpost';
  },
): Page {
  const page: Page = {
    id: context.state.nextId(),
    ...(input.contentType ? { contentType: input.contentType } : {}),
    cloudId: context.site.cloudId,
    spaceId: space.id,
    status: 'current',
    parentId: input.parentId,
    authorId: input.authorId,
    ownerId: input.authorId,
    createdAt: context.now,
    versions: [
      {
        number: 1,
        title: input.title,
        body: input.body,
        message: '',
        minorEdit: false,
        authorId: input.authorId,
        createdAt: context.now,
      },
    ],
    labels: new Map(),
    properties: new Map(),
  };
  context.site.pages.set(page.id, page);
  context.state.pagesById.set(page.id, page);
  return page;
}

/**
 * The documented v2 conflict body (docs/platform-notes.md#page-version-conflicts): clients parse the
 * current version out of `title`.
 */
export function versionConflict(current: number, provided: unknown): ConfluenceResult {
  return v2Error(
    409,
    'CONFLICT',
    `Version must be incremented when updating a page. Current Version: [${current}]. Provided version: [${String(provided)}]`,
  );
}

/** Adds the next version of a page or blog post, written by the caller now. */
export function appendVersion(
  context: Pick<ConfluenceContext, 'caller' | 'now'>,
  page: Page,
  input: { title: string; body: PageVersion['body']; message: unknown },
): void {
  page.versions.push({
    number: currentVersion(page).number + 1,
    title: input.title,
    body: input.body,
    message: typeof input.message === 'string' ? input.message : '',
    // v2's PageUpdateRequest version is `{number, message}`: a `minorEdit`
    // sent anyway is ignored, as the fields the schema does not name are
    // (https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-page/#api-pages-id-put).
    // A v2 update can never be a minor edit.
    minorEdit: false,
    authorId: context.caller.actingAccountId,
    createdAt: context.now,
  });
}

function updatePage(context: ConfluenceContext) {
  const id = context.params.id!;
  if (!NUMERIC_ID.test(id)) return invalidId('id', id);
  const request = requestObject(context);
  if (!request.ok) return request.error;
  const { body } = request;
  const found = visiblePage(context, id);
  if (!found || !canEdit(found.space, context.caller)) return v2NotFound();
  const { page, space } = found;
  if (idString(body.id) !== page.id) return v2BadRequest('id in the body must match the page id in the path');
  const status = body.status;
  if (status !== 'current') {
    return v2BadRequest(
      'Invalid status',
      status === 'draft'
        ? 'the devkit emulator does not emulate drafts; update with status current'
        : 'status is required and must be current',
    );
  }
  const title = body.title;
  if (typeof title !== 'string' || title.trim().length === 0) return v2BadRequest('Title is required');
  if (title.length > 255) return v2BadRequest('Title must be at most 255 characters');
  const version = asRecord(body.version);
  if (!version || typeof version.number !== 'number' || !Number.isInteger(version.number)) {
    return v2BadRequest('version.number is required');
  }
  if (body.body === undefined || body.body === null) return v2BadRequest('body is required');
  const parsedBody = parseBodyInput(body.body, context.adf);
  if (!parsedBody.ok) return parsedBody.error;
  if (body.spaceId !== undefined && idString(body.spaceId) !== page.spaceId) {
    return v2BadRequest('A page cannot be moved to another space by an update');
  }
  let parentId = page.parentId;
  if (body.parentId !== undefined && body.parentId !== null) {
    const parent = idString(body.parentId);
    const target = parent ? visiblePage(context, parent) : undefined;
    if (target?.page.status !== 'current' || target.page.spaceId !== page.spaceId) return v2NotFound();
    if (isWithin(context, page.id, target.page.id)) {
      return v2BadRequest('A page cannot be moved under itself or one of its descendants');
    }
    parentId = target.page.id;
  }
  const current = currentVersion(page).number;
  // "version.number = current + 1" (PUT /pages/{id}); anything else is the 409
  // a publisher must survive when a human edited the page meanwhile.
  if (version.number !== current + 1) return versionConflict(current, version.number);
  if (titleTaken(context.site, space.id, title, page.id)) {
    return v2BadRequest(
      'A page with this title already exists',
      `A page already exists with the title ${title} in this space.`,
    );
  }
  const moved = parentId !== page.parentId;
  const restored = page.status === 'trashed';
  appendVersion(context, page, { title, body: parsedBody.body, message: version.message });
  page.parentId = parentId;
  // Updating a trashed page to `current` restores it.
  page.status = 'current';
  const actions: ContentEventAction[] = [
    restored ? 'restored' : 'updated',
    ...(moved ? (['moved'] as const) : []),
  ];
  for (const action of actions) {
    emitContentEvent(context.state, {
      site: context.site,
      page,
      action,
      accountId: context.caller.actingAccountId,
    });
  }
  if (typeof body.ownerId === 'string' && context.site.accountIds.has(body.ownerId))
    page.ownerId = body.ownerId;
  return ok(
    renderPage(page, {
      space,
      bodyFormat: parsedBody.body?.representation,
      siteWikiBase: context.siteWikiBase,
    }),
    1,
  );
}

/**
 * "Deleting a page moves the page to the trash, where it can be restored later.
 * To permanently delete a page (or "purge" it), the endpoint must be called on
 * a **trashed** page with `purge=true`" and purging needs space admin
 * (deletePage). Children of a trashed page move up to its parent, as they do in
 * the Confluence UI.
 */
function deletePage(context: ConfluenceContext) {
  const id = context.params.id!;
  if (!NUMERIC_ID.test(id)) return invalidId('id', id);
  const found = visiblePage(context, id);
  if (!found || !canEdit(found.space, context.caller)) return v2NotFound();
  const { page, space } = found;
  const purge = queryFlag(context.query, 'purge', false);
  if (purge) {
    if (page.status !== 'trashed') return v2BadRequest('Only a trashed page can be purged');
    if (!canAdminister(space, context.caller)) return v2NotFound();
    context.site.pages.delete(page.id);
    context.state.pagesById.delete(page.id);
    emitContentEvent(context.state, {
      site: context.site,
      page,
      action: 'deleted',
      accountId: context.caller.actingAccountId,
    });
    return { ...noContent(), points: 1 };
  }
  if (page.status !== 'current') return v2NotFound();
  page.status = 'trashed' satisfies PageStatus;
  for (const child of context.site.pages.values()) {
    if (child.parentId === page.id && child.status === 'current') child.parentId = page.parentId;
  }
  if (space.homepageId === page.id) space.homepageId = null;
  emitContentEvent(context.state, {
    site: context.site,
    page,
    action: 'trashed',
    accountId: context.caller.actingAccountId,
  });
  return { ...noContent(), points: 1 };
}

/** What every list under `/pages/{id}/…` checks first, in Confluence's order: the id, the window, the page. */
function pageListRequest(
  context: ConfluenceContext,
):
  | { ok: true; found: { page: Page; space: Space }; window: { offset: number; limit: number } }
  | { ok: false; error: ConfluenceResult } {
  const id = context.params.id!;
  if (!NUMERIC_ID.test(id)) return { ok: false, error: invalidId('id', id) };
  const window = parseWindow(context.query);
  if (!window.ok) return window;
  const found = visiblePage(context, id);
  if (!found) return { ok: false, error: v2NotFound() };
  return { ok: true, found, window };
}

function getChildPages(context: ConfluenceContext) {
  const request = pageListRequest(context);
  if (!request.ok) return request.error;
  const { found, window } = request;
  const children = [...context.site.pages.values()]
    .filter((page) => page.parentId === found.page.id && page.status === 'current')
    .sort((a, b) => Number(a.id) - Number(b.id));
  return listPage(children, window, context, (page) => ({
    id: page.id,
    status: page.status,
    title: currentVersion(page).title,
    spaceId: page.spaceId,
    childPosition: null,
  }));
}

function getPageVersions(context: ConfluenceContext) {
  const request = pageListRequest(context);
  if (!request.ok) return request.error;
  const { found, window } = request;
  const sort = context.query.get('sort') ?? '-modified-date';
  if (sort !== 'modified-date' && sort !== '-modified-date') {
    return v2BadRequest('Invalid value for parameter sort', sort);
  }
  const versions = sort === 'modified-date' ? [...found.page.versions] : [...found.page.versions].reverse();
  return listPage(versions, window, context, (version) => ({
    ...renderVersion(version),
    page: { id: found.page.id, title: version.title },
  }));
}

function getPageVersionDetails(context: ConfluenceContext) {
  const id = context.params.pageId!;
  if (!NUMERIC_ID.test(id)) return invalidId('page-id', id);
  const found = visiblePage(context, id);
  if (!found) return v2NotFound();
  const number = Number(context.params.versionNumber);
  const version = found.page.versions.find((candidate) => candidate.number === number);
  if (!version) return v2NotFound();
  const last = currentVersion(found.page).number;
  return ok(
    {
      number: version.number,
      authorId: version.authorId,
      message: version.message,
      createdAt: version.createdAt.toISOString(),
      minorEdit: version.minorEdit,
      contentTypeModified: false,
      collaborators: [version.authorId],
      prevVersion: version.number > 1 ? version.number - 1 : null,
      nextVersion: version.number < last ? version.number + 1 : null,
    },
    2,
  );
}

function getPageLabels(context: ConfluenceContext) {
  const request = pageListRequest(context);
  if (!request.ok) return request.error;
  const { found, window } = request;
  const prefix = context.query.get('prefix');
  const labels = [...found.page.labels.values()].filter(
    (label) => prefix === null || label.prefix === prefix,
  );
  return listPage(labels, window, context, renderV2Label);
}

function getPageOperations(context: ConfluenceContext) {
  const id = context.params.id!;
  if (!NUMERIC_ID.test(id)) return invalidId('id', id);
  const found = visiblePage(context, id);
  if (!found) return v2NotFound();
  const operations = [{ operation: 'read', targetType: 'page' }];
  if (canEdit(found.space, context.caller)) {
    operations.push({ operation: 'update', targetType: 'page' }, { operation: 'delete', targetType: 'page' });
  }
  return ok({ operations }, 3);
}

export const pageEndpoints: readonly EmulatedEndpoint[] = [
  { operationId: 'getPages', method: 'GET', path: '/wiki/api/v2/pages', scopes: READ_PAGE, handle: getPages },
  {
    operationId: 'createPage',
    method: 'POST',
    path: '/wiki/api/v2/pages',
    scopes: WRITE_PAGE,
    handle: createPage,
  },
  {
    operationId: 'getPageById',
    method: 'GET',
    path: '/wiki/api/v2/pages/:id',
    scopes: READ_PAGE,
    handle: getPageById,
  },
  {
    operationId: 'updatePage',
    method: 'PUT',
    path: '/wiki/api/v2/pages/:id',
    scopes: WRITE_PAGE,
    handle: updatePage,
  },
  {
    operationId: 'deletePage',
    method: 'DELETE',
    path: '/wiki/api/v2/pages/:id',
    scopes: DELETE_PAGE,
    handle: deletePage,
  },
  {
    operationId: 'getPagesInSpace',
    method: 'GET',
    path: '/wiki/api/v2/spaces/:id/pages',
    scopes: READ_PAGE,
    handle: getPagesInSpace,
  },
  {
    operationId: 'getChildPages',
    method: 'GET',
    path: '/wiki/api/v2/pages/:id/children',
    scopes: READ_PAGE,
    handle: getChildPages,
  },
  {
    operationId: 'getPageVersions',
    method: 'GET',
    path: '/wiki/api/v2/pages/:id/versions',
    scopes: READ_PAGE,
    handle: getPageVersions,
  },
  {
    operationId: 'getPageVersionDetails',
    method: 'GET',
    path: '/wiki/api/v2/pages/:pageId/versions/:versionNumber',
    scopes: READ_PAGE,
    handle: getPageVersionDetails,
  },
  {
    operationId: 'getPageLabels',
    method: 'GET',
    path: '/wiki/api/v2/pages/:id/labels',
    scopes: READ_PAGE,
    handle: getPageLabels,
  },
  {
    operationId: 'getPageOperations',
    method: 'GET',
    path: '/wiki/api/v2/pages/:id/operations',
    scopes: READ_PAGE,
    handle: getPageOperations,
  },
];
