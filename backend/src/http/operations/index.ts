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
    async 'pages.release'(call) {
      throw new ProblemError('page_not_found', `No source has published "${call.input.externalId}" here.`);
    },
    async 'pages.notice'() {
      return { managed: false };
    },
    // Answered by the export and webhook extensions when they run; without them there is nothing to manage.
    async 'exportKeys.create'() {
      throw new ProblemError('service_unavailable', 'Export is not part of this backend.');
    },
    async 'exportKeys.revoke'(call) {
      throw new ProblemError('export_key_not_found', `There is no export key "${call.input.id}" here.`);
    },
    async 'webhooks.create'() {
      throw new ProblemError('service_unavailable', 'Webhooks are not part of this backend.');
    },
    async 'webhooks.list'() {
      return { subscriptions: [] };
    },
    async 'webhooks.delete'(call) {
      throw new ProblemError(
        'webhook_not_found',
        `There is no webhook subscription "${call.input.id}" here.`,
      );
    },
    async 'webhooks.test'(call) {
      throw new ProblemError(
        'webhook_not_found',
        `There is no webhook subscription "${call.input.id}" here.`,
      );
    },
  };
}

export type { EffectiveContext, OperationDeps, OperationHandlers } from './operation-types';
