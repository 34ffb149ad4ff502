import type { OperationDeps, OperationHandlers } from './operation-types';
import { actorOf, scopeOf } from './operation-types';

export function createIngestKeyOperations(
  deps: OperationDeps,
): Pick<OperationHandlers, 'ingestKeys.create' | 'ingestKeys.revoke'> {
  const { ingestKeys } = deps.useCases;
  return {
    'ingestKeys.create': (call) =>
      ingestKeys.create({ ...scopeOf(call), accountId: actorOf(call.context) }, call.input.source),
    'ingestKeys.revoke': (call) =>
      ingestKeys.revoke({ ...scopeOf(call), accountId: actorOf(call.context) }, call.input.id),
  };
}
