import { makeProblem } from '@pagewire/shared';
import { Router } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics';
import { sendProblem } from './error-handler-middleware';
import { requestState } from './request-state';

export interface HealthRouterDeps {
  /** Resolves when the database answers and every migration is applied; rejects (or lists what is missing) otherwise. */
  readiness(): Promise<{ ready: true } | { ready: false; reason: string }>;
  /**
   * Conditions an operator must act on that do not make this replica unfit
   * for traffic (taking every replica out of rotation would stop all tenants):
   * `/readyz` stays 200 and lists them.
   */
  warnings?: () => Promise<ReadinessWarning[]>;
  metrics: Metrics;
  logger: Logger;
}

export interface ReadinessWarning {
  code: 'undecryptable_secrets';
  count: number;
  action: string;
}

/**
 * Public, unauthenticated: `/healthz` (the process is up: restart me if not),
 * `/readyz` (the database answers and is migrated: send me traffic), `/metrics`.
 */
export function createHealthRouter(deps: HealthRouterDeps): Router {
  const router = Router();

  router.get('/healthz', (_request, response) => {
    requestState(response).route = '/healthz';
    response.setHeader('cache-control', 'no-store');
    response.json({ status: 'ok' });
  });

  router.get('/readyz', async (_request, response) => {
    const state = requestState(response);
    state.route = '/readyz';
    let readiness: Awaited<ReturnType<HealthRouterDeps['readiness']>>;
    try {
      readiness = await deps.readiness();
    } catch (error) {
      (state.log ?? deps.logger).warn({ err: error }, 'readiness check failed');
      readiness = { ready: false, reason: 'The database does not answer.' };
    }
    if (!readiness.ready) {
      sendProblem(
        response,
        makeProblem('service_unavailable', readiness.reason, { requestId: state.requestId }),
        {
          'retry-after': '5',
        },
      );
      return;
    }
    let warnings: ReadinessWarning[] = [];
    try {
      warnings = (await deps.warnings?.()) ?? [];
    } catch (error) {
      (state.log ?? deps.logger).warn({ err: error }, 'readiness warnings could not be read');
    }
    response.setHeader('cache-control', 'no-store');
    response.json(warnings.length === 0 ? { status: 'ready' } : { status: 'ready', warnings });
  });

  router.get('/metrics', async (_request, response) => {
    requestState(response).route = '/metrics';
    response.setHeader('content-type', deps.metrics.registry.contentType);
    response.send(await deps.metrics.registry.metrics());
  });

  return router;
}
