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
    // Answered by the publishing engine when it runs (BackendExtension.operations); without it nothing is published.
    async 'pages.list'() {
      return { pages: [] };
    },
    async 'pages.overwrite'(call) {
      throw new ProblemError('page_not_found', `No source has published "${call.input.externalId}" here.`);
    },
  };
}

export type { EffectiveContext, OperationDeps, OperationHandlers } from './operation-types';
