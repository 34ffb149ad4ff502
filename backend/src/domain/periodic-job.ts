import type { Logger } from 'pino';

/*
 * The timer every background job of the backend runs on (the API token re-check,
 * the installation purge, the export's sync and pruning). It sits low, beside the
 * domain, so that store/, credentials/ and the feature modules can all use it
 * without importing each other.
 */

export interface BackgroundJob {
  /** Runs one pass now (also what the timer does). */
  runNow(): Promise<void>;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `pass` every `intervalMs` (default one hour), never two passes at once:
 * `runNow` during a pass answers that pass. A failed pass is logged with
 * `failureMessage` and the next one is still scheduled.
 */
export function startPeriodicJob(deps: {
  pass: () => Promise<void>;
  logger: Logger;
  failureMessage: string;
  intervalMs?: number;
}): BackgroundJob {
  const interval = deps.intervalMs ?? 60 * 60 * 1000;
  let running: Promise<void> | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  function runNow(): Promise<void> {
    if (running !== null) return running;
    running = deps
      .pass()
      .catch((error: unknown) => {
        deps.logger.error({ err: error }, deps.failureMessage);
      })
      .finally(() => {
        running = null;
      });
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void runNow().finally(schedule);
    }, interval);
    // The job never keeps the process alive on its own (SIGTERM must be able to finish).
    timer.unref();
  }

  schedule();
  return {
    runNow,
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      if (running !== null) await running;
    },
  };
}
