import type { ContentProperty } from '../state/emulator-state';
import {
  asRecord,
  type ConfluenceContext,
  canEdit,
  type EmulatedEndpoint,
  NUMERIC_ID,
  requestObject,
  visiblePage,
} from './confluence-context';
import {
  type ConfluenceResult,
  noContent,
  ok,
  v2BadRequest,
  v2Error,
  v2NotFound,
} from './confluence-results';
import { renderProperty } from './page-views';
import { listPage, parseWindow } from './pagination';

/**
 * Page content properties (docs/platform-notes.md#content-properties): JSON values of at most
 * 32 KB, each with its own version; a write never bumps the page version; the
 * lookup is by property **id**, found with `?key=`. Reads need
 * `read:page:confluence`, writes `read:page:confluence` and
 * `write:page:confluence` (v2 spec, `createPageProperty` and friends).
 */
const READ = [['read:page:confluence']] as const;
const WRITE = [['read:page:confluence', 'write:page:confluence']] as const;

export const MAX_PROPERTY_VALUE_BYTES = 32 * 1024;
function isResult(value: unknown): value is ConfluenceResult {
  return typeof value === 'object' && value !== null && 'status' in value && typeof value.status === 'number';
}

function checkValue(value: unknown): ConfluenceResult | undefined {
  if (value === undefined) return v2BadRequest('value is required');
  const size = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (size > MAX_PROPERTY_VALUE_BYTES) {
    return v2BadRequest(
      'Content property value is too large',
      `The value is ${size} bytes; a content property value may be at most ${MAX_PROPERTY_VALUE_BYTES} bytes.`,
    );
  }
  return undefined;
}

function checkKey(key: unknown): ConfluenceResult | undefined {
  if (typeof key !== 'string' || key.length === 0 || key.length > 255) {
    return v2BadRequest('key is required', 'key must be a string of 1 to 255 characters');
  }
  return undefined;
}

/** The page, or the blog post for the `/blogposts/{blogpost-id}/properties` operations. */
function pageFor(context: ConfluenceContext, forWrite: boolean) {
  const blogPost = context.params.blogpostId !== undefined;
  const pageId = (blogPost ? context.params.blogpostId : context.params.pageId)!;
  if (!NUMERIC_ID.test(pageId)) {
    return v2BadRequest(
      `Expected type is Long for parameter ${blogPost ? 'blogpost-id' : 'page-id'}`,
      pageId,
    );
  }
  const found = visiblePage(context, pageId, blogPost ? 'blogpost' : 'page');
  if (found?.page.status !== 'current') return v2NotFound();
  if (forWrite && !canEdit(found.space, context.caller)) return v2NotFound();
  return found.page;
}

function getPageContentProperties(context: ConfluenceContext) {
  const window = parseWindow(context.query);
  if (!window.ok) return window.error;
  const page = pageFor(context, false);
  if (isResult(page)) return page;
  const key = context.query.get('key');
  const sort = context.query.get('sort') ?? 'key';
  if (sort !== 'key' && sort !== '-key') return v2BadRequest('Invalid value for parameter sort', sort);
  const properties = [...page.properties.values()]
    .filter((property) => key === null || property.key === key)
    .sort((a, b) => (sort === 'key' ? a.key.localeCompare(b.key) : b.key.localeCompare(a.key)));
  return listPage(properties, window, context, renderProperty);
}

function createPageProperty(context: ConfluenceContext) {
  const request = requestObject(context);
  if (!request.ok) return request.error;
  const { body } = request;
  const page = pageFor(context, true);
  if (isResult(page)) return page;
  const invalid = checkKey(body.key) ?? checkValue(body.value);
  if (invalid) return invalid;
  const key = body.key as string;
  for (const existing of page.properties.values()) {
    if (existing.key === key) {
      return v2Error(409, 'CONFLICT', `A content property with key ${key} already exists on this content`);
    }
  }
  const property: ContentProperty = {
    id: context.state.nextId(),
    key,
    value: body.value,
    version: {
      number: 1,
      message: '',
      minorEdit: false,
      authorId: context.caller.actingAccountId,
      createdAt: context.now,
    },
  };
  page.properties.set(property.id, property);
  return ok(renderProperty(property), 1);
}

