import { afterAll, beforeAll } from 'vitest';
import { createDevApiClient, type DevApiClient } from '../client/dev-api-client';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../emulator/start-emulator';

/**
 * One emulator per test file, started before its first test and closed after
 * its last, for every workspace's tests (`@pagewire/devkit/testing`). Tests
 * seed their own sites, so they never see each other's pages, tokens or
 * rate-limit counters. Read the fields inside hooks and tests: they are set
 * once the emulator is listening. `now` gives the emulator a clock the test
 * controls (see EmulatorOptions).
 */
export function declareEmulator(options: Pick<EmulatorOptions, 'now'> = {}): {
  readonly emulator: RunningEmulator;
  readonly dev: DevApiClient;
} {
  const holder = {} as { emulator: RunningEmulator; dev: DevApiClient };
  beforeAll(async () => {
    holder.emulator = await startEmulator({ ...options, port: 0 });
    holder.dev = createDevApiClient(holder.emulator.url);
  });
  afterAll(async () => {
    await holder.emulator?.close();
  });
  return holder;
}
