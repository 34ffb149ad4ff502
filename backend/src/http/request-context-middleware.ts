import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics';
import { type RequestState, startRequestState } from './request-state';

/** An incoming id is reused only when it looks like an id, never arbitrary text that ends up in logs. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;
const SAFE_TRACE_ID = /^[0-9a-f]{16,32}$/i;

/**
 * Gives each request an id (reusing a safe `x-request-id`, else a new UUID)
 * and on completion one access-log line and a latency observation labelled by
 * route template. Headers are never logged: they carry the FIT, OAuth tokens
 * and ingest keys.
 *
 * The access line is written by the root logger with the request's fields
 * rather than by a child logger, and the finish listener is one function for
 * all requests rather than a closure per request: this runs on every macro
 * view (bench/read-path.ts).
 */
export function createRequestContextMiddleware(deps: { logger: Logger; metrics: Metrics }): RequestHandler {
  // prom-client validates and hashes the label object on every `observe`; the
  // child for one label combination does neither. There are a few dozen
  // combinations (route templates × methods × statuses); the bound only stops a flood.
  const durations = new Map<string, { observe(seconds: number): void }>();
  const durationFor = (method: string, route: string, status: number) => {
    const key = `${method} ${status} ${route}`;
    let child = durations.get(key);
    if (child === undefined) {
      if (durations.size >= 1_000) durations.clear();
      child = deps.metrics.httpRequestDuration.labels(method, route, String(status));
      durations.set(key, child);
    }
    return child;
  };

  function onFinish(this: Response): void {
    const state = this.locals.pagewire as RequestState;
    const request = this.req;
    const seconds = (performance.now() - state.startedAt) / 1000;
    const route = state.route ?? 'unmatched';
    const status = this.statusCode;
    durationFor(request.method, route, status).observe(seconds);
    const line = {
      ...state.bindings(),
      method: request.method,
      route,
      // The path without the query string: nothing secret is ever sent in a query, but nothing is logged from it either.
      path: request.path,
      status,
      durationMs: Math.round(seconds * 1000 * 10) / 10,
      ...(state.operation === undefined ? {} : { operation: state.operation }),
    };
    if (status >= 500) deps.logger.error(line, 'request failed');
    else deps.logger.info(line, 'request');
  }

  return (request, response, next) => {
    const state = startRequestState(response, deps.logger);
    const incoming = request.headers['x-request-id'];
    state.requestId =
      typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const traceId = request.headers['x-b3-traceid'];
    if (typeof traceId === 'string' && SAFE_TRACE_ID.test(traceId)) state.traceId = traceId;
    response.setHeader('x-request-id', state.requestId);
    response.on('finish', onFinish);
    next();
  };
}
