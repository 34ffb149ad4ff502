import type { EmulatedEndpoint } from './confluence-context';
import { v1Error } from './confluence-results';

/**
 * The v1 operations Atlassian removed because v2 covers them (CHANGE-864,
 * https://community.developer.atlassian.com/t/deprecating-many-confluence-v1-apis-that-have-v2-equivalents/66883;
 * the list as confluence.js 3's MIGRATION.md maps it to v2, "Atlassian removed
 * 37 operations from the v1 spec"). Production answers them 410 Gone with a
 * v1 error body whose message names Confluence's `GoneException`
 * (docs/platform-notes.md#removed-confluence-v1-operations), so the devkit does
 * too: a client still on one of them fails here, not first in production.
 *
 * What stays in v1 because v2 has no answer (label writes, attachment upload,
 * restrictions, CQL search, …) is not listed. `contentBody.convertContentBody`
 * and group membership, which confluence.js also dropped but which have no v2
 * equivalent, are left out rather than guessed.
 */
export const GONE_MESSAGE =
  'com.atlassian.confluence.api.service.exceptions.GoneException: This deprecated endpoint has been removed.';

type Method = EmulatedEndpoint['method'];

/** [operationId as confluence.js 2.x named it, method, site-relative path]. */
export const removedV1Endpoints: ReadonlyArray<readonly [string, Method, string]> = [
  ['getContent', 'GET', '/wiki/rest/api/content'],
  ['createContent', 'POST', '/wiki/rest/api/content'],
  ['getContentById', 'GET', '/wiki/rest/api/content/:id'],
  ['updateContent', 'PUT', '/wiki/rest/api/content/:id'],
  ['deleteContent', 'DELETE', '/wiki/rest/api/content/:id'],
  ['getHistoryForContent', 'GET', '/wiki/rest/api/content/:id/history'],
  ['getContentChildren', 'GET', '/wiki/rest/api/content/:id/child'],
  ['getContentChildrenByType', 'GET', '/wiki/rest/api/content/:id/child/:type'],
  ['getContentComments', 'GET', '/wiki/rest/api/content/:id/child/comment'],
  ['getAttachments', 'GET', '/wiki/rest/api/content/:id/child/attachment'],
  ['downloadAttachment', 'GET', '/wiki/rest/api/content/:id/child/attachment/:attachmentId/download'],
  ['getContentVersions', 'GET', '/wiki/rest/api/content/:id/version'],
  ['getContentVersion', 'GET', '/wiki/rest/api/content/:id/version/:versionNumber'],
  ['getLabelsForContent', 'GET', '/wiki/rest/api/content/:id/label'],
  ['getContentProperties', 'GET', '/wiki/rest/api/content/:id/property'],
  ['createContentProperty', 'POST', '/wiki/rest/api/content/:id/property'],
  ['getContentProperty', 'GET', '/wiki/rest/api/content/:id/property/:key'],
  ['updateContentProperty', 'PUT', '/wiki/rest/api/content/:id/property/:key'],
  ['deleteContentProperty', 'DELETE', '/wiki/rest/api/content/:id/property/:key'],
  ['getSpaces', 'GET', '/wiki/rest/api/space'],
  ['getSpace', 'GET', '/wiki/rest/api/space/:spaceKey'],
  ['getContentForSpace', 'GET', '/wiki/rest/api/space/:spaceKey/content'],
  ['getContentByTypeForSpace', 'GET', '/wiki/rest/api/space/:spaceKey/content/:type'],
  ['getSpaceProperties', 'GET', '/wiki/rest/api/space/:spaceKey/property'],
  ['createSpaceProperty', 'POST', '/wiki/rest/api/space/:spaceKey/property'],
  ['getSpaceProperty', 'GET', '/wiki/rest/api/space/:spaceKey/property/:key'],
  ['updateSpaceProperty', 'PUT', '/wiki/rest/api/space/:spaceKey/property/:key'],
  ['deleteSpaceProperty', 'DELETE', '/wiki/rest/api/space/:spaceKey/property/:key'],
  ['searchTasks', 'GET', '/wiki/rest/api/inlinetasks/search'],
  ['getTaskById', 'GET', '/wiki/rest/api/inlinetasks/:inlineTaskId'],
  ['updateTaskById', 'PUT', '/wiki/rest/api/inlinetasks/:inlineTaskId'],
];

export const goneEndpoints: readonly EmulatedEndpoint[] = removedV1Endpoints.map(
  ([operationId, method, path]) => ({
    operationId,
    method,
    path,
    // The gateway refuses a removed operation whatever the token holds.
    scopes: [],
    handle: () => v1Error(410, GONE_MESSAGE),
  }),
);
