import type { Clock } from '../clock';

/**
 * A clock whose time only moves when a test says so. Sleepers wake in time
 * order; between wake-ups pending promise callbacks (fetch stubs, awaits in
 * the client) are allowed to run, so a whole retry or pacing sequence plays
 * out instantly and deterministically.
 */
export interface FakeClock extends Clock {
  /** Moves time forward by `ms`, waking every sleeper due on the way. */
  advance(ms: number): Promise<void>;
  /**
   * Runs time forward, one wake-up at a time, until `promise` settles; returns
   * its outcome. Fails when nothing is left to wake and it is still pending.
   */
  run<T>(promise: Promise<T>, options?: { maxMs?: number }): Promise<T>;
  /** How many sleepers are waiting. */
  pending(): number;
}

interface Timer {
  at: number;
  seq: number;
  wake: () => void;
}

/** Lets queued promise callbacks and I/O callbacks run. */
export async function flushAsync(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

export function createFakeClock(start = Date.parse('2026-11-28T10:00:00.000Z')): FakeClock {
  let now = start;
  let seq = 0;
  let timers: Timer[] = [];

  function nextTimer(): Timer | undefined {
    let next: Timer | undefined;
    for (const timer of timers) {
      if (!next || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq)) next = timer;
    }
    return next;
  }

  function fire(timer: Timer): void {
    timers = timers.filter((candidate) => candidate !== timer);
    now = Math.max(now, timer.at);
    timer.wake();
  }

  return {
    now: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const timer: Timer = {
          at: now + Math.max(0, ms),
          seq: seq++,
          wake: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          timers = timers.filter((candidate) => candidate !== timer);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        timers.push(timer);
      });
    },
    async advance(ms) {
      const target = now + ms;
      await flushAsync();
      for (let next = nextTimer(); next && next.at <= target; next = nextTimer()) {
        fire(next);
        await flushAsync();
      }
      now = target;
    },
    async run(promise, options = {}) {
      const deadline = now + (options.maxMs ?? 24 * 60 * 60 * 1000);
      let settled = false;
      promise.then(
        () => {
          settled = true;
        },
        () => {
          settled = true;
        },
      );
      await flushAsync();
      while (!settled) {
        const next = nextTimer();
        if (!next) throw new Error('fake clock: the promise is still pending and nothing is scheduled');
        if (next.at > deadline) throw new Error('fake clock: the promise did not settle before maxMs');
        fire(next);
        await flushAsync();
      }
      return promise;
    },
    pending: () => timers.length,
  };
}
