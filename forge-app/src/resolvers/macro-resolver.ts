import type { OperationName, OperationResult } from '@pagewire/shared';
import { MACRO_MODULE_KEY } from '../manifest-keys';
import {
  createOperationResolver,
  type ResolverDependencies,
  type ResolverHandler,
} from './operation-resolvers';
import { withSnapshotFallback } from './snapshot-fallback';

/**
 * The macro reads; its config lists the space's blocks. Nothing the macro's
 * frontend can call writes anything.
 */
export const MACRO_OPERATIONS = ['blocks.list', 'blocks.get'] as const satisfies readonly OperationName[];

export function createMacroResolver(deps: ResolverDependencies): ResolverHandler {
  const snapshots = deps.snapshots;
  return createOperationResolver(
    {
      moduleKey: MACRO_MODULE_KEY,
      operations: MACRO_OPERATIONS,
      ...(snapshots === undefined
        ? {}
        : {
            afterCall: async (name, result, input, platform) =>
              name === 'blocks.get'
                ? withSnapshotFallback(
                    result as OperationResult<'blocks.get'>,
                    input as { key: string },
                    platform,
                    snapshots,
                  )
                : result,
          }),
    },
    deps,
  );
}
