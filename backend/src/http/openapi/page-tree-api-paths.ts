import {
  externalIdSchema,
  pageArchiveBodySchema,
  pageIngestAcceptedSchema,
  problemSchema,
  treeNameSchema,
  treePageListQuerySchema,
  treePageListSchema,
} from '@pagewire/shared';
import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';

/** The docs-as-code part of the ingest API (docs/PUBLISHING.md, "Page trees"): the tree listing and archiving. */

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

const problems = {
  '400': problemResponse(
    'The request is malformed or does not match the schema (`malformed_json`, `validation_failed`, `invalid_cursor`).',
  ),
  '401': problemResponse('No ingest key, or one that is unknown or revoked (`invalid_ingest_key`).'),
  '429': problemResponse('Too many requests (`rate_limited`); `Retry-After` says when to try again.'),
};

export function pageTreePaths(): ZodOpenApiPathsObject {
  const listTreePages: ZodOpenApiOperationObject = {
    operationId: 'listTreePages',
    summary: 'List the pages of a tree',
    description:
      'Every page published with `origin.tree` = `tree` in the key’s space, current and archived, in external-id order, 200 at a time (pass `nextCursor` as `cursor`). A page is listed from the moment its publish is accepted (`pageId` null until its first publish wrote it). What a docs-as-code tool compares its folder with: renames, moves, orphans, and files whose `origin.sourceHash` did not change.',
    tags: ['Pages'],
    requestParams: {
      path: z.object({
        tree: treeNameSchema.meta({ description: 'The tree’s name, as the pages’ `origin.tree`.' }),
      }),
      query: treePageListQuerySchema,
    },
    responses: {
      '200': {
        description: 'A page of the tree’s pages.',
        content: { 'application/json': { schema: treePageListSchema } },
      },
      ...problems,
    },
  };
  const archivePage: ZodOpenApiOperationObject = {
    operationId: 'archivePage',
    summary: 'Archive a page',
    description:
      'Queues an archive of the page published as `externalId` and answers 202 with the job id: Confluence archives it (never deletes it), the tree listing then shows it `archived` and the job `written: "archived"`. With `dryRun` the job only plans (`plan.action: "archive"`). Archiving needs a credential with the classic `write:confluence-content` scope.',
    tags: ['Pages'],
    requestParams: {
      path: z.object({
        externalId: externalIdSchema.meta({ description: 'The source’s own stable id for the page.' }),
      }),
    },
    requestBody: { required: false, content: { 'application/json': { schema: pageArchiveBodySchema } } },
    responses: {
      '202': {
        description: 'The archive is queued; read `GET /ingest/v1/jobs/{id}` for its outcome.',
        headers: z.object({ location: z.string().meta({ description: 'The job’s URL.' }) }),
        content: { 'application/json': { schema: pageIngestAcceptedSchema } },
      },
      ...problems,
      '404': problemResponse(
        'Nothing is published under this external id in the key’s space (`page_not_found`).',
      ),
      '409': problemResponse(
        'Pages Pagewire published still sit under this page (`page_has_children`), or a space admin released it (`page_released`).',
      ),
    },
  };
  return {
    '/ingest/v1/trees/{tree}/pages': { get: listTreePages },
    '/ingest/v1/pages/{externalId}/archive': { post: archivePage },
  };
}
