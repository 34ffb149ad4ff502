import type { Clock } from '../clock';
import { createSleepers, flushAsync, watchSettled } from './fake-clock';

/**
 * A clock for tests that run the real client against the devkit emulator and
 * are about time: pacing, Retry-After. Give the same clock to the client (and
 * its pacer) and to the emulator (`now`); time then moves only inside `run`,
 * and only when no tracked I/O is in progress: every request the client sends
 * starts, reaches the emulator and is answered at one instant, and the next
 * wake-up happens after it. What the emulator counts per second is then the
 * client's schedule, not how busy this machine is, so a test can assert it
 * exactly.
 */
export interface DrivenClock extends Clock {
  /** `fetch` whose calls count as work in progress until the response body is read. */
  readonly fetch: typeof fetch;
  /** Wraps an object's methods (a pacer store) so the promises they return count as work in progress. */
  track<T extends object>(target: T): T;
  /**
   * Moves time forward, one wake-up at a time, each once tracked work is
   * idle, until `promise` settles; returns its outcome.
   */
  run<T>(promise: Promise<T>): Promise<T>;
}

export function createDrivenClock(start: number): DrivenClock {
  const sleepers = createSleepers(start);
  let busy = 0;
  let onIdle: Array<() => void> = [];

  function begin(): void {
    busy += 1;
  }

  function end(): void {
    busy -= 1;
    if (busy === 0) {
      const waiting = onIdle;
      onIdle = [];
      for (const resolve of waiting) resolve();
    }
  }

  async function tracked<T>(work: () => Promise<T>): Promise<T> {
    begin();
    try {
      return await work();
    } finally {
      end();
    }
  }

  /** Resolves once nothing is in progress and queued callbacks have had their turn. */
  async function idle(): Promise<void> {
    for (;;) {
      if (busy > 0) await new Promise<void>((resolve) => onIdle.push(resolve));
      await flushAsync();
      if (busy === 0) return;
    }
  }

  return {
    now: sleepers.now,
    sleep: sleepers.sleep,

    fetch: (input, init) =>
      tracked(async () => {
        const response = await fetch(input, init);
        // Read the body here, so the exchange is over before time may move.
        const body = await response.arrayBuffer();
        const empty = response.status === 204 || response.status === 304;
        return new Response(empty ? null : body, {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        });
      }),

    track(target) {
      return new Proxy(target, {
        get(object, property, receiver) {
          const value = Reflect.get(object, property, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            const result = value.apply(object, args);
            return result instanceof Promise ? tracked(() => result) : result;
          };
        },
      });
    },

    async run(promise) {
      const settled = watchSettled(promise);
      for (;;) {
        await idle();
        if (settled()) return promise;
        if (sleepers.nextAt() === undefined) {
          throw new Error('driven clock: the work is still pending and nothing is scheduled');
        }
        sleepers.wakeNext();
      }
    },
  };
}
