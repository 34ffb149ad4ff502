import type { ActivityAction, ActivityItem } from '@pagewire/shared';

/**
 * What a source does all day: a block written, a snapshot or page refreshed,
 * and it went fine. A source writing every 5 s adds rows by the thousand; the
 * log folds runs of them into one row per source and action.
 */
const ROUTINE_ACTIONS: ReadonlySet<ActivityAction> = new Set<ActivityAction>([
  'block.updated',
  'snapshot.written',
  'page.published',
  'page.unchanged',
]);

export function isRoutine(item: ActivityItem): boolean {
  return item.result === 'ok' && item.actor.kind !== 'user' && ROUTINE_ACTIONS.has(item.action);
}

export interface FoldedPage {
  items: ActivityItem[];
  /** The id of the last raw row folded into `items`: where the next page starts. */
  lastConsumedId: string | null;
  /** False when it stopped at `limit` before the end of `rows`. */
  exhausted: boolean;
}

/**
 * Folds newest-first rows into at most `limit` items (a run's groups are
 * emitted together, so a page may end a few over). Within a run of routine
 * rows, each (actor, action, result) becomes one item: the newest row, with
 * `count` and the oldest row's time as `firstAt`. Anything else ends the run
 * and is shown as it is, so an admin's change or a failure is never hidden
 * inside a fold.
 */
export function foldActivity(rows: readonly ActivityItem[], limit: number): FoldedPage {
  const items: ActivityItem[] = [];
  let run = new Map<string, ActivityItem>();
  let lastConsumedId: string | null = null;
  let runLastId: string | null = null;

  const flush = () => {
    items.push(...run.values());
    if (runLastId !== null) lastConsumedId = runLastId;
    run = new Map();
    runLastId = null;
  };

  for (const row of rows) {
    if (isRoutine(row)) {
      const key = `${row.actor.kind}\u0000${row.actor.id}\u0000${row.action}`;
      const group = run.get(key);
      if (group === undefined) {
        if (run.size > 0 && items.length + run.size >= limit) {
          flush();
          return { items, lastConsumedId, exhausted: false };
        }
        run.set(key, row);
      } else {
        run.set(key, { ...group, count: (group.count ?? 1) + 1, firstAt: row.at });
      }
      runLastId = row.id;
      continue;
    }
    flush();
    if (items.length >= limit) return { items, lastConsumedId, exhausted: false };
    items.push(row);
    lastConsumedId = row.id;
    if (items.length >= limit) return { items, lastConsumedId, exhausted: false };
  }
  flush();
  return { items, lastConsumedId, exhausted: true };
}
