import type { Response } from 'express';
import type { Logger } from 'pino';
import type { VerifiedInvocation } from '../auth/forge-invocation-token';

/** What the middleware chain learns about a request, kept on `res.locals` for the access log and metrics. */
export interface RequestState {
  requestId?: string;
  log?: Logger;
  /** The route label for metrics: a template, never a raw path (keeps label cardinality bounded). */
  route?: string;
  installationId?: string;
  operation?: string;
  /** Set once the Forge invocation token verified. */
  invocation?: VerifiedInvocation;
}

export function requestState(response: Response): RequestState {
  const locals = response.locals as { pagewire?: RequestState };
  locals.pagewire ??= {};
  return locals.pagewire;
}
