import {
  EXTERNAL_ID_PATTERN,
  fieldErrorsFrom,
  MAX_INGEST_BODY_BYTES,
  type PageIngestBody,
  pageIngestBodySchema,
} from '@pagewire/shared';
import { type Request, type Response, Router } from 'express';
import type { Logger } from 'pino';
import type { RateLimitedIngestAuthenticator } from '../../auth/ingest-rate-limit';
import { findUnsafeText } from '../../domain/text-safety';
import { createIngestAuthentication, ingestPrincipalOf } from '../../http/ingest-authentication';
import { createJsonBodyMiddleware } from '../../http/json-body-middleware';
import { refuseDeepMarkdown } from '../../http/markdown-nesting';
import { ProblemError, prefixFieldErrors } from '../../http/problem-error';
import { requestState } from '../../http/request-state';
import type { PublishingService } from '../publishing-service';

export interface PublishingRouterDeps {
  authenticator: RateLimitedIngestAuthenticator;
  service: PublishingService;
  logger: Logger;
  /** When a space admin released the page ("stop managing"): its source's pushes are refused. */
  releasedAt(installationId: string, spaceKey: string, externalId: string): Promise<string | null>;
}

const PAGE_ROUTE = '/ingest/v1/pages/:externalId';
const JOB_ROUTE = '/ingest/v1/jobs/:id';
/** Page bodies carry Markdown or ADF up to the ingest limit, plus a few small fields. */
const PAGE_BODY_LIMIT_BYTES = MAX_INGEST_BODY_BYTES + 16 * 1024;

/**
 * `PUT /ingest/v1/pages/{externalId}` queues a whole-page publish and answers
 * 202 with the job id; `GET /ingest/v1/jobs/{id}` (automation-router.ts) reports it. Both take the
 * ingest key (`Authorization: Bearer pwk_…`), which fixes installation, space
 * and source: a job is visible only to keys of the same installation and space.
 */
export function createPublishingRouter(deps: PublishingRouterDeps): Router {
  const router = Router();

  const authenticate = createIngestAuthentication(deps.authenticator);

  router.put(PAGE_ROUTE, authenticate(PAGE_ROUTE));
  router.put(
    PAGE_ROUTE,
    createJsonBodyMiddleware(PAGE_BODY_LIMIT_BYTES),
    async (request: Request, response: Response) => {
      const principal = ingestPrincipalOf(response);
      const externalId = request.params.externalId as string;
      if (!EXTERNAL_ID_PATTERN.test(externalId)) {
        throw new ProblemError('validation_failed', 'The external id in the URL is not valid.', {
          errors: [
            {
              path: '/externalId',
              message:
                'must be 1–128 characters of letters, digits, ".", "_", ":", "~" or "-", starting with a letter or digit',
            },
          ],
        });
      }
      const body = parseBody(request.body);
      if (body.spaceKey !== principal.spaceKey) {
        throw new ProblemError(
          'validation_failed',
          `This ingest key publishes to space ${principal.spaceKey}; the body names ${body.spaceKey}.`,
          {
            errors: [
              { path: '/spaceKey', message: `must be ${principal.spaceKey}, the space of this ingest key` },
            ],
          },
        );
      }
      if (body.parentExternalId === externalId) {
        throw new ProblemError('validation_failed', 'A page cannot be its own parent.', {
          errors: [{ path: '/parentExternalId', message: 'must name another page than the one in the URL' }],
        });
      }
      if (body.markdown !== undefined) refuseDeepMarkdown(body.markdown, '/markdown');
      if (body.adf !== undefined) {
        // The structural schema checks the outline; Atlassian's full schema says whether Confluence accepts it.
        const validation = deps.service.adfValidator.validate(body.adf);
        if (!validation.valid) {
          throw new ProblemError('validation_failed', 'The "adf" body is not a valid ADF document.', {
            errors: prefixFieldErrors(validation.errors, '/adf'),
          });
        }
      }
      const releasedAt = await deps.releasedAt(principal.installationId, principal.spaceKey, externalId);
      if (releasedAt !== null) {
        throw new ProblemError(
          'page_released',
          `A space admin stopped Pagewire from managing "${externalId}" on ${releasedAt}; the page stays as it is in Confluence and is not written again. Publish under another external id to create a new page.`,
        );
      }
      const job = await deps.service.acceptPage(principal, externalId, body);
      response.setHeader('location', `/ingest/v1/jobs/${encodeURIComponent(job.id)}`);
      response.status(202).json({ jobId: job.id });
    },
  );

  // GET on a job, the job list and GET on a page are in automation-router.ts, mounted first.
  router.all(PAGE_ROUTE, (_request, response) => {
    requestState(response).route = PAGE_ROUTE;
    response.setHeader('allow', 'GET, PUT');
    throw new ProblemError('method_not_allowed', 'Pages are published with PUT and looked up with GET.');
  });
  router.all(JOB_ROUTE, (_request, response) => {
    requestState(response).route = JOB_ROUTE;
    response.setHeader('allow', 'GET');
    throw new ProblemError('method_not_allowed', 'Jobs are read with GET.');
  });

  return router;
}

function parseBody(raw: unknown): PageIngestBody {
  if (raw === undefined) {
    throw new ProblemError(
      'validation_failed',
      'Send the page as a JSON body {"spaceKey", "title", "markdown" | "adf", …}.',
      {
        errors: [{ path: '', message: 'is required' }],
      },
    );
  }
  const unsafe = findUnsafeText(raw);
  if (unsafe.length > 0) {
    throw new ProblemError('validation_failed', 'The page contains text that is not valid Unicode.', {
      errors: unsafe,
    });
  }
  const parsed = pageIngestBodySchema.safeParse(raw);
  if (!parsed.success) {
    throw new ProblemError('validation_failed', 'The page does not match the expected shape.', {
      errors: fieldErrorsFrom(parsed.error),
    });
  }
  return parsed.data;
}
