import {
  BLOCK_KEY_PATTERN,
  type BlockPayload,
  fieldErrorsFrom,
  type IngestBlockResult,
  ingestBlockBodySchema,
  MAX_INGEST_BODY_BYTES,
} from '@pagewire/shared';
import type { AdfValidator } from '@pagewire/shared/adf-validator';
import { Router } from 'express';
import type { Logger } from 'pino';
import type { RateLimitedIngestAuthenticator } from '../auth/ingest-rate-limit';
import { findUnsafeText } from '../domain/text-safety';
import type { Metrics } from '../observability/metrics';
import type { BlockUseCases } from '../use-cases/blocks';
import { createIngestAuthentication, ingestPrincipalOf } from './ingest-authentication';
import { createJsonBodyMiddleware } from './json-body-middleware';
import { refuseDeepMarkdown } from './markdown-nesting';
import { ProblemError, prefixFieldErrors } from './problem-error';
import { requestState } from './request-state';

export interface IngestRouterDeps {
  /** The key check with the ingest limits (a plain IngestAuthenticator fits too). */
  authenticator: RateLimitedIngestAuthenticator;
  blocks: BlockUseCases;
  adfValidator: AdfValidator;
  metrics: Metrics;
  logger: Logger;
}

const ROUTE = '/ingest/v1/blocks/:key';

/**
 * `PUT /ingest/v1/blocks/{key}`: an external system (CI, a pager, a status
 * page) writes a block with its ingest key. The key fixes the installation,
 * the space and the source name; nothing in the request can widen that.
 */
export function createIngestRouter(deps: IngestRouterDeps): Router {
  const router = Router();

  router.put(ROUTE, createIngestAuthentication(deps.authenticator)(ROUTE));

  router.put(ROUTE, ...createJsonBodyMiddleware(MAX_INGEST_BODY_BYTES), async (request, response) => {
    const principal = ingestPrincipalOf(response);
    const key = request.params.key as string;
    if (!BLOCK_KEY_PATTERN.test(key)) {
      throw new ProblemError('validation_failed', 'The block key in the URL is not valid.', {
        errors: [
          {
            path: '/key',
            message: 'must be 1–64 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit',
          },
        ],
      });
    }
    if (request.body === undefined) {
      throw new ProblemError(
        'validation_failed',
        'Send the block as a JSON body {"kind", "title", "content"}.',
        {
          errors: [{ path: '', message: 'is required' }],
        },
      );
    }
    const unsafe = findUnsafeText(request.body);
    if (unsafe.length > 0) {
      throw new ProblemError('validation_failed', 'The block contains text that is not valid Unicode.', {
        errors: unsafe,
      });
    }
    const parsed = ingestBlockBodySchema.safeParse(request.body);
    if (!parsed.success) {
      throw new ProblemError('validation_failed', 'The block does not match its kind’s schema.', {
        errors: fieldErrorsFrom(parsed.error),
      });
    }
    const payload: BlockPayload = parsed.data;
    if (payload.kind === 'markdown') refuseDeepMarkdown(payload.content, '/content');
    if (payload.kind === 'adf') {
      // The structural schema only checks the outline; Atlassian's full schema says whether Confluence can render it.
      const validation = deps.adfValidator.validate(payload.content);
      if (!validation.valid) {
        throw new ProblemError('validation_failed', 'The content is not a valid ADF document.', {
          errors: prefixFieldErrors(validation.errors, '/content'),
        });
      }
    }

    const result = await deps.blocks.write(
      principal,
      key,
      payload,
      requestState(response).log ?? deps.logger,
    );
    deps.metrics.ingestWrites.inc({
      result: result.created ? 'created' : result.changed ? 'updated' : 'unchanged',
    });

    const body: IngestBlockResult = { key, revision: result.revision, changed: result.changed };
    response.status(result.created ? 201 : 200).json(body);
  });

  router.all(ROUTE, (_request, response) => {
    requestState(response).route = ROUTE;
    response.setHeader('allow', 'GET, PUT, DELETE');
    throw new ProblemError(
      'method_not_allowed',
      'Blocks are written with PUT, read with GET and deleted with DELETE.',
    );
  });

  return router;
}
