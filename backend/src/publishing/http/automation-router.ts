import {
  EXTERNAL_ID_PATTERN,
  fieldErrorsFrom,
  jobListQuerySchema,
  jobWaitQuerySchema,
} from '@pagewire/shared';
import { type Request, Router } from 'express';
import type { z } from 'zod';
import type { RateLimitedIngestAuthenticator } from '../../auth/ingest-rate-limit';
import { createIngestAuthentication, ingestPrincipalOf } from '../../http/ingest-authentication';
import { ProblemError } from '../../http/problem-error';
import { requestState } from '../../http/request-state';
import type { JobAutomation } from '../job-automation';

export interface AutomationRouterDeps {
  authenticator: RateLimitedIngestAuthenticator;
  automation: JobAutomation;
}

const JOBS_ROUTE = '/ingest/v1/jobs';
const JOB_ROUTE = '/ingest/v1/jobs/:id';
const PAGE_ROUTE = '/ingest/v1/pages/:externalId';

/**
 * The read side of page publishing, for scripts: `GET /ingest/v1/jobs/{id}`
 * (with `?wait=` up to 30 s, answered as soon as the job ends),
 * `GET /ingest/v1/jobs?state=&externalId=` and `GET /ingest/v1/pages/{externalId}`.
 * Mounted before the publishing router, whose `PUT` it leaves alone.
 */
export function createAutomationRouter(deps: AutomationRouterDeps): Router {
  const router = Router();

  const authenticate = createIngestAuthentication(deps.authenticator);

  router.get(JOB_ROUTE, authenticate(JOB_ROUTE), async (request, response) => {
    const principal = ingestPrincipalOf(response);
    const { wait } = parseQuery(jobWaitQuerySchema, request);
    const jobId = request.params.id as string;
    let view: Awaited<ReturnType<JobAutomation['findJob']>>;
    if (wait === undefined || wait === 0) {
      view = await deps.automation.findJob(principal, jobId);
    } else {
      // Stop looking as soon as the caller hangs up: a waiting request holds nothing else.
      const hungUp = new AbortController();
      response.on('close', () => hungUp.abort());
      view = await deps.automation.waitForJob(principal, jobId, wait * 1000, hungUp.signal);
    }
    if (view === null) {
      throw new ProblemError(
        'job_not_found',
        `There is no job "${jobId.slice(0, 64)}" in space ${principal.spaceKey}.`,
      );
    }
    response.setHeader('cache-control', 'no-store');
    response.json(view);
  });

  router.get(JOBS_ROUTE, authenticate(JOBS_ROUTE), async (request, response) => {
    const principal = ingestPrincipalOf(response);
    const query = parseQuery(jobListQuerySchema, request);
    response.setHeader('cache-control', 'no-store');
    response.json(await deps.automation.listJobs(principal, query));
  });

  router.get(PAGE_ROUTE, authenticate(PAGE_ROUTE), async (request, response) => {
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
    const page = await deps.automation.findPage(principal, externalId);
    if (page === null) {
      throw new ProblemError(
        'page_not_found',
        `No page is published as "${externalId}" in space ${principal.spaceKey} yet. A PUT to this URL publishes one; a job that has not ended is listed at GET /ingest/v1/jobs?externalId=${externalId}.`,
      );
    }
    response.setHeader('cache-control', 'no-store');
    response.json(page);
  });

  router.all(JOBS_ROUTE, (_request, response) => {
    requestState(response).route = JOBS_ROUTE;
    response.setHeader('allow', 'GET');
    throw new ProblemError('method_not_allowed', 'Jobs are listed with GET.');
  });

  return router;
}

function parseQuery<Schema extends z.ZodType>(schema: Schema, request: Request): z.output<Schema> {
  // A repeated parameter (?state=a&state=b) arrives as an array; the schemas take one value each.
  const parsed = schema.safeParse({ ...(request.query as Record<string, unknown>) });
  if (!parsed.success) {
    throw new ProblemError('validation_failed', 'The query parameters are not valid.', {
      errors: fieldErrorsFrom(parsed.error).map((error) => ({ ...error, path: `?${error.path.slice(1)}` })),
    });
  }
  return parsed.data;
}
