import { createHash } from 'node:crypto';
import {
  type AttachmentResult,
  attachmentContentTypeSchema,
  attachmentNameSchema,
  EXTERNAL_ID_PATTERN,
  MAX_ATTACHMENT_BYTES,
} from '@pagewire/shared';
import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import type { RateLimitedIngestAuthenticator } from '../../auth/ingest-rate-limit';
import { attachmentContentMismatch } from '../../domain/attachment-content';
import { createIngestAuthentication, ingestPrincipalOf } from '../../http/ingest-authentication';
import { ProblemError } from '../../http/problem-error';
import { requestState } from '../../http/request-state';
import type { PageAttachmentRepository } from '../store/page-attachment-repository';

export interface AttachmentsRouterDeps {
  authenticator: RateLimitedIngestAuthenticator;
  attachments: PageAttachmentRepository;
  now(): Date;
  /** When a space admin released the page ("stop managing"): its source's pushes are refused. */
  releasedAt(installationId: string, spaceKey: string, externalId: string): Promise<string | null>;
}

export const ATTACHMENT_ROUTE = '/ingest/v1/pages/:externalId/attachments/:name';

/**
 * `PUT /ingest/v1/pages/{externalId}/attachments/{name}`: the file's raw bytes
 * as the body, its type as `Content-Type`. The backend keeps them; the page's
 * next publish uploads them to Confluence when their hash differs from the
 * last upload (docs/PUBLISHING.md#page-attachments). The page need not exist
 * yet: a source sends its images first, then the page that shows them.
 */
export function createAttachmentsRouter(deps: AttachmentsRouterDeps): Router {
  const router = Router();
  const authenticate = createIngestAuthentication(deps.authenticator);
  router.put(ATTACHMENT_ROUTE, authenticate(ATTACHMENT_ROUTE));
  router.put(
    ATTACHMENT_ROUTE,
    requireImageType,
    // Any type reaches here already checked; body-parser stops reading past the limit (413 payload_too_large).
    express.raw({ limit: MAX_ATTACHMENT_BYTES, type: () => true }),
    async (request: Request, response: Response) => {
      const principal = ingestPrincipalOf(response);
      const { externalId, name } = parseParams(request);
      const contentType = declaredType(request);
      const bytes: Uint8Array = Buffer.isBuffer(request.body) ? request.body : new Uint8Array();
      if (bytes.length === 0) {
        throw new ProblemError('validation_failed', 'Send the file’s bytes as the request body.', {
          errors: [{ path: '', message: 'is required' }],
        });
      }
      const mismatch = attachmentContentMismatch(contentType, bytes);
      if (mismatch !== null) {
        throw new ProblemError(
          'unsupported_media_type',
          `The body is not the ${contentType} it is declared as: ${mismatch}.`,
        );
      }
      const releasedAt = await deps.releasedAt(principal.installationId, principal.spaceKey, externalId);
      if (releasedAt !== null) {
        throw new ProblemError(
          'page_released',
          `A space admin stopped Pagewire from managing "${externalId}" on ${releasedAt}; its attachments are not written again.`,
        );
      }
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const owner = { installationId: principal.installationId, spaceKey: principal.spaceKey, externalId };
      const stored = await deps.attachments.put(owner, { name, contentType, bytes, sha256 }, deps.now());
      const result: AttachmentResult = {
        name,
        contentType,
        size: bytes.length,
        sha256,
        changed: stored.changed,
      };
      response.status(stored.created ? 201 : 200).json(result);
    },
  );
  router.all(ATTACHMENT_ROUTE, (_request, response) => {
    requestState(response).route = ATTACHMENT_ROUTE;
    response.setHeader('allow', 'PUT');
    throw new ProblemError('method_not_allowed', 'Page attachments are written with PUT.');
  });
  return router;
}

/** The media type without parameters, lower-cased; null when absent. */
function baseType(request: Request): string | null {
  const header = request.headers['content-type'];
  if (typeof header !== 'string') return null;
  return header.split(';', 1)[0]!.trim().toLowerCase();
}

function declaredType(request: Request) {
  return attachmentContentTypeSchema.parse(baseType(request));
}

/** 415 before a byte of the body is read: only the image types of the contract are kept. */
const requireImageType: RequestHandler = (request, _response, next) => {
  const type = baseType(request);
  if (!attachmentContentTypeSchema.safeParse(type).success) {
    next(
      new ProblemError(
        'unsupported_media_type',
        `Attachments are images: send "Content-Type" as one of ${attachmentContentTypeSchema.options.join(', ')}${type === null ? '' : `, not ${type}`}.`,
      ),
    );
    return;
  }
  next();
};

function parseParams(request: Request): { externalId: string; name: string } {
  const externalId = request.params.externalId as string;
  const name = request.params.name as string;
  const errors: { path: string; message: string }[] = [];
  if (!EXTERNAL_ID_PATTERN.test(externalId)) {
    errors.push({
      path: '/externalId',
      message:
        'must be 1–128 characters of letters, digits, ".", "_", ":", "~" or "-", starting with a letter or digit',
    });
  }
  const parsedName = attachmentNameSchema.safeParse(name);
  if (!parsedName.success) {
    errors.push({ path: '/name', message: parsedName.error.issues[0]?.message ?? 'is not a file name' });
  }
  if (errors.length > 0) {
    throw new ProblemError('validation_failed', 'The attachment’s URL is not valid.', { errors });
  }
  return { externalId, name };
}
