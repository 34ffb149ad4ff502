import { emitContentEvent } from '../forge/content-events';
import { currentVersion, type Page, type Space } from '../state/emulator-state';
import {
  asRecord,
  type ConfluenceContext,
  canEdit,
  type EmulatedEndpoint,
  idString,
  NUMERIC_ID,
  queryFlag,
  queryList,
  requestObject,
  visiblePage,
  visibleSpace,
} from './confluence-context';
import { ok, v2BadRequest, v2NotFound } from './confluence-results';
import { appendVersion, insertPage, READ_PAGE, versionConflict, WRITE_PAGE } from './page-endpoints';
import { parseBodyFormat, parseBodyInput, renderContent, SINGLE_BODY_FORMATS } from './page-views';

/**
 * Blog posts as v2 serves them (https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-blog-post/):
 * create (`POST /blogposts`, answered 200), read (`GET /blogposts/{id}`) and
 * update (`PUT /blogposts/{id}`, a full replace with `version.number` =
 * current + 1, otherwise the same 409 as pages). A blog post has no parent or
 * position; its content properties live under `/blogposts/{id}/properties`
 * (property-endpoints.ts). The spec gives blog post reads
 * `read:page:confluence` and writes `write:page:confluence`, the page scopes.
 */

function renderBlogPost(
  post: Page,
  options: { space: Space; bodyFormat: string | undefined; siteWikiBase?: string; includeVersion?: boolean },
): Record<string, unknown> {
  const day = post.createdAt.toISOString().slice(0, 10).replace(/-/g, '/');
  return renderContent(post, { ...options, section: `blog/${day}` }, { authorId: post.authorId });
}

function checkTitle(title: unknown) {
  if (typeof title !== 'string' || title.trim().length === 0) return v2BadRequest('Title is required');
  if (title.length > 255) return v2BadRequest('Title must be at most 255 characters');
  return undefined;
}

function createBlogPost(context: ConfluenceContext) {
  const request = requestObject(context);
  if (!request.ok) return request.error;
  const { body } = request;
  const spaceId = idString(body.spaceId);
  if (!spaceId) return v2BadRequest('spaceId is required', 'spaceId must be a numeric id');
  if ((body.status ?? 'current') !== 'current') {
    return v2BadRequest(
      'Unsupported status',
      'the devkit emulator creates published (current) blog posts only',
    );
  }
  const invalidTitle = checkTitle(body.title);
  if (invalidTitle) return invalidTitle;
  const space = visibleSpace(context, spaceId);
  if (!space || !canEdit(space, context.caller)) return v2NotFound();
  const parsedBody = parseBodyInput(body.body, context.adf);
  if (!parsedBody.ok) return parsedBody.error;
  const post = insertPage(context, space, {
    title: body.title as string,
    parentId: null,
    body: parsedBody.body,
    authorId: context.caller.actingAccountId,
    contentType: 'blogpost',
  });
  emitContentEvent(context.state, {
    site: context.site,
    page: post,
    action: 'created',
    accountId: context.caller.actingAccountId,
  });
  return ok(
    renderBlogPost(post, {
      space,
      bodyFormat: parsedBody.body?.representation,
      siteWikiBase: context.siteWikiBase,
    }),
    1,
  );
}

function getBlogPostById(context: ConfluenceContext) {
  const id = context.params.id!;
  if (!NUMERIC_ID.test(id)) return v2BadRequest('Expected type is Long for parameter id', id);
  const format = parseBodyFormat(context.query, SINGLE_BODY_FORMATS);
  if (!format.ok) return format.error;
  const found = visiblePage(context, id, 'blogpost');
  if (!found) return v2NotFound();
  const statuses = queryList(context.query, 'status') ?? ['current', 'draft'];
  if (!statuses.includes(found.page.status)) return v2NotFound();
  return ok(
    renderBlogPost(found.page, {
      space: found.space,
      bodyFormat: format.format,
      siteWikiBase: context.siteWikiBase,
      includeVersion: queryFlag(context.query, 'include-version', true),
    }),
    2,
  );
}

function updateBlogPost(context: ConfluenceContext) {
  const id = context.params.id!;
  if (!NUMERIC_ID.test(id)) return v2BadRequest('Expected type is Long for parameter id', id);
  const request = requestObject(context);
  if (!request.ok) return request.error;
  const { body } = request;
  const found = visiblePage(context, id, 'blogpost');
  if (!found || !canEdit(found.space, context.caller)) return v2NotFound();
  const { page: post, space } = found;
  if (idString(body.id) !== post.id)
    return v2BadRequest('id in the body must match the blog post id in the path');
  if (body.status !== 'current')
    return v2BadRequest('Invalid status', 'status is required and must be current');
  const invalidTitle = checkTitle(body.title);
  if (invalidTitle) return invalidTitle;
  const version = asRecord(body.version);
  if (!version || typeof version.number !== 'number' || !Number.isInteger(version.number)) {
    return v2BadRequest('version.number is required');
  }
  if (body.body === undefined || body.body === null) return v2BadRequest('body is required');
  const parsedBody = parseBodyInput(body.body, context.adf);
  if (!parsedBody.ok) return parsedBody.error;
  if (body.spaceId !== undefined && idString(body.spaceId) !== post.spaceId) {
    return v2BadRequest('A blog post cannot be moved to another space by an update');
  }
  const current = currentVersion(post).number;
  if (version.number !== current + 1) return versionConflict(current, version.number);
  appendVersion(context, post, {
    title: body.title as string,
    body: parsedBody.body,
    message: version.message,
  });
  post.status = 'current';
  emitContentEvent(context.state, {
    site: context.site,
    page: post,
    action: 'updated',
    accountId: context.caller.actingAccountId,
  });
  return ok(
    renderBlogPost(post, {
      space,
      bodyFormat: parsedBody.body?.representation,
      siteWikiBase: context.siteWikiBase,
    }),
    1,
  );
}

export const blogPostEndpoints: readonly EmulatedEndpoint[] = [
  {
    operationId: 'createBlogPost',
    method: 'POST',
    path: '/wiki/api/v2/blogposts',
    scopes: WRITE_PAGE,
    handle: createBlogPost,
  },
  {
    operationId: 'getBlogPostById',
    method: 'GET',
    path: '/wiki/api/v2/blogposts/:id',
    scopes: READ_PAGE,
    handle: getBlogPostById,
  },
  {
    operationId: 'updateBlogPost',
    method: 'PUT',
    path: '/wiki/api/v2/blogposts/:id',
    scopes: WRITE_PAGE,
    handle: updateBlogPost,
  },
];
