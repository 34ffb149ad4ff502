import type { Logger } from 'pino';

/**
 * Work a use case decided on but that the answer it gives must not wait for
 * (the snapshot of a newly seen placement, decided on the macro's read path).
 * It starts at once, beside the response; a failure is logged and counted
 * (`pagewire_deferred_work_failures_total{work}`), never dropped silently.
 * What it queues is durable once queued, and the snapshot reconciler
 * re-queues any placement still without its snapshot, so a failure here
 * delays a snapshot, it does not lose it (publishing/snapshot-scheduling.ts).
 */
export interface DeferredWork {
  /** Starts `task` without waiting for it. */
  defer(work: string, task: () => Promise<unknown>): void;
  /** Resolves once everything deferred so far has finished (tests, shutdown). */
  settled(): Promise<void>;
}

export interface DeferredWorkDeps {
  logger: Logger;
  /** Counts a failed task by its name. */
  onFailure?: (work: string) => void;
}

export function createDeferredWork(deps: DeferredWorkDeps): DeferredWork {
  const running = new Set<Promise<void>>();
  return {
    defer(work, task) {
      const run = (async () => {
        try {
          await task();
        } catch (error) {
          deps.onFailure?.(work);
          deps.logger.error({ err: error, work }, 'deferred work failed');
        }
      })();
      running.add(run);
      void run.finally(() => running.delete(run));
    },
    async settled() {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
