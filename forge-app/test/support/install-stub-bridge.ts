import { afterEach } from 'vitest';

/**
 * `@forge/bridge` reads `globalThis.__bridge.callBridge` once, when it is first
 * imported, and throws if there is none; `@forge/react` sends its renders to
 * `self.__bridge`. This setup file installs one bridge for the whole test
 * file that forwards to whichever stub the current test set up
 * (see ui-kit-harness.ts). Resolver tests never call it.
 */
type CallBridge = (command: string, data?: unknown) => unknown;

interface BridgeGlobals {
  self?: unknown;
  __bridge?: { callBridge: CallBridge };
  __pagewireTestBridge?: CallBridge;
}

const globals = globalThis as typeof globalThis & BridgeGlobals;
let bridgeCalls = 0;

globals.self = globalThis as never;
globals.__bridge = {
  callBridge: (command, data) => {
    bridgeCalls += 1;
    const current = globals.__pagewireTestBridge;
    if (!current) throw new Error(`no test bridge is active to answer "${command}"`);
    return current(command, data);
  },
};

/**
 * One bridge serves every app a test file renders, so an app must finish its
 * work (effects, invokes, re-renders) while its own test's stub still
 * answers. After each test, turn the event loop until a few turns pass with no
 * bridge call at all, or give up after a deadline. Nothing waits on a clock:
 * the loop ends as soon as the app is quiet.
 */
afterEach(async () => {
  const quietTurnsNeeded = 3;
  const deadline = Date.now() + 2_000;
  let quietTurns = 0;
  let seen = bridgeCalls;
  while (quietTurns < quietTurnsNeeded && Date.now() < deadline) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (bridgeCalls === seen) quietTurns += 1;
    else {
      quietTurns = 0;
      seen = bridgeCalls;
    }
  }
  globals.__pagewireTestBridge = undefined;
});
