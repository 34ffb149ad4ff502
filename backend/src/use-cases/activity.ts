import type { ActivityKind } from '@pagewire/shared';
import { foldActivity } from '../domain/activity-folding';
import { ProblemError } from '../domain/problem-error';
import type { ActivityPage } from '../store/activity-repository';
import { UUID_PATTERN } from '../store/time-ordered-id';
import type { SpaceScope } from './blocks';
import type { ActivityLog } from './ports';

const DEFAULT_PAGE_SIZE = 25;
/** Raw rows read per page: enough that a page of folded items is rarely short, bounded however noisy a source is. */
const RAW_ROWS_PER_ITEM = 20;
const MAX_RAW_ROWS = 1_000;

export interface ActivityQuery {
  cursor?: string | undefined;
  limit?: number | undefined;
  /** Runs of the same thing folded into one item (the default), or every row as written. */
  fold?: boolean | undefined;
  kind?: ActivityKind | undefined;
  source?: string | undefined;
}

export interface ActivityUseCases {
  /** A page of the space's activity, newest first; a cursor not from a previous page is a `validation_failed`. */
  list(scope: SpaceScope, query: ActivityQuery): Promise<ActivityPage>;
}

export function createActivityUseCases(deps: { activity: Pick<ActivityLog, 'list'> }): ActivityUseCases {
  return {
    async list(scope, query) {
      const cursor = query.cursor;
      // Cursors are ids this backend handed out; anything else is a client mistake, not an empty page.
      if (cursor !== undefined && !UUID_PATTERN.test(cursor)) {
        throw new ProblemError('validation_failed', 'The cursor is not one this service returned.', {
          errors: [{ path: '/cursor', message: 'is not a cursor from a previous page' }],
        });
      }
      const limit = query.limit ?? DEFAULT_PAGE_SIZE;
      const filter = { kind: query.kind, source: query.source };
      if (query.fold === false) {
        return deps.activity.list(scope.installationId, scope.spaceKey, { before: cursor, limit, filter });
      }
      const raw = await deps.activity.list(scope.installationId, scope.spaceKey, {
        before: cursor,
        limit: Math.min(limit * RAW_ROWS_PER_ITEM, MAX_RAW_ROWS),
        filter,
      });
      const folded = foldActivity(raw.items, limit);
      // Stopped early: the next page starts after the last row shown. Read to the end: where the raw page ended.
      const nextCursor = folded.exhausted ? raw.nextCursor : folded.lastConsumedId;
      return { items: folded.items, nextCursor };
    },
  };
}
