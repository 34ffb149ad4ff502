import {
  exportPageBodyQuerySchema,
  exportPageBodySchema,
  exportPageListQuerySchema,
  exportPageListSchema,
  exportSyncViewSchema,
  problemSchema,
} from '@pagewire/shared';
import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';

/** The export API's part of the OpenAPI document (docs/EXPORT.md): read with an export key, not an ingest key. */
const security = [{ exportKey: [] }];

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

const exportProblems = {
  '401': problemResponse('No export key, or one that is unknown or revoked (`invalid_export_key`).'),
  '403': problemResponse('Export is turned off for the key’s space (`export_disabled`).'),
};

const pageIdParam = z.object({
  pageId: z.string().meta({ description: 'The Confluence page id, as the page list gives it.' }),
});

export const exportSecurityScheme = {
  type: 'http' as const,
  scheme: 'bearer',
  description:
    'An export key, `pwx_` and 43 characters, shown once when a space admin creates it for a consumer. It reads one space; it cannot ingest.',
};

export function exportPaths(): ZodOpenApiPathsObject {
  const listPages: ZodOpenApiOperationObject = {
    operationId: 'listExportPages',
    summary: 'List what changed in the space',
    description:
      'The space’s pages in the order their changes were recorded, oldest first, trashed and deleted pages included (tombstones are kept 30 days). Pass `nextCursor` as `cursor` to go on; when it is null, keep the last cursor (or the last `updatedAt`, as `updatedSince`) and ask again later to get exactly what changed since. A page with a view restriction reads as `deleted` unless the space admin included restricted pages.',
    tags: ['Export'],
    security,
    requestParams: { query: exportPageListQuerySchema },
    responses: {
      '200': {
        description: 'A page of changes.',
        content: { 'application/json': { schema: exportPageListSchema } },
      },
      '400': problemResponse(
        'A cursor this API did not make (`invalid_cursor`), or a date or limit out of shape (`validation_failed`).',
      ),
      ...exportProblems,
    },
  };
  const getPage: ZodOpenApiOperationObject = {
    operationId: 'getExportPage',
    summary: 'Read one page’s body',
    description:
      'The page’s current version as GitHub-flavoured Markdown (the default), plain text, or ADF as Confluence stores it. Served from the mirror: reading an unchanged page makes no call to Confluence.',
    tags: ['Export'],
    security,
    requestParams: { path: pageIdParam, query: exportPageBodyQuerySchema },
    responses: {
      '200': { description: 'The body.', content: { 'application/json': { schema: exportPageBodySchema } } },
      '400': problemResponse('An unknown `format` (`validation_failed`).'),
      ...exportProblems,
      '404': problemResponse(
        'The key’s space has no such page, it was deleted, or it is restricted and not exported (`page_not_found`).',
      ),
    },
  };
  const getSync: ZodOpenApiOperationObject = {
    operationId: 'getExportSync',
    summary: 'Read the mirror’s sync state',
    tags: ['Export'],
    security,
    responses: {
      '200': {
        description: 'The sync state.',
        content: { 'application/json': { schema: exportSyncViewSchema } },
      },
      ...exportProblems,
    },
  };
  const requestSync: ZodOpenApiOperationObject = {
    operationId: 'requestExportSync',
    summary: 'Ask for a reconcile now',
    description:
      'Queues a reconcile of the space with Confluence (one at a time per space; asking again while one waits changes nothing) and answers at once with the sync state.',
    tags: ['Export'],
    security,
    responses: {
      '202': {
        description: 'The reconcile is queued.',
        content: { 'application/json': { schema: exportSyncViewSchema } },
      },
      ...exportProblems,
    },
  };
  return {
    '/export/v1/pages': { get: listPages },
    '/export/v1/pages/{pageId}': { get: getPage },
    '/export/v1/sync': { get: getSync, post: requestSync },
  };
}
