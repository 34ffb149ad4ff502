import type { OperationDeps, OperationHandlers } from './operation-types';
import { scopeOf } from './operation-types';

export function createActivityOperations(deps: OperationDeps): Pick<OperationHandlers, 'activity.list'> {
  const { activity } = deps.useCases;
  return {
    'activity.list': (call) => activity.list(scopeOf(call), call.input),
  };
}
