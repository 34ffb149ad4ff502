import { emitContentEvent } from '../forge/content-events';
import type { Page } from '../state/emulator-state';
import {
  asRecord,
  type ConfluenceContext,
  canEdit,
  type EmulatedEndpoint,
  idString,
  NUMERIC_ID,
  visiblePage,
} from './confluence-context';
import { type ConfluenceResult, ok, v1Error, v2BadRequest, v2NotFound } from './confluence-results';
import { parseLimit } from './pagination';

/**
 * The page tree beyond parent links, as documented:
 * - `GET /wiki/api/v2/pages/{id}/ancestors` (`read:content.metadata:confluence`)
 *   answers the ancestors' ids "in top-to-bottom order", at most `limit` of
 *   them (the nearest ones); for more, ask again with the highest ancestor's id
 *   (https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-ancestors/).
 * - `POST /wiki/rest/api/content/archive` archives up to 300 pages and
 *   answers 202 with a long task (`{id, links: {status: '/rest/api/longtask/<id>'}}`);
 *   the emulator finishes the task at once, emits `avi:confluence:archived:page`
 *   for each page, and v2 then shows the page with `status: 'archived'`
 *   (https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-content/#api-wiki-rest-api-content-archive-post).
 * - `GET /wiki/rest/api/longtask/{id}` reports such a task, finished
 *   (https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-long-running-task/#api-wiki-rest-api-longtask-id-get);
 *   it takes the granular `read:content.metadata:confluence` or the classic
 *   `read:confluence-content.summary`.
 */
const READ_METADATA = [['read:content.metadata:confluence']] as const;
const ARCHIVE = [['write:confluence-content']] as const;
const READ_TASK = [['read:content.metadata:confluence'], ['read:confluence-content.summary']] as const;
const MAX_ARCHIVE = 300;

function getPageAncestors(context: ConfluenceContext): ConfluenceResult {
  const id = context.params.id!;
  if (!NUMERIC_ID.test(id)) return v2BadRequest('Expected type is Long for parameter id', id);
  const limit = parseLimit(context.query);
  if (!limit.ok) return limit.error;
  const found = visiblePage(context, id);
  if (!found) return v2NotFound();
  const chain: Page[] = [];
  const seen = new Set([found.page.id]);
  let parentId = found.page.parentId;
  while (parentId !== null && !seen.has(parentId)) {
    const parent = visiblePage(context, parentId);
    if (!parent) break;
    seen.add(parentId);
    chain.unshift(parent.page);
    parentId = parent.page.parentId;
  }
  const nearest = chain.slice(Math.max(0, chain.length - limit.limit));
  return ok(
    { results: nearest.map((page) => ({ id: page.id, type: 'page' })), _links: {} },
    1 + nearest.length,
  );
}

function archivePages(context: ConfluenceContext): ConfluenceResult {
  const body = context.body.kind === 'ok' ? asRecord(context.body.value) : undefined;
  const pages = Array.isArray(body?.pages) ? (body.pages as unknown[]) : null;
  if (pages === null || pages.length === 0) return v1Error(400, 'pages must list the pages to archive');
  if (pages.length > MAX_ARCHIVE) {
    return v1Error(400, `At most ${MAX_ARCHIVE} pages can be archived in one request`);
  }
  const targets: Page[] = [];
  for (const entry of pages) {
    const id = idString(asRecord(entry)?.id);
    const found = id === undefined ? undefined : visiblePage(context, id);
    if (!found || !canEdit(found.space, context.caller)) {
      return v1Error(400, `Cannot archive content ${String(asRecord(entry)?.id)}: not found`);
    }
    if (found.page.status !== 'current') {
      return v1Error(400, `Content ${found.page.id} is not current, so it cannot be archived`);
    }
    targets.push(found.page);
  }
  for (const page of targets) {
    page.status = 'archived';
    emitContentEvent(context.state, {
      site: context.site,
      page,
      action: 'archived',
      accountId: context.caller.actingAccountId,
    });
  }
  const taskId = context.state.nextId();
  context.state.longTasks.set(taskId, {
    id: taskId,
    cloudId: context.site.cloudId,
    nameKey: 'com.atlassian.confluence.content.archive.task.name',
    startedAt: context.now,
    finishedAt: context.now,
  });
  return {
    status: 202,
    body: { id: taskId, links: { status: `/rest/api/longtask/${taskId}` } },
    points: 1,
  };
}

/** `GET /wiki/rest/api/longtask/{id}`: a task of this site, always finished (the emulator runs them at once). */
function getTask(context: ConfluenceContext): ConfluenceResult {
  const id = context.params.id!;
  const task = context.state.longTasks.get(id);
  if (task === undefined || task.cloudId !== context.site.cloudId) {
    return v1Error(404, `No long running task found with id: ${id}`);
  }
  return ok(
    {
      id: task.id,
      name: { key: task.nameKey, args: [] },
      elapsedTime: task.finishedAt.getTime() - task.startedAt.getTime(),
      percentageComplete: 100,
      successful: true,
      finished: true,
      messages: [],
      status: 'COMPLETE',
      errors: [],
      _links: { self: `${context.siteWikiBase}/rest/api/longtask/${task.id}` },
    },
    1,
  );
}

export const pageTreeEndpoints: readonly EmulatedEndpoint[] = [
  {
    operationId: 'getPageAncestors',
    method: 'GET',
    path: '/wiki/api/v2/pages/:id/ancestors',
    scopes: READ_METADATA,
    handle: getPageAncestors,
  },
  {
    operationId: 'archivePages',
    method: 'POST',
    path: '/wiki/rest/api/content/archive',
    scopes: ARCHIVE,
    handle: archivePages,
  },
  {
    operationId: 'getTask',
    method: 'GET',
    path: '/wiki/rest/api/longtask/:id',
    scopes: READ_TASK,
    handle: getTask,
  },
];
