import { ProblemError } from '../../domain/problem-error';
import type { OperationDeps, OperationHandlers } from './operation-types';
import { scopeOf } from './operation-types';

export function createBlockOperations(
  deps: OperationDeps,
): Pick<OperationHandlers, 'blocks.list' | 'blocks.get' | 'blocks.overview' | 'blocks.delete'> {
  const { blocks } = deps.useCases;
  return {
    'blocks.list': (call) => blocks.list(scopeOf(call)),
    'blocks.overview': (call) => blocks.listWithPlacements(scopeOf(call)),
    async 'blocks.delete'(call) {
      const scope = scopeOf(call);
      const by = { kind: 'user' as const, id: call.context.accountId ?? 'unknown' };
      if ((await blocks.delete(scope, call.input.key, by)) === null) {
        throw new ProblemError(
          'block_not_found',
          `There is no block "${call.input.key}" in space ${scope.spaceKey}.`,
        );
      }
      return { deleted: true };
    },
    'blocks.get': (call) =>
      blocks.readForMacro(scopeOf(call), call.input.key, {
        contentId: call.context.contentId,
        contentType: call.context.contentType,
        localId: call.context.localId,
      }),
  };
}
