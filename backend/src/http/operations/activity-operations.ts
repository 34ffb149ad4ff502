import { UUID_PATTERN } from '../../store/time-ordered-id';
import { ProblemError } from '../problem-error';
import type { OperationDeps, OperationHandlers } from './operation-types';
import { spaceOf } from './operation-types';

const DEFAULT_PAGE_SIZE = 25;

export function createActivityOperations(deps: OperationDeps): Pick<OperationHandlers, 'activity.list'> {
  return {
    async 'activity.list'(call) {
      const cursor = call.input.cursor;
      // Cursors are ids this backend handed out; anything else is a client mistake, not an empty page.
      if (cursor !== undefined && !UUID_PATTERN.test(cursor)) {
        throw new ProblemError('validation_failed', 'The cursor is not one this service returned.', {
          errors: [{ path: '/cursor', message: 'is not a cursor from a previous page' }],
        });
      }
      return deps.repositories.activity.list(call.invocation.installationId, spaceOf(call.context), {
        before: cursor,
        limit: call.input.limit ?? DEFAULT_PAGE_SIZE,
      });
    },
  };
}
