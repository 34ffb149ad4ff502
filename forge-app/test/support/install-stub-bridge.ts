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
globals.self = globalThis as never;
globals.__bridge = {
  callBridge: (command, data) => {
    const current = globals.__pagewireTestBridge;
    if (!current) throw new Error(`no test bridge is active to answer "${command}"`);
    return current(command, data);
  },
};
