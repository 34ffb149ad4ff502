import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createDeferredWork } from './deferred-work';

describe('deferred work', () => {
  it('runs a task without the caller waiting, and settles once it has finished', async () => {
    const deferred = createDeferredWork({ logger: pino({ level: 'silent' }) });
    let release!: () => void;
    let done = false;
    deferred.defer('task', async () => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      done = true;
    });
    expect(done).toBe(false);
    const settled = deferred.settled();
    release();
    await settled;
    expect(done).toBe(true);
  });

  it('counts and logs a task that fails, by its name, and keeps running the others', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino(
      { level: 'info' },
      {
        write: (line: string) => {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        },
      },
    );
    const failed: string[] = [];
    const deferred = createDeferredWork({ logger, onFailure: (work) => failed.push(work) });
    let ran = false;
    deferred.defer('snapshot_new_placement', async () => {
      throw new Error('queue down');
    });
    deferred.defer('other', async () => {
      ran = true;
    });
    await deferred.settled();
    expect(failed).toEqual(['snapshot_new_placement']);
    expect(ran).toBe(true);
    expect(lines).toMatchObject([{ msg: 'deferred work failed', work: 'snapshot_new_placement' }]);
  });
});
