import { BLOCK_KEY_PATTERN } from '@pagewire/shared';
import { Router } from 'express';
import type { RateLimitedIngestAuthenticator } from '../auth/ingest-rate-limit';
import type { BlockUseCases } from '../use-cases/blocks';
import { createIngestAuthentication, ingestPrincipalOf } from './ingest-authentication';
import { ProblemError } from './problem-error';
import { requestState } from './request-state';

export interface IngestBlocksRouterDeps {
  authenticator: RateLimitedIngestAuthenticator;
  blocks: BlockUseCases;
}

const LIST_ROUTE = '/ingest/v1/blocks';
const BLOCK_ROUTE = '/ingest/v1/blocks/:key';

/**
 * Reading back and deleting blocks with an ingest key: `GET /ingest/v1/blocks`
 * lists the key's space, `GET` and `DELETE /ingest/v1/blocks/{key}` read and
 * delete one. Writing stays in ingest-router.ts. A key sees and deletes only
 * its own space's blocks, whichever source wrote them: the space is the unit
 * an admin hands a key out for.
 */
export function createIngestBlocksRouter(deps: IngestBlocksRouterDeps): Router {
  const router = Router();

  const authenticate = createIngestAuthentication(deps.authenticator);

  router.get(LIST_ROUTE, authenticate(LIST_ROUTE), async (_request, response) => {
    const principal = ingestPrincipalOf(response);
    const list = await deps.blocks.listWithPlacements(principal);
    response.setHeader('cache-control', 'no-store');
    response.json(list);
  });

  router.get(BLOCK_ROUTE, authenticate(BLOCK_ROUTE), async (request, response) => {
    const principal = ingestPrincipalOf(response);
    const key = checkedKey(request.params.key as string);
    const block = await deps.blocks.read(principal, key);
    response.setHeader('cache-control', 'no-store');
    response.json(block);
  });

  router.delete(BLOCK_ROUTE, authenticate(BLOCK_ROUTE), async (request, response) => {
    const principal = ingestPrincipalOf(response);
    const key = checkedKey(request.params.key as string);
    const deletion = await deps.blocks.delete(principal, key, { kind: 'source', id: principal.source });
    if (deletion === null) await deps.blocks.refuseMissing(principal, key);
    response.status(204).end();
  });

  router.all(LIST_ROUTE, (_request, response) => {
    requestState(response).route = LIST_ROUTE;
    response.setHeader('allow', 'GET');
    throw new ProblemError('method_not_allowed', 'The block list is read with GET.');
  });

  return router;
}

function checkedKey(key: string): string {
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
  return key;
}
