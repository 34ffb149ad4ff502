import vm from 'node:vm';
import { type ForgeDoc, type FoundHandler, findNodeHandler } from '@pagewire/devkit/forge-doc';

/**
 * One UI Kit app instance, running the real bundled resource in its own V8
 * context with a bridge of ours, the way Confluence runs each app in its own
 * sandbox. A separate realm per instance is not a luxury: `@forge/bridge`
 * reads `globalThis.__bridge` once and its `invoke` carries no app identity,
 * so two apps sharing one global could not be told apart.
 *
 * The bridge answers what Pagewire's frontends use (docs/platform-notes.md#ui-kit-without-a-forge-site):
 * `reconcile` (a new ForgeDoc tree), `getContext`, `invoke`, `on` (macro config
 * changes), `showFlag`/`closeFlag`; anything else is reported once and
 * answered with nothing.
 */
export type RootKind = 'Root' | 'MacroConfig';

export interface RealmHost {
  /** What `view.getContext()` answers. */
  context(): Record<string, unknown>;
  /** Runs the module's resolver for `invoke(functionKey, payload)`. */
  invoke(functionKey: string, payload: unknown): Promise<unknown>;
  showFlag(flag: Record<string, unknown>): void;
  /** A root was rendered again. */
  rendered(kind: RootKind): void;
  report(line: string): void;
}

export interface UiKitRealm {
  tree(kind: RootKind): ForgeDoc | undefined;
  /** Resolver calls still waiting for an answer. */
  pending(): number;
  /** Resolver calls made so far. */
  invocations(): number;
  /** The handler `prop` of the node with this key, in either root. */
  findHandler(nodeKey: string, prop: string): FoundHandler | undefined;
  /** Calls a handler the way the host does when the user acts; errors are reported, not thrown. */
  call(found: FoundHandler, args: unknown[]): Promise<void>;
  /** Fires a bridge event the app subscribed to with `events.on`. */
  emit(event: string, payload?: unknown): void;
  dispose(): void;
}

type Listener = (payload: unknown) => unknown;

