import {
  EXTERNAL_ID_PATTERN,
  fieldErrorsFrom,
  pageArchiveBodySchema,
  TREE_NAME_PATTERN,
  treePageListQuerySchema,
} from '@pagewire/shared';
import { type Request, type Response, Router } from 'express';
import type { RateLimitedIngestAuthenticator } from '../../auth/ingest-rate-limit';
import { createIngestAuthentication, ingestPrincipalOf } from '../../http/ingest-authentication';
import { createJsonBodyMiddleware } from '../../http/json-body-middleware';
import { ProblemError } from '../../http/problem-error';
import { requestState } from '../../http/request-state';
import { childrenDetail } from '../page-archiver';
import { InvalidTreeCursorError, type ListTreePages } from '../page-tree-listing';
import type { PublishingService } from '../publishing-service';
import type { PageIdentityRepository } from '../store/page-identity-repository';
import type { PageTreeRepository } from '../store/page-tree-repository';

export interface PageTreeRouterDeps {
  authenticator: RateLimitedIngestAuthenticator;
  service: Pick<PublishingService, 'acceptArchive'>;
  listTreePages: ListTreePages;
  identities: PageIdentityRepository;
  trees: PageTreeRepository;
  releasedAt(installationId: string, spaceKey: string, externalId: string): Promise<string | null>;
}

const TREE_ROUTE = '/ingest/v1/trees/:tree/pages';
const ARCHIVE_ROUTE = '/ingest/v1/pages/:externalId/archive';

/**
 * The docs-as-code routes of the ingest API (docs/INGEST-API.md): the tree
 * listing a tool compares its folder with, and archiving a page whose file is
 * gone (never deleting it).
 */
export function createPageTreeRouter(deps: PageTreeRouterDeps): Router {
  const router = Router();
  const authenticate = createIngestAuthentication(deps.authenticator);

  router.get(TREE_ROUTE, authenticate(TREE_ROUTE), listTreeHandler(deps));
  router.post(ARCHIVE_ROUTE, authenticate(ARCHIVE_ROUTE));
  router.post(ARCHIVE_ROUTE, createJsonBodyMiddleware(4 * 1024), archiveHandler(deps));
  router.all(ARCHIVE_ROUTE, (_request, response) => {
    requestState(response).route = ARCHIVE_ROUTE;
    response.setHeader('allow', 'POST');
    throw new ProblemError('method_not_allowed', 'Pages are archived with POST.');
  });
  router.all(TREE_ROUTE, (_request, response) => {
    requestState(response).route = TREE_ROUTE;
    response.setHeader('allow', 'GET');
    throw new ProblemError('method_not_allowed', 'Tree pages are listed with GET.');
  });
  return router;
}

/** `GET /ingest/v1/trees/{tree}/pages?cursor=`. */
function listTreeHandler(deps: PageTreeRouterDeps) {
  return async (request: Request, response: Response) => {
    const principal = ingestPrincipalOf(response);
    const tree = request.params.tree as string;
    if (!TREE_NAME_PATTERN.test(tree)) {
      throw new ProblemError('validation_failed', 'The tree name in the URL is not valid.', {
        errors: [
          {
            path: '/tree',
            message: 'must be 1–64 letters, digits, ".", "_", "~" or "-", starting with a letter or digit',
          },
        ],
      });
    }
    const parsed = treePageListQuerySchema.safeParse({ ...(request.query as Record<string, unknown>) });
    if (!parsed.success) {
      throw new ProblemError('validation_failed', 'The query parameters are not valid.', {
        errors: fieldErrorsFrom(parsed.error).map((error) => ({ ...error, path: `?${error.path.slice(1)}` })),
      });
    }
    try {
      const list = await deps.listTreePages(principal, tree, parsed.data.cursor);
      response.setHeader('cache-control', 'no-store');
      response.json(list);
    } catch (error) {
      if (error instanceof InvalidTreeCursorError) {
        throw new ProblemError('invalid_cursor', 'The cursor is not one this listing handed out.');
      }
      throw error;
    }
  };
}

/**
 * `POST /ingest/v1/pages/{externalId}/archive`: what can be refused at once
 * is (released, never published, pages under it); the job checks the
 * children again when it runs.
 */
function archiveHandler(deps: PageTreeRouterDeps) {
  return async (request: Request, response: Response) => {
    const principal = ingestPrincipalOf(response);
    const externalId = externalIdOf(request);
    const parsed = pageArchiveBodySchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      throw new ProblemError('validation_failed', 'The archive request does not match the expected shape.', {
        errors: fieldErrorsFrom(parsed.error),
      });
    }
    const { installationId, spaceKey } = principal;
    const releasedAt = await deps.releasedAt(installationId, spaceKey, externalId);
    if (releasedAt !== null) {
      throw new ProblemError(
        'page_released',
        `A space admin stopped Pagewire from managing "${externalId}" on ${releasedAt}; Pagewire does not archive it.`,
      );
    }
    const identity = await deps.identities.find(installationId, spaceKey, externalId);
    if (identity === null) {
      throw new ProblemError(
        'page_not_found',
        `No page is published as "${externalId}" in space ${spaceKey}; there is nothing to archive.`,
      );
    }
    const children = await deps.trees.childrenOf(installationId, spaceKey, identity.pageId);
    if (children.length > 0)
      throw new ProblemError('page_has_children', childrenDetail(externalId, children));
    const job = await deps.service.acceptArchive(principal, externalId, parsed.data.dryRun);
    response.setHeader('location', `/ingest/v1/jobs/${encodeURIComponent(job.id)}`);
    response.status(202).json({ jobId: job.id });
  };
}

function externalIdOf(request: Request): string {
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
  return externalId;
}
