import { makeProblem } from '@pagewire/shared';
import express, { type Express, type Router } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics';
import { createErrorHandler, sendProblem } from './error-handler-middleware';
import { createRequestContextMiddleware } from './request-context-middleware';
import { requestState } from './request-state';
import { createSecurityHeadersMiddleware } from './security-headers-middleware';

export interface AppRouters {
  health: Router;
  forge: Router;
  ingest: Router;
  /** Routers other parts of the backend add (the publishing engine's ingest routes). */
  extra?: Router[];
}

/**
 * The Express application: request ids, logs and metrics first, then the
 * routers (no two share a path, so their order is only a matter of speed),
 * then one 404 and one error mapper, so every answer that is not a success is
 * problem+json. JSON bodies are parsed per router (each has its
 * own limit, and authenticates before parsing).
 */
export function createApp(deps: { routers: AppRouters; logger: Logger; metrics: Metrics }): Express {
  const app = express();
  app.disable('x-powered-by');
  // Express hashes every answer for a weak ETag; nothing here answers a conditional GET
  // (the APIs are POST/PUT and no-store, health and metrics change by the second).
  app.set('etag', false);
  // Forge calls us directly; no proxy is trusted to rewrite client addresses unless deployed behind one deliberately.
  app.set('trust proxy', false);
  app.use(createSecurityHeadersMiddleware());
  app.use(createRequestContextMiddleware(deps));

  // Forge's calls first: every macro view is one, and the other routers' layers would each be tried before it.
  app.use(deps.routers.forge);
  app.use(deps.routers.health);
  app.use(deps.routers.ingest);
  for (const router of deps.routers.extra ?? []) app.use(router);

  app.use((request, response) => {
    const state = requestState(response);
    state.route ??= 'unmatched';
    sendProblem(
      response,
      makeProblem('not_found', `There is nothing at ${request.method} ${request.path.slice(0, 200)}.`, {
        requestId: state.requestId,
      }),
    );
  });
  app.use(createErrorHandler(deps.logger));
  return app;
}
