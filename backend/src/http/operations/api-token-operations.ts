import type { OperationDeps, OperationHandlers } from './operation-types';
import { actorOf, scopeOf } from './operation-types';

export function createApiTokenOperations(
  deps: OperationDeps,
): Pick<OperationHandlers, 'apiToken.set' | 'apiToken.remove'> {
  const { apiTokens } = deps.useCases;
  return {
    'apiToken.set': (call) =>
      apiTokens.set(
        {
          ...scopeOf(call),
          accountId: actorOf(call.context),
          cloudId: call.invocation.cloudId,
          siteUrl: call.context.siteUrl,
        },
        call.input,
      ),
    async 'apiToken.remove'(call) {
      return { removed: await apiTokens.remove({ ...scopeOf(call), accountId: actorOf(call.context) }) };
    },
  };
}
