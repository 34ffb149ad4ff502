/**
 * Long polls on publishing jobs, by work item: a finish wakes the waiters of
 * that page only. In-process: a job another replica finishes is seen by the
 * waiter's next look (publishing-service.ts `waitForJob`).
 */
export interface JobWaiters {
  /** Wakes everyone waiting on the work item. */
  wake(key: string): void;
  /** Resolves on the item's next wake, after `ms`, or on `signal`, whichever comes first. */
  next(key: string, ms: number, signal: AbortSignal | undefined): Promise<void>;
}

/** The waiters' key of a work item: an installation's target. */
export function workItemKey(installationId: string, targetKey: string): string {
  return `${installationId}\u0000${targetKey}`;
}

export function createJobWaiters(): JobWaiters {
  const waiters = new Map<string, Set<() => void>>();
  return {
    wake(key) {
      const waiting = waiters.get(key);
      if (waiting === undefined) return;
      waiters.delete(key);
      for (const wake of waiting) wake();
    },
    next(key, ms, signal) {
      return new Promise((resolve) => {
        const waiting = waiters.get(key) ?? new Set<() => void>();
        waiters.set(key, waiting);
        const done = () => {
          clearTimeout(timer);
          waiting.delete(done);
          if (waiting.size === 0 && waiters.get(key) === waiting) waiters.delete(key);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        waiting.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    },
  };
}
