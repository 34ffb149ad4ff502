import type { OperationName } from '@pagewire/shared';
import { PAGE_NOTICE_MODULE_KEY } from '../manifest-keys';
import {
  createOperationResolver,
  type ResolverDependencies,
  type ResolverHandler,
} from './operation-resolvers';

/** The page notice only reads: who publishes the page it sits on, and what a manual edit does. */
export const PAGE_NOTICE_OPERATIONS = ['pages.notice'] as const satisfies readonly OperationName[];

export function createPageNoticeResolver(deps: ResolverDependencies): ResolverHandler {
  return createOperationResolver(
    { moduleKey: PAGE_NOTICE_MODULE_KEY, operations: PAGE_NOTICE_OPERATIONS },
    deps,
  );
}
