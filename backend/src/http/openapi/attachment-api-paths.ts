import {
  attachmentContentTypes,
  attachmentNameSchema,
  attachmentResultSchema,
  externalIdSchema,
  MAX_ATTACHMENT_BYTES,
  problemSchema,
} from '@pagewire/shared';
import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';

/** Page attachments' part of the ingest API document (docs/PUBLISHING.md#page-attachments). */
const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

const attachmentParams = z.object({
  externalId: externalIdSchema.meta({ description: 'The source’s own stable id for the page.' }),
  name: attachmentNameSchema.meta({
    description: 'The file name the page’s Markdown refers to as `pagewire:attachment/<name>`.',
  }),
});

const binary = z.string().meta({ format: 'binary', description: 'The file’s bytes.' });

export function attachmentPaths(): ZodOpenApiPathsObject {
  const putAttachment: ZodOpenApiOperationObject = {
    operationId: 'putPageAttachment',
    summary: 'Send an image for a page',
    description: `Keeps the file for the page \`externalId\` (which need not be published yet). Markdown shows it with \`![alt](pagewire:attachment/<name>)\`; the page's next publish uploads it to Confluence only when its SHA-256 differs from the last upload, then writes the body. The body is the raw file, at most ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB, its \`Content-Type\` one of ${attachmentContentTypes.join(', ')}; the bytes must be of that type (an SVG is XML text whose root is \`<svg>\`).`,
    tags: ['Pages'],
    requestParams: { path: attachmentParams },
    requestBody: {
      required: true,
      content: Object.fromEntries(attachmentContentTypes.map((type) => [type, { schema: binary }])),
    },
    responses: {
      '201': {
        description: 'A new attachment of the page.',
        content: { 'application/json': { schema: attachmentResultSchema } },
      },
      '200': {
        description: 'The attachment was kept before; `changed` says whether these bytes differ.',
        content: { 'application/json': { schema: attachmentResultSchema } },
      },
      '400': problemResponse(
        'The external id or the name is not valid, or the body is empty (`validation_failed`).',
      ),
      '401': problemResponse('No ingest key, or one that is unknown or revoked (`invalid_ingest_key`).'),
      '409': problemResponse('A space admin stopped Pagewire from managing the page (`page_released`).'),
      '413': problemResponse(`The file is over ${MAX_ATTACHMENT_BYTES} bytes (\`payload_too_large\`).`),
      '415': problemResponse(
        'The `Content-Type` is not an accepted image type, or the bytes are not of that type (`unsupported_media_type`).',
      ),
      '429': problemResponse('Too many requests (`rate_limited`); `Retry-After` says when to try again.'),
    },
  };
  return { '/ingest/v1/pages/{externalId}/attachments/{name}': { put: putAttachment } };
}
