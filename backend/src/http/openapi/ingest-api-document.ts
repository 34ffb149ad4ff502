import {
  adfDocumentSchema,
  adfNodeSchema,
  type BlockKind,
  type BlockPayloadInput,
  blockKeySchema,
  blockListSchema,
  blockSchema,
  externalIdSchema,
  ingestBlockBodySchema,
  ingestBlockResultSchema,
  jobListQuerySchema,
  jobListSchema,
  jobViewSchema,
  jobWaitQuerySchema,
  markdownContentSchema,
  metricsContentSchema,
  pageIngestAcceptedSchema,
  pageIngestBodySchema,
  problemSchema,
  publishedPageSchema,
  statusContentSchema,
  tableContentSchema,
} from '@pagewire/shared';
import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { attachmentPaths } from './attachment-api-paths';
import { exportPaths, exportSecurityScheme } from './export-api-paths';
import { pageTreePaths } from './page-tree-api-paths';

/**
 * One example body per block kind. They feed the OpenAPI document's request
 * examples and the curl commands in docs/INGEST-API.md, and a test parses each
 * with the ingest schema, so a documented example is always one the API accepts.
 */
export const blockExamples: Readonly<Record<BlockKind, BlockPayloadInput>> = {
  status: {
    kind: 'status',
    title: 'Checkout API',
    content: {
      status: 'Degraded performance',
      tone: 'warning',
      summary: 'p99 latency is above 800 ms since 09:40.',
      url: 'https://status.example.com',
      components: [
        { name: 'payments', status: 'Operational', tone: 'success' },
        { name: 'search', status: 'Slow', tone: 'warning' },
      ],
    },
  },
  table: {
    kind: 'table',
    title: 'Deploys today',
    content: {
      columns: [
        { key: 'service', title: 'Service' },
        { key: 'version', title: 'Version' },
        { key: 'at', title: 'Deployed', format: 'date' },
        { key: 'state', title: 'State', format: 'status' },
      ],
      rows: [
        { service: 'checkout', version: '4.12.0', at: '2026-11-28T09:12:00Z', state: 'done' },
        { service: 'search', version: '2.3.1', at: '2026-11-28T10:02:00Z', state: 'rolling' },
      ],
      caption: 'From the deploy pipeline',
    },
  },
  metrics: {
    kind: 'metrics',
    title: 'Checkout SLO',
    content: {
      metrics: [
        { label: 'Availability', value: 99.95, unit: '%', delta: -0.02, goodDirection: 'up' },
        { label: 'p99 latency', value: 640, unit: 'ms', delta: 35, goodDirection: 'down', hint: 'last 24 h' },
      ],
    },
  },
  markdown: {
    kind: 'markdown',
    title: 'On call',
    content: '**Primary:** Ana Silva\n\n**Secondary:** Bo Chen\n\nEscalate in `#checkout-oncall`.',
  },
  adf: {
    kind: 'adf',
    title: 'Release note',
    content: {
      version: 1,
      type: 'doc',
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Checkout 4.12 is out.' }] }],
    },
  },
};

/** The body of `PUT /ingest/v1/pages/{externalId}` the reference shows. */
export const pageExample = {
  spaceKey: 'ENG',
  title: 'Checkout runbook',
  markdown: '# Checkout runbook\n\n1. Check the dashboard.\n2. Page the on-call.',
  labels: ['runbook'],
  onHumanEdit: 'skip',
} as const;

export interface IngestRoute {
  method: 'get' | 'put' | 'post' | 'delete';
  /** OpenAPI path template, `{name}` for parameters. */
  path: string;
}

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

/** Every ingest operation answers these problems besides its own. */
const commonProblems = {
  '400': problemResponse(
    'The request is malformed or does not match the schema (`malformed_json`, `validation_failed`); `errors` lists each field with its JSON pointer.',
  ),
  '401': problemResponse('No ingest key, or one that is unknown or revoked (`invalid_ingest_key`).'),
  '429': problemResponse('Too many requests (`rate_limited`); `Retry-After` says when to try again.'),
};

const blockKeyParam = z.object({
  key: blockKeySchema.meta({ description: 'The block key the source chose.' }),
});
const externalIdParam = z.object({
  externalId: externalIdSchema.meta({ description: 'The source’s own stable id for the page.' }),
});
const jobIdParam = z.object({ id: z.string().meta({ description: 'The job id `PUT` answered.' }) });

