import type { ContentType } from '@pagewire/shared';
import type { ConfluenceClient } from '../client';
import { pageSize, paginate } from '../pagination';
import {
  type ContentProperty,
  contentPropertySchema,
  emptyBodySchema,
  multiEntityResultSchema,
} from '../schemas';
import { idSegment } from './ids';

/**
 * Page content properties (v2). Writing one does not create a page version,
 * which is why Pagewire keeps snapshots and sync state there. Properties are
 * addressed by id, so find the id by key first; each has its own version, and
 * an update must send current + 1 (docs/platform-notes.md#content-properties).
 * The key namespace is shared by every app: keys are prefixed and hold nothing secret.
 */

/**
 * A blog post keeps its properties under `/blogposts/{id}/properties`, a page
 * under `/pages/{id}/properties` (docs/platform-notes.md#blog-post-content-properties).
 * Every function here takes `contentType` and defaults to a page.
 */
const propertiesPath = (pageId: string, contentType: ContentType = 'page') =>
  contentType === 'blogpost'
    ? `/wiki/api/v2/blogposts/${idSegment(pageId, 'blog post')}/properties`
    : `/wiki/api/v2/pages/${idSegment(pageId, 'page')}/properties`;
const propertyPath = (pageId: string, propertyId: string, contentType?: ContentType) =>
  `${propertiesPath(pageId, contentType)}/${idSegment(propertyId, 'property')}`;
const contentName = (contentType: ContentType | undefined) =>
  contentType === 'blogpost' ? 'blog post' : 'page';

export function listPageProperties(
  client: ConfluenceClient,
  params: { pageId: string; contentType?: ContentType; key?: string; limit?: number; signal?: AbortSignal },
): AsyncGenerator<ContentProperty, void, undefined> {
  return paginate(client, {
    endpoint: 'property.read',
    method: 'GET',
    path: propertiesPath(params.pageId, params.contentType),
    query: { key: params.key, limit: pageSize(params.limit) },
    schema: multiEntityResultSchema(contentPropertySchema),
    resource: `the properties of ${contentName(params.contentType)} ${params.pageId}`,
    signal: params.signal,
  });
}

/** The property with this key on the page, or null. */
export async function findPagePropertyByKey(
  client: ConfluenceClient,
  params: { pageId: string; contentType?: ContentType; key: string; signal?: AbortSignal },
): Promise<ContentProperty | null> {
  for await (const property of listPageProperties(client, { ...params, limit: 1 })) {
    if (property.key === params.key) return property;
  }
  return null;
}

export async function getPageProperty(
  client: ConfluenceClient,
  params: { pageId: string; contentType?: ContentType; propertyId: string; signal?: AbortSignal },
): Promise<ContentProperty> {
  const response = await client.send({
    endpoint: 'property.read',
    method: 'GET',
    path: propertyPath(params.pageId, params.propertyId, params.contentType),
    schema: contentPropertySchema,
    resource: `property ${params.propertyId} of page ${params.pageId}`,
    signal: params.signal,
  });
  return response.data;
}

export async function createPageProperty(
  client: ConfluenceClient,
  params: { pageId: string; contentType?: ContentType; key: string; value: unknown; signal?: AbortSignal },
): Promise<ContentProperty> {
  const response = await client.send({
    endpoint: 'property.write',
    method: 'POST',
    path: propertiesPath(params.pageId, params.contentType),
    body: { key: params.key, value: params.value },
    schema: contentPropertySchema,
    resource: `property "${params.key}" of ${contentName(params.contentType)} ${params.pageId}`,
    signal: params.signal,
  });
  return response.data;
}

/** `version.number` is the property's current version + 1; a stale one is a ConflictError. */
export async function updatePageProperty(
  client: ConfluenceClient,
  params: {
    pageId: string;
    contentType?: ContentType;
    propertyId: string;
    key: string;
    value: unknown;
    version: { number: number; message?: string };
    signal?: AbortSignal;
  },
): Promise<ContentProperty> {
  const response = await client.send({
    endpoint: 'property.write',
    method: 'PUT',
    path: propertyPath(params.pageId, params.propertyId, params.contentType),
    body: {
      key: params.key,
      value: params.value,
      version: {
        number: params.version.number,
        ...(params.version.message !== undefined ? { message: params.version.message } : {}),
      },
    },
    schema: contentPropertySchema,
    resource: `property "${params.key}" of ${contentName(params.contentType)} ${params.pageId}`,
    signal: params.signal,
  });
  return response.data;
}

export async function deletePageProperty(
  client: ConfluenceClient,
  params: { pageId: string; contentType?: ContentType; propertyId: string; signal?: AbortSignal },
): Promise<void> {
  await client.send({
    endpoint: 'property.write',
    method: 'DELETE',
    path: propertyPath(params.pageId, params.propertyId, params.contentType),
    schema: emptyBodySchema,
    resource: `property ${params.propertyId} of page ${params.pageId}`,
    signal: params.signal,
  });
}
