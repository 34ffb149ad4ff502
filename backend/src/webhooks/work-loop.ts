/**
 * A polling loop that also wakes on demand: the intake and delivery workers
 * poll their tables (work from another replica, retries coming due) and are
 * woken at once by work this process just queued, so an event goes out within
 * milliseconds rather than at the next poll.
 */
export interface WorkLoop {
  start(): void;
  wake(): void;
  stop(): Promise<void>;
}

export function createWorkLoop(options: {
  pollMs: number;
  /** Does one round: starts what it can; resolves to whether it found anything. */
  round(): Promise<boolean>;
  onError(error: unknown): void;
}): WorkLoop {
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let wakeUp: (() => void) | null = null;
  let pendingWake = false;
  let done: Promise<void> = Promise.resolve();

  const idle = () =>
    new Promise<void>((resolve) => {
      if (pendingWake) {
        pendingWake = false;
        resolve();
        return;
      }
      wakeUp = resolve;
      timer = setTimeout(resolve, options.pollMs);
    }).finally(() => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      wakeUp = null;
    });

  async function run(): Promise<void> {
    while (running) {
      let found = false;
      try {
        found = await options.round();
      } catch (error) {
        options.onError(error);
      }
      if (!running) break;
      if (!found) await idle();
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      done = run();
    },
    wake() {
      if (wakeUp !== null) wakeUp();
      else pendingWake = true;
    },
    async stop() {
      running = false;
      wakeUp?.();
      await done;
    },
  };
}