/** The operations, keyed by path and method; routes mounted under /ingest/v1 must all appear here (a test checks). */
function ingestPaths(): ZodOpenApiPathsObject {
  const putBlock: ZodOpenApiOperationObject = {
    operationId: 'putBlock',
    summary: 'Write a block',
    description:
      'Creates or replaces the block `key` in the ingest key’s space. The same content again makes no new revision (`changed: false`). The body is at most 256 KB.',
    tags: ['Blocks'],
    requestParams: { path: blockKeyParam },
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: ingestBlockBodySchema,
          examples: Object.fromEntries(
            Object.entries(blockExamples).map(([kind, value]) => [
              kind,
              { summary: `A ${kind === 'adf' ? 'ADF' : kind} block`, value },
            ]),
          ),
        },
      },
    },
    responses: {
      '200': {
        description: 'The block was updated (or was already this content).',
        content: { 'application/json': { schema: ingestBlockResultSchema } },
      },
      '201': {
        description: 'The block was created.',
        content: { 'application/json': { schema: ingestBlockResultSchema } },
      },
      ...commonProblems,
      '413': problemResponse('The body is over 256 KB (`payload_too_large`).'),
      '415': problemResponse('The body is not `application/json` (`unsupported_media_type`).'),
    },
  };
  const putPage: ZodOpenApiOperationObject = {
    operationId: 'putPage',
    summary: 'Publish a whole page',
    description:
      'Queues a publish of the page the source knows as `externalId`, from Markdown or ADF, and answers 202 with the job id (also in `Location`). Updates to one page are coalesced; a page a person edited since the last publish is left alone unless `onHumanEdit` is `overwrite`.',
    tags: ['Pages'],
    requestParams: { path: externalIdParam },
    requestBody: {
      required: true,
      content: { 'application/json': { schema: pageIngestBodySchema, example: pageExample } },
    },
    responses: {
      '202': {
        description: 'The publish is queued; read `GET /ingest/v1/jobs/{id}` for its outcome.',
        headers: z.object({ location: z.string().meta({ description: 'The job’s URL.' }) }),
        content: { 'application/json': { schema: pageIngestAcceptedSchema } },
      },
      ...commonProblems,
      '413': problemResponse('The body is over the page limit (`payload_too_large`).'),
      '415': problemResponse('The body is not `application/json` (`unsupported_media_type`).'),
    },
  };
  const getJob: ZodOpenApiOperationObject = {
    operationId: 'getJob',
    summary: 'Read a publish job, or wait for it to end',
    description:
      'With `wait` (seconds, at most 30) the answer is held until the job ends or the wait runs out, whichever is first; the job is then answered as it is. Once the job knows its page, `pageUrl` is where a person opens it.',
    tags: ['Pages'],
    requestParams: { path: jobIdParam, query: jobWaitQuerySchema },
    responses: {
      '200': {
        description: 'The job as it is now.',
        content: { 'application/json': { schema: jobViewSchema } },
      },
      ...commonProblems,
      '404': problemResponse('No job with this id in this key’s space (`job_not_found`).'),
    },
  };
  const listBlocks: ZodOpenApiOperationObject = {
    operationId: 'listBlocks',
    summary: 'List the space’s blocks',
    description:
      'Every block in the ingest key’s space, whichever source wrote it, by key: kind, title, revision, last update, source, and the pages whose macros show it (`placements`, recorded when a macro is viewed).',
    tags: ['Blocks'],
    responses: {
      '200': { description: 'The blocks.', content: { 'application/json': { schema: blockListSchema } } },
      ...commonProblems,
    },
  };
  const getBlock: ZodOpenApiOperationObject = {
    operationId: 'getBlock',
    summary: 'Read a block back',
    tags: ['Blocks'],
    requestParams: { path: blockKeyParam },
    responses: {
      '200': {
        description: 'The block as stored, with its revision, last update and source.',
        content: { 'application/json': { schema: blockSchema } },
      },
      ...commonProblems,
      '404': problemResponse('No block with this key in the key’s space (`block_not_found`).'),
      '410': problemResponse('The block was deleted; `detail` says when and by whom (`block_deleted`).'),
    },
  };
  const deleteBlock: ZodOpenApiOperationObject = {
    operationId: 'deleteBlock',
    summary: 'Delete a block',
    description:
      'Removes the block from the space: the macro picker no longer offers it and macros showing it say it was deleted. Writing the key again brings it back as revision 1.',
    tags: ['Blocks'],
    requestParams: { path: blockKeyParam },
    responses: {
      '204': { description: 'The block is deleted.' },
      ...commonProblems,
      '404': problemResponse('No block with this key in the key’s space (`block_not_found`).'),
      '410': problemResponse('The block was already deleted (`block_deleted`).'),
    },
  };
  const listJobs: ZodOpenApiOperationObject = {
    operationId: 'listJobs',
    summary: 'List publish jobs',
    description:
      'The key’s space’s page jobs, newest first, optionally only those in one `state` or for one `externalId`. Pass `nextCursor` as `cursor` for older ones.',
    tags: ['Pages'],
    requestParams: { query: jobListQuerySchema },
    responses: {
      '200': { description: 'A page of jobs.', content: { 'application/json': { schema: jobListSchema } } },
      ...commonProblems,
    },
  };
  const getPage: ZodOpenApiOperationObject = {
    operationId: 'getPage',
    summary: 'Find the page an external id is published as',
    tags: ['Pages'],
    requestParams: { path: externalIdParam },
    responses: {
      '200': {
        description:
          'The Confluence page: id, title, the version Pagewire last wrote, its URL and the last job.',
        content: { 'application/json': { schema: publishedPageSchema } },
      },
      ...commonProblems,
      '404': problemResponse(
        'Nothing is published under this external id in the key’s space yet (`page_not_found`).',
      ),
    },
  };
  return {
    '/ingest/v1/jobs': { get: listJobs },
    '/ingest/v1/blocks': { get: listBlocks },
    '/ingest/v1/blocks/{key}': { put: putBlock, get: getBlock, delete: deleteBlock },
    '/ingest/v1/pages/{externalId}': { put: putPage, get: getPage },
    '/ingest/v1/jobs/{id}': { get: getJob },
  };
}

