import { Router } from 'express';
import { requestState } from '../request-state';
import { createIngestApiDocument } from './ingest-api-document';

const ROUTE = '/openapi.json';

/**
 * `GET /openapi.json`: the ingest API's OpenAPI 3.1 document. It needs no key
 * (it describes the API, it holds no data) and is rendered once per process:
 * the contract cannot change while the process runs.
 */
export function createOpenApiRouter(): Router {
  const router = Router();
  let body: string | undefined;
  router.get(ROUTE, (_request, response) => {
    requestState(response).route = ROUTE;
    body ??= JSON.stringify(createIngestApiDocument());
    response.setHeader('cache-control', 'public, max-age=300');
    response.type('application/json').send(body);
  });
  return router;
}
