import type { OperationHandlers } from '../http/operations/operation-types';
import { actorOf, spaceOf } from '../http/operations/operation-types';
import type { ExportService } from './export-service';

/** `exportKeys.create` and `exportKeys.revoke`, replacing the core's placeholders. */
export function createExportKeyOperations(
  service: ExportService,
): Pick<OperationHandlers, 'exportKeys.create' | 'exportKeys.revoke'> {
  return {
    async 'exportKeys.create'(call) {
      const created = await service.createKey({
        installationId: call.invocation.installationId,
        spaceKey: spaceOf(call.context),
        consumer: call.input.consumer,
        accountId: actorOf(call.context),
      });
      // The only time the key leaves the backend: it is not stored, so it cannot be shown again.
      return { id: created.id, consumer: call.input.consumer, key: created.key };
    },

    async 'exportKeys.revoke'(call) {
      await service.revokeKey({
        installationId: call.invocation.installationId,
        spaceKey: spaceOf(call.context),
        id: call.input.id,
        accountId: actorOf(call.context),
      });
      return { revoked: true as const };
    },
  };
}