/**
 * The OpenAPI 3.1 document of the ingest API, generated from the zod contract
 * in `@pagewire/shared` (zod-openapi renders zod 4 schemas through zod's own
 * JSON Schema output), so the document cannot describe a shape the API does
 * not check. Served at `GET /openapi.json`; docs/INGEST-API.md is rendered from it.
 */
export function createIngestApiDocument(options: { serverUrl?: string } = {}) {
  return createDocument(
    {
      openapi: '3.1.0',
      info: {
        title: 'Pagewire ingest API',
        version: '1',
        description:
          'Sources (CI, pagers, status pages) write blocks and publish pages with an ingest key made in Space settings → Pagewire. The key fixes the site, the space and the source name. Errors are RFC 9457 problem details with a stable `code`.',
      },
      ...(options.serverUrl === undefined ? {} : { servers: [{ url: options.serverUrl }] }),
      security: [{ ingestKey: [] }],
      tags: [
        { name: 'Blocks', description: 'Live content the Pagewire block macro shows.' },
        { name: 'Pages', description: 'Whole pages published from Markdown or ADF, and their jobs.' },
        { name: 'Export', description: 'A space’s pages and every change to them, read with an export key.' },
      ],
      paths: { ...ingestPaths(), ...pageTreePaths(), ...attachmentPaths(), ...exportPaths() },
      components: {
        securitySchemes: {
          ingestKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'An ingest key, `pwk_` and 43 characters, shown once when an admin creates it.',
          },
          exportKey: exportSecurityScheme,
        },
        schemas: {
          BlockBody: ingestBlockBodySchema,
          StatusContent: statusContentSchema,
          TableContent: tableContentSchema,
          MetricsContent: metricsContentSchema,
          MarkdownContent: markdownContentSchema,
          AdfDocument: adfDocumentSchema,
          AdfNode: adfNodeSchema,
          PageBody: pageIngestBodySchema,
          Job: jobViewSchema,
          Block: blockSchema,
          BlockList: blockListSchema,
          JobList: jobListSchema,
          PublishedPage: publishedPageSchema,
          Problem: problemSchema,
        },
      },
    },
    // ADF nodes nest: the self-reference becomes a $ref to the AdfNode component.
    { cycles: 'ref' },
  );
}
