import type { AdfValidator } from '@pagewire/shared/adf-validator';
import type { JsonParse } from '../http/http-io';
import { createRouter } from '../http/router';
import type { EmulatorState, Site } from '../state/emulator-state';
import { attachmentEndpoints } from './attachment-endpoints';
import { blogPostEndpoints } from './blogpost-endpoints';
import type { EmulatedEndpoint } from './confluence-context';
import {
  type ConfluenceResult,
  gatewayScopeMismatch,
  gatewayUnauthorized,
  v1Error,
  v2Error,
  v2NotFound,
} from './confluence-results';
import { authenticate, type Caller, hasScopes, type Mount } from './credentials';
import { labelEndpoints } from './label-endpoints';
import { pageEndpoints } from './page-endpoints';
import { pageTreeEndpoints } from './page-tree-endpoints';
import { propertyEndpoints } from './property-endpoints';
import type { RateLimiter } from './rate-limiter';
import { goneEndpoints } from './removed-v1-endpoints';
import { restrictionEndpoints } from './restriction-endpoints';
import { spaceEndpoints } from './space-endpoints';

export const emulatedEndpoints: readonly EmulatedEndpoint[] = [
  ...spaceEndpoints,
  ...pageEndpoints,
  ...blogPostEndpoints,
  ...propertyEndpoints,
  ...labelEndpoints,
  ...attachmentEndpoints,
  ...pageTreeEndpoints,
  ...restrictionEndpoints,
  ...goneEndpoints,
];

export interface EdgeRequest {
  readonly method: string;
  readonly mount: Mount;
  readonly site: Site;
  /** Site-relative path, e.g. `/wiki/api/v2/pages/1`. */
  readonly wikiPath: string;
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
  readonly body: JsonParse;
  readonly siteWikiBase: string;
}

export interface EdgeOutcome {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  readonly caller: Caller | undefined;
  readonly operationId: string | undefined;
}

export interface ConfluenceEdge {
  handle(request: EdgeRequest): Promise<EdgeOutcome>;
}

export interface ConfluenceEdgeDependencies {
  readonly state: EmulatorState;
  readonly rateLimiter: RateLimiter;
  readonly adf: AdfValidator;
  readonly now: () => number;
}

/**
 * The path a request takes through Atlassian's edge and Confluence: who is
 * calling (401), whether their rate limits allow it (429), whether the
 * endpoint exists (404/405), whether the credential holds the endpoint's
 * scopes (401 "scope does not match"), then the endpoint itself.
 */
export function createConfluenceEdge(dependencies: ConfluenceEdgeDependencies): ConfluenceEdge {
  const { state, rateLimiter, adf, now } = dependencies;
  const router = createRouter<EmulatedEndpoint>();
  for (const endpoint of emulatedEndpoints) router.add(endpoint.method, endpoint.path, endpoint);

  function finish(result: ConfluenceResult, caller: Caller | undefined, operationId?: string): EdgeOutcome {
    return {
      status: result.status,
      body: result.body,
      headers: { ...result.headers },
      caller,
      operationId,
    };
  }

  return {
    async handle(request) {
      const nowMs = now();
      const caller = authenticate(state, request.site, request.mount, request.authorization, nowMs);
      if (!caller) return finish(gatewayUnauthorized(), undefined);

      const appId = caller.principal.kind === 'app' ? caller.principal.installation.appId : undefined;
      const admission = rateLimiter.admit(caller.credentialId, caller.kind, nowMs, appId);
      if (!admission.allowed) {
        // Production's 429 body is empty or `{}`: clients must rely on the headers.
        return { status: 429, body: undefined, headers: admission.headers, caller, operationId: undefined };
      }

      const isV1 = request.wikiPath.startsWith('/wiki/rest/');
      const lookup = router.lookup(request.method, request.wikiPath);
      let result: ConfluenceResult;
      let operationId: string | undefined;
      if (lookup.kind === 'not_found') {
        result = isV1 ? v1Error(404, `null for uri: ${request.wikiPath}`) : v2NotFound();
      } else if (lookup.kind === 'method_not_allowed') {
        result = isV1
          ? v1Error(405, 'Method Not Allowed')
          : v2Error(405, 'METHOD_NOT_ALLOWED', 'Method Not Allowed');
      } else {
        const endpoint = lookup.handler;
        operationId = endpoint.operationId;
        if (!hasScopes(caller, endpoint.scopes)) {
          result = gatewayScopeMismatch();
        } else {
          result = await endpoint.handle({
            state,
            site: request.site,
            caller,
            params: lookup.params,
            query: request.query,
            wikiPath: request.wikiPath,
            siteWikiBase: request.siteWikiBase,
            now: new Date(nowMs),
            adf,
            body: request.body,
          });
        }
      }
      const points = result.points ?? (request.method === 'GET' ? 2 : 1);
      if (points > 0) rateLimiter.charge(caller.credentialId, points, nowMs);
      const outcome = finish(result, caller, operationId);
      return {
        ...outcome,
        headers: { ...rateLimiter.headers(caller.credentialId, nowMs), ...outcome.headers },
      };
    },
  };
}
