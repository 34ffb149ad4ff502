import { describe, expect, it } from 'vitest';
import { createDrivenClock } from './driven-clock';

/** Slow I/O without timers: more event-loop turns than a plain flush waits for. */
async function manyTurns(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('the driven clock', () => {
  it('wakes sleepers in time order, and never while tracked work is still in progress', async () => {
    const clock = createDrivenClock(0);
    const events: string[] = [];
    const store = clock.track({
      async write(label: string) {
        await manyTurns();
        events.push(`${label} written at ${clock.now()}`);
      },
    });
    const first = (async () => {
      await clock.sleep(100);
      events.push(`first woke at ${clock.now()}`);
      await store.write('first');
      await clock.sleep(50);
      events.push(`first woke again at ${clock.now()}`);
    })();
    const second = (async () => {
      await clock.sleep(120);
      events.push(`second woke at ${clock.now()}`);
    })();

    await clock.run(Promise.all([first, second]));

    expect(events).toEqual([
      'first woke at 100',
      'first written at 100',
      'second woke at 120',
      'first woke again at 150',
    ]);
  });

  it('says so when the work waits for something that is not scheduled on it', async () => {
    const clock = createDrivenClock(0);
    await expect(clock.run(new Promise(() => {}))).rejects.toThrow(/nothing is scheduled/);
  });
});
