import type { DeploymentMode } from '@pagewire/shared';
import { pino } from 'pino';
import { type ApiTokenService, createApiTokenService } from '../credentials/api-token-service';
import { type AppTokenStore, createAppTokenStore } from '../credentials/app-token-store';
import type { ApiTokenHealthCheck } from '../credentials/credential-ports';
import type { SecretBox } from '../credentials/secret-box';
import { createMetrics, type Metrics } from '../observability/metrics';
import type { Repositories } from '../store/repositories';

/**
 * The two credential services over one database, wired as the composition
 * root wires them but silent: the app-token store and the API token service,
 * sealing with `secretBox`.
 */
export function createCredentialServices(deps: {
  repositories: Repositories;
  secretBox: SecretBox;
  checkHealth: ApiTokenHealthCheck;
  now: () => Date;
  mode?: DeploymentMode;
  metrics?: Metrics;
}): { appTokens: AppTokenStore; apiTokens: ApiTokenService } {
  const logger = pino({ level: 'silent' });
  const metrics = deps.metrics ?? createMetrics({ defaultMetrics: false });
  return {
    appTokens: createAppTokenStore({
      repository: deps.repositories.appTokens,
      secretBox: deps.secretBox,
      now: deps.now,
      logger,
      metrics,
    }),
    apiTokens: createApiTokenService({
      mode: deps.mode ?? 'in-house',
      apiTokens: deps.repositories.apiTokens,
      installations: deps.repositories.installations,
      activity: deps.repositories.activity,
      secretBox: deps.secretBox,
      checkHealth: deps.checkHealth,
      now: deps.now,
      logger,
      metrics,
    }),
  };
}
