import { ProblemError } from '../problem-error';
import { createActivityOperations } from './activity-operations';
import { createApiTokenOperations } from './api-token-operations';
import { createBlockOperations } from './block-operations';
import { createIngestKeyOperations } from './ingest-key-operations';
import { createLifecycleOperations } from './lifecycle-operations';
import type { OperationDeps, OperationHandlers } from './operation-types';
import { createSettingsOperations } from './settings-operations';

/** One handler per operation of the catalogue in @pagewire/shared; the type makes a missing one a compile error. */
export function createOperationHandlers(deps: OperationDeps): OperationHandlers {
  return {
    ...createLifecycleOperations(deps),
    ...createBlockOperations(deps),
    ...createSettingsOperations(deps),
    ...createApiTokenOperations(deps),
    ...createIngestKeyOperations(deps),
    ...createActivityOperations(deps),
    // Answered by the publishing engine when it runs (BackendExtension.operations).
    async 'pages.list'() {
      throw new ProblemError('service_unavailable', 'The publishing engine is not running in this backend.');
    },
    async 'pages.overwrite'() {
      throw new ProblemError('service_unavailable', 'The publishing engine is not running in this backend.');
    },
  };
}

export type { EffectiveContext, OperationDeps, OperationHandlers } from './operation-types';