function propertyFor(context: ConfluenceContext, forWrite: boolean) {
  const page = pageFor(context, forWrite);
  if (isResult(page)) return page;
  const property = page.properties.get(context.params.propertyId!);
  if (!property) return v2NotFound();
  return { page, property };
}

function getPageContentPropertiesById(context: ConfluenceContext) {
  const found = propertyFor(context, false);
  if (isResult(found)) return found;
  return ok(renderProperty(found.property), 2);
}

function updatePagePropertyById(context: ConfluenceContext) {
  const request = requestObject(context);
  if (!request.ok) return request.error;
  const { body } = request;
  const found = propertyFor(context, true);
  if (isResult(found)) return found;
  const { property } = found;
  const invalid = checkKey(body.key) ?? checkValue(body.value);
  if (invalid) return invalid;
  if (body.key !== property.key) return v2BadRequest('The key of a content property cannot be changed');
  const version = asRecord(body.version);
  if (typeof version?.number !== 'number') return v2BadRequest('version.number is required');
  const { number, message, minorEdit } = version;
  if (number !== property.version.number + 1) {
    return v2Error(
      409,
      'CONFLICT',
      `Version must be incremented when updating a content property. Current Version: [${property.version.number}]. Provided version: [${number}]`,
    );
  }
  property.value = body.value;
  property.version = {
    number,
    message: typeof message === 'string' ? message : '',
    minorEdit: minorEdit === true,
    authorId: context.caller.actingAccountId,
    createdAt: context.now,
  };
  return ok(renderProperty(property), 1);
}

function deletePagePropertyById(context: ConfluenceContext) {
  const found = propertyFor(context, true);
  if (isResult(found)) return found;
  found.page.properties.delete(found.property.id);
  return { ...noContent(), points: 1 };
}

export const propertyEndpoints: readonly EmulatedEndpoint[] = [
  {
    operationId: 'getPageContentProperties',
    method: 'GET',
    path: '/wiki/api/v2/pages/:pageId/properties',
    scopes: READ,
    handle: getPageContentProperties,
  },
  {
    operationId: 'createPageProperty',
    method: 'POST',
    path: '/wiki/api/v2/pages/:pageId/properties',
    scopes: WRITE,
    handle: createPageProperty,
  },
  {
    operationId: 'getPageContentPropertiesById',
    method: 'GET',
    path: '/wiki/api/v2/pages/:pageId/properties/:propertyId',
    scopes: READ,
    handle: getPageContentPropertiesById,
  },
  {
    operationId: 'updatePagePropertyById',
    method: 'PUT',
    path: '/wiki/api/v2/pages/:pageId/properties/:propertyId',
    scopes: WRITE,
    handle: updatePagePropertyById,
  },
  {
    operationId: 'deletePagePropertyById',
    method: 'DELETE',
    path: '/wiki/api/v2/pages/:pageId/properties/:propertyId',
    scopes: WRITE,
    handle: deletePagePropertyById,
  },
  // Blog posts carry content properties the same way, under their own path and
  // with the same scopes (v2 spec: getBlogpostContentProperties and friends).
  {
    operationId: 'getBlogpostContentProperties',
    method: 'GET',
    path: '/wiki/api/v2/blogposts/:blogpostId/properties',
    scopes: READ,
    handle: getPageContentProperties,
  },
  {
    operationId: 'createBlogpostProperty',
    method: 'POST',
    path: '/wiki/api/v2/blogposts/:blogpostId/properties',
    scopes: WRITE,
    handle: createPageProperty,
  },
  {
    operationId: 'getBlogpostContentPropertiesById',
    method: 'GET',
    path: '/wiki/api/v2/blogposts/:blogpostId/properties/:propertyId',
    scopes: READ,
    handle: getPageContentPropertiesById,
  },
  {
    operationId: 'updateBlogpostPropertyById',
    method: 'PUT',
    path: '/wiki/api/v2/blogposts/:blogpostId/properties/:propertyId',
    scopes: WRITE,
    handle: updatePagePropertyById,
  },
  {
    operationId: 'deleteBlogpostPropertyById',
    method: 'DELETE',
    path: '/wiki/api/v2/blogposts/:blogpostId/properties/:propertyId',
    scopes: WRITE,
    handle: deletePagePropertyById,
  },
];
