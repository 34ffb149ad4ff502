import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics';
import { requestState } from './request-state';

/** An incoming id is reused only when it looks like an id, never arbitrary text that ends up in logs. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Gives each request an id (reusing a safe `x-request-id`, else a new UUID),
 * a child logger carrying it, and on completion one access-log line and a
 * latency observation labelled by route template. Headers are never logged:
 * they carry the FIT, OAuth tokens and ingest keys.
 */
export function createRequestContextMiddleware(deps: { logger: Logger; metrics: Metrics }): RequestHandler {
  return (request, response, next) => {
    const started = process.hrtime.bigint();
    const incoming = request.get('x-request-id');
    const requestId = incoming !== undefined && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const state = requestState(response);
    state.requestId = requestId;
    const traceId = request.get('x-b3-traceid');
    state.log = deps.logger.child({
      requestId,
      ...(traceId !== undefined && /^[0-9a-f]{16,32}$/i.test(traceId) ? { traceId } : {}),
    });
    response.setHeader('x-request-id', requestId);

    response.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = state.route ?? 'unmatched';
      deps.metrics.httpRequestDuration.observe(
        { method: request.method, route, status_code: String(response.statusCode) },
        seconds,
      );
      const line = {
        method: request.method,
        route,
        // The path without the query string: nothing secret is ever sent in a query, but nothing is logged from it either.
        path: request.path,
        status: response.statusCode,
        durationMs: Math.round(seconds * 1000 * 10) / 10,
        ...(state.installationId === undefined ? {} : { installationId: state.installationId }),
        ...(state.operation === undefined ? {} : { operation: state.operation }),
      };
      const log = state.log ?? deps.logger;
      if (response.statusCode >= 500) log.error(line, 'request failed');
      else log.info(line, 'request');
    });
    next();
  };
}
