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

/**
 * The sleepers of a test clock and the time they see. Time moves only through
 * `wakeNext` and `moveTo`; sleepers wake in time order, ties in the order they
 * went to sleep.
 */
export interface Sleepers extends Clock {
  /** When the earliest sleeper is due, or undefined when none is waiting. */
  nextAt(): number | undefined;
  /** Wakes the earliest sleeper, moving time forward to when it was due. */
  wakeNext(): void;
  /** Moves time forward to `at` without waking anyone. */
  moveTo(at: number): void;
  /** How many sleepers are waiting. */
  pending(): number;
}

interface Timer {
  at: number;
  seq: number;
  wake: () => void;
}

export function createSleepers(start: number): Sleepers {
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
    nextAt: () => nextTimer()?.at,
    wakeNext() {
      const next = nextTimer();
      if (!next) return;
      timers = timers.filter((candidate) => candidate !== next);
      now = Math.max(now, next.at);
      next.wake();
    },
    moveTo(at) {
      now = at;
    },
    pending: () => timers.length,
  };
}

/** Answers, from then on, whether `promise` has settled (either way). */
export function watchSettled(promise: Promise<unknown>): () => boolean {
  let settled = false;
  const done = () => {
    settled = true;
  };
  promise.then(done, done);
  return () => settled;
}

/** Lets queued promise callbacks and I/O callbacks run. */
export async function flushAsync(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

export function createFakeClock(start = Date.parse('2026-11-28T10:00:00.000Z')): FakeClock {
  const sleepers = createSleepers(start);

  return {
    now: sleepers.now,
    sleep: sleepers.sleep,
    async advance(ms) {
      const target = sleepers.now() + ms;
      await flushAsync();
      for (let at = sleepers.nextAt(); at !== undefined && at <= target; at = sleepers.nextAt()) {
        sleepers.wakeNext();
        await flushAsync();
      }
      sleepers.moveTo(target);
    },
    async run(promise, options = {}) {
      const deadline = sleepers.now() + (options.maxMs ?? 24 * 60 * 60 * 1000);
      const settled = watchSettled(promise);
      await flushAsync();
      while (!settled()) {
        const at = sleepers.nextAt();
        if (at === undefined)
          throw new Error('fake clock: the promise is still pending and nothing is scheduled');
        if (at > deadline) throw new Error('fake clock: the promise did not settle before maxMs');
        sleepers.wakeNext();
        await flushAsync();
      }
      return promise;
    },
    pending: sleepers.pending,
  };
}
