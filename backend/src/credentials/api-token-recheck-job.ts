import type { Logger } from 'pino';
import { type BackgroundJob, startPeriodicJob } from '../domain/periodic-job';
import type { ApiTokenService } from './api-token-service';

/**
 * Runs the API token re-check every hour; each token is due once a day (the
 * service claims it in the database, so with several replicas each token is
 * still checked once). Hourly wake-ups spread the checks over the day instead
 * of bursting at one moment, and a replica that was down catches up within
 * the hour.
 */
export function startApiTokenRecheckJob(deps: {
  service: ApiTokenService;
  logger: Logger;
  intervalMs?: number;
}): BackgroundJob {
  return startPeriodicJob({
    async pass() {
      const checked = await deps.service.recheckDue();
      if (checked > 0) deps.logger.info({ checked }, 'API tokens re-checked');
    },
    logger: deps.logger,
    failureMessage: 'the API token re-check pass failed',
    intervalMs: deps.intervalMs,
  });
}
