import type { Response } from 'express';
import type { Logger } from 'pino';
import type { VerifiedInvocation } from '../auth/forge-invocation-token';

/**
 * What the middleware chain learns about a request, kept on `res.locals` for
 * the access log and metrics.
 *
 * `log` is the request's child logger (request id, trace id and, once known,
 * the installation id bound to every line). It is made on first use: most
 * requests log nothing but the access line, which is written from these
 * fields without a child (two child loggers per request were a measurable
 * share of the macro read path, docs/BENCHMARKS.md). A router may still
 * replace it with a child of its own.
 */
export class RequestState {
  /** `performance.now()` when the request-context middleware first saw the request. */
  readonly startedAt = performance.now();
  requestId: string | undefined;
  traceId: string | undefined;
  /** The route label for metrics: a template, never a raw path (keeps label cardinality bounded). */
  route: string | undefined;
  installationId: string | undefined;
  operation: string | undefined;
  /** Set once the Forge invocation token verified. */
  invocation: VerifiedInvocation | undefined;
  #root: Logger | undefined;
  #log: Logger | undefined;

  constructor(root?: Logger) {
    this.#root = root;
  }

  /** The fields every line about this request carries. */
  bindings(): Record<string, string> {
    const bindings: Record<string, string> = {};
    if (this.requestId !== undefined) bindings.requestId = this.requestId;
    if (this.traceId !== undefined) bindings.traceId = this.traceId;
    if (this.installationId !== undefined) bindings.installationId = this.installationId;
    return bindings;
  }

  /** Undefined only when no request-context middleware ran (a router mounted on its own in a test). */
  get log(): Logger | undefined {
    if (this.#log === undefined && this.#root !== undefined) this.#log = this.#root.child(this.bindings());
    return this.#log;
  }

  set log(logger: Logger | undefined) {
    this.#log = logger;
  }
}

type Locals = { pagewire?: RequestState };

/** Starts the state of a request (the request-context middleware, first in the chain). */
export function startRequestState(response: Response, root: Logger): RequestState {
  const state = new RequestState(root);
  (response.locals as Locals).pagewire = state;
  return state;
}

export function requestState(response: Response): RequestState {
  const locals = response.locals as Locals;
  locals.pagewire ??= new RequestState();
  return locals.pagewire;
}
