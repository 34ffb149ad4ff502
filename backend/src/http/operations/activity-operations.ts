import { foldActivity } from '../../domain/activity-folding';
import { UUID_PATTERN } from '../../store/time-ordered-id';
import { ProblemError } from '../problem-error';
import type { OperationDeps, OperationHandlers } from './operation-types';
import { spaceOf } from './operation-types';

const DEFAULT_PAGE_SIZE = 25;
/** Raw rows read per page: enough that a page of folded items is rarely short, bounded however noisy a source is. */
const RAW_ROWS_PER_ITEM = 20;
const MAX_RAW_ROWS = 1_000;

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
      const limit = call.input.limit ?? DEFAULT_PAGE_SIZE;
      if (call.input.fold === false) {
        return deps.repositories.activity.list(call.invocation.installationId, spaceOf(call.context), {
          before: cursor,
          limit,
          filter: { kind: call.input.kind, source: call.input.source },
        });
      }
      const raw = await deps.repositories.activity.list(
        call.invocation.installationId,
        spaceOf(call.context),
        {
          before: cursor,
          limit: Math.min(limit * RAW_ROWS_PER_ITEM, MAX_RAW_ROWS),
          filter: { kind: call.input.kind, source: call.input.source },
        },
      );
      const folded = foldActivity(raw.items, limit);
      // Stopped early: the next page starts after the last row shown. Read to the end: where the raw page ended.
      const nextCursor = folded.exhausted ? raw.nextCursor : folded.lastConsumedId;
      return { items: folded.items, nextCursor };
    },
  };
}
