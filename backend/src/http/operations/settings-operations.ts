import type { OperationDeps, OperationHandlers } from './operation-types';
import { actorOf, scopeOf } from './operation-types';

export function createSettingsOperations(
  deps: OperationDeps,
): Pick<OperationHandlers, 'settings.get' | 'settings.update'> {
  const { settings } = deps.useCases;
  return {
    'settings.get': (call) =>
      settings.view({ ...scopeOf(call), spaceId: call.context.spaceId, canEdit: call.context.isSpaceAdmin }),

    async 'settings.update'(call) {
      const change = {
        ...(call.input.publishingPolicy === undefined
          ? {}
          : { publishingPolicy: call.input.publishingPolicy }),
        ...(call.input.staleAfterMinutes === undefined
          ? {}
          : { staleAfterMinutes: call.input.staleAfterMinutes }),
      };
      const editor = { ...scopeOf(call), accountId: actorOf(call.context), spaceId: call.context.spaceId };
      return { settings: await settings.update(editor, change, call.log, call.input.export) };
    },
  };
}