export function startUiKitRealm(script: vm.Script, host: RealmHost): UiKitRealm {
  let disposed = false;
  let inFlight = 0;
  let started = 0;
  const roots = new Map<RootKind, ForgeDoc>();
  const listeners = new Map<string, Set<Listener>>();
  const timers = new Set<NodeJS.Timeout | NodeJS.Immediate>();
  const unknownCommands = new Set<string>();

  // Timers are the host's, tracked so that a disposed app stops running.
  const guard =
    <Args extends unknown[]>(callback: (...args: Args) => unknown) =>
    (...args: Args) => {
      if (!disposed) callback(...args);
    };
  const timerApi = {
    setTimeout: (callback: (...args: unknown[]) => unknown, delay?: number, ...args: unknown[]) => {
      const handle = setTimeout(
        (...inner: unknown[]) => {
          timers.delete(handle);
          guard(callback)(...inner);
        },
        delay,
        ...args,
      );
      timers.add(handle);
      return handle;
    },
    clearTimeout: (handle: NodeJS.Timeout) => {
      timers.delete(handle);
      clearTimeout(handle);
    },
    setInterval: (callback: (...args: unknown[]) => unknown, delay?: number, ...args: unknown[]) => {
      const handle = setInterval(guard(callback), delay, ...args);
      timers.add(handle);
      return handle;
    },
    clearInterval: (handle: NodeJS.Timeout) => {
      timers.delete(handle);
      clearInterval(handle);
    },
    setImmediate: (callback: (...args: unknown[]) => unknown, ...args: unknown[]) => {
      const handle = setImmediate(
        (...inner: unknown[]) => {
          timers.delete(handle);
          guard(callback)(...inner);
        },
        ...args,
      );
      timers.add(handle);
      return handle;
    },
    clearImmediate: (handle: NodeJS.Immediate) => {
      timers.delete(handle);
      clearImmediate(handle);
    },
  };

  const callBridge = (command: string, data?: unknown): unknown => {
    if (disposed) return new Promise(() => {});
    switch (command) {
      case 'reconcile': {
        const { forgeDoc } = data as { forgeDoc: ForgeDoc };
        if (forgeDoc.type === 'Root' || forgeDoc.type === 'MacroConfig') {
          roots.set(forgeDoc.type, forgeDoc);
          host.rendered(forgeDoc.type);
        }
        return undefined;
      }
      case 'getContext':
        return Promise.resolve(structuredClone(host.context()));
      case 'invoke': {
        const { functionKey, payload } = data as { functionKey: string; payload: unknown };
        inFlight += 1;
        started += 1;
        // What crosses the bridge is JSON, both ways.
        const wirePayload = payload === undefined ? undefined : JSON.parse(JSON.stringify(payload));
        return host.invoke(functionKey, wirePayload).then(
          (answer) => {
            inFlight -= 1;
            return answer === undefined ? undefined : JSON.parse(JSON.stringify(answer));
          },
          (error: unknown) => {
            inFlight -= 1;
            host.report(
              `resolver ${functionKey} failed: ${error instanceof Error ? error.message : String(error)}`,
            );
            throw new Error('The resolver function failed.');
          },
        );
      }
      case 'on': {
        const { event, callback } = data as { event: string; callback: Listener };
        const set = listeners.get(event) ?? new Set<Listener>();
        set.add(callback);
        listeners.set(event, set);
        return Promise.resolve({ unsubscribe: () => set.delete(callback) });
      }
      case 'showFlag':
        host.showFlag(JSON.parse(JSON.stringify(data ?? {})));
        return Promise.resolve(undefined);
      case 'closeFlag':
      case 'onError':
        return Promise.resolve(undefined);
      default:
        if (!unknownCommands.has(command)) {
          unknownCommands.add(command);
          host.report(`the preview does not emulate the bridge call "${command}"`);
        }
        return Promise.resolve(undefined);
    }
  };

  const quietConsole = {
    log: (...args: unknown[]) => host.report(`app: ${args.map(String).join(' ').slice(0, 500)}`),
    error: (...args: unknown[]) => host.report(`app error: ${args.map(String).join(' ').slice(0, 500)}`),
    warn: (...args: unknown[]) => host.report(`app warning: ${args.map(String).join(' ').slice(0, 500)}`),
    info: () => {},
    debug: () => {},
  };

  const sandbox: Record<string, unknown> = {
    ...timerApi,
    console: quietConsole,
    queueMicrotask,
    structuredClone,
    crypto: globalThis.crypto,
    performance,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    AbortController,
    Blob,
    atob,
    btoa,
    __bridge: { callBridge },
  };
  sandbox.self = sandbox;
  const context = vm.createContext(sandbox, { name: 'pagewire-ui-kit' });
  try {
    script.runInContext(context);
  } catch (error) {
    host.report(`the UI Kit app failed to start: ${error instanceof Error ? error.message : String(error)}`);
  }

  return {
    tree: (kind) => roots.get(kind),
    pending: () => inFlight,
    invocations: () => started,
    findHandler(nodeKey, prop) {
      return (
        findNodeHandler(roots.get('Root'), nodeKey, prop) ??
        findNodeHandler(roots.get('MacroConfig'), nodeKey, prop)
      );
    },
    async call(found, args) {
      if (disposed) return;
      try {
        await found.handler(...args);
      } catch (error) {
        host.report(
          `a ${found.node.type} ${found.prop} handler failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) {
        try {
          void listener(payload);
        } catch (error) {
          host.report(
            `a listener for ${event} failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    },
    dispose() {
      disposed = true;
      for (const handle of timers) {
        clearTimeout(handle as NodeJS.Timeout);
        clearImmediate(handle as NodeJS.Immediate);
      }
      timers.clear();
      listeners.clear();
    },
  };
}
