import type { RequestHandler, Response } from 'express';
import type { IngestPrincipal } from '../auth/ingest-key';
import type { RateLimitedIngestAuthenticator } from '../auth/ingest-rate-limit';
import { requestState } from './request-state';

/**
 * The first handler of every ingest route: names the route for the access log
 * and metrics, checks the key (with the per-key, per-installation and
 * wrong-key-per-address limits) before anything reads the body, so an
 * unauthenticated caller cannot make us parse 256 KB, and keeps the principal
 * for the route's own handler. The request's log lines carry the installation
 * from here on (RequestState binds it when its child logger is first made).
 */
export function createIngestAuthentication(
  authenticator: RateLimitedIngestAuthenticator,
): (route: string) => RequestHandler {
  return (route) => async (request, response, next) => {
    const state = requestState(response);
    state.route = route;
    const principal = await authenticator.authenticate(request.get('authorization'), request.ip);
    state.installationId = principal.installationId;
    (response.locals as { ingestPrincipal?: IngestPrincipal }).ingestPrincipal = principal;
    next();
  };
}

/** The principal `createIngestAuthentication` kept; only for handlers mounted after it. */
export function ingestPrincipalOf(response: Response): IngestPrincipal {
  return (response.locals as { ingestPrincipal?: IngestPrincipal }).ingestPrincipal!;
}
