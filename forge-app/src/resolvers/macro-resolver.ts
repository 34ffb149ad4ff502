import type { OperationName } from '@pagewire/shared';
import { MACRO_MODULE_KEY } from '../manifest-keys';
import {
  createOperationResolver,
  type ResolverDependencies,
  type ResolverHandler,
} from './operation-resolvers';

/**
 * The macro reads; its config lists the space's blocks. Nothing the macro's
 * frontend can call writes anything.
 */
export const MACRO_OPERATIONS = ['blocks.list', 'blocks.get'] as const satisfies readonly OperationName[];

export function createMacroResolver(deps: ResolverDependencies): ResolverHandler {
  return createOperationResolver({ moduleKey: MACRO_MODULE_KEY, operations: MACRO_OPERATIONS }, deps);
}
