import * as forgeReact from '@forge/react';
// The tree and its text as the devkit's preview reads them: one model of what the host receives.
import { type ForgeDoc, textOf } from '@pagewire/devkit/forge-doc';
import type { ReactElement } from 'react';

export type { ForgeDoc };
export { textOf };

export interface BridgeScript {
  /** What `view.getContext()` answers: the module's extension context. */
  context: Record<string, unknown>;
  /** Answers `invoke(functionKey, payload)`, like the module's resolver would. */
  resolve: (functionKey: string, payload: unknown) => unknown;
}

export interface RenderedApp {
  /** The tree as last sent over the bridge, with its live event handlers. */
  tree(): ForgeDoc;
  /** Resolves with the tree once it satisfies `predicate`; fails with the rendered text after a deadline. */
  waitFor(predicate: (tree: ForgeDoc) => boolean, what: string): Promise<ForgeDoc>;
  invocations: Array<{ functionKey: string; payload: unknown }>;
  flags: Array<Record<string, unknown>>;
  /** Fires a bridge event the app subscribed to, e.g. a macro config change. */
  emit(event: string, payload?: unknown): void;
}

/**
 * Roots of every app rendered so far in this test file. Containers from
 * earlier tests keep reconciling through the one global bridge when their
 * last effects settle, sometimes during the next test's first render.
 */
const earlierRoots = new WeakSet<ForgeDoc>();

type Reconciler = { render(element: ReactElement): void; addConfig(element: ReactElement): void };

/**
 * `@forge/react` is CommonJS with `exports.default = ForgeReconciler`; depending
 * on the loader the default import is the reconciler or the whole module.
 */
function reconciler(): Reconciler {
  const candidate = (forgeReact as unknown as { default: Reconciler | { default: Reconciler } }).default;
  return 'render' in candidate ? candidate : candidate.default;
}

interface HarnessGlobals {
  __pagewireTestBridge?: (command: string, data?: unknown) => unknown;
}

/**
 * Renders a real frontend component through `@forge/react`'s reconciler with
 * a stub bridge, the way the Confluence host would: it records the ForgeDoc
 * tree of each `reconcile` call and answers `getContext`, `invoke`, `on` and
 * `showFlag`.
 */
export function renderWithStubBridge(
  element: ReactElement,
  script: BridgeScript,
  options: { as?: 'app' | 'config'; deadlineMs?: number } = {},
): RenderedApp {
  let root: ForgeDoc | undefined;
  const invocations: RenderedApp['invocations'] = [];
  const flags: RenderedApp['flags'] = [];
  const listeners = new Map<string, Array<(payload: unknown) => void>>();
  const waiters = new Set<() => void>();

  const wakeWaiters = () => {
    for (const wake of [...waiters]) wake();
  };
  (globalThis as HarnessGlobals).__pagewireTestBridge = (command, data) => {
    // Waiters re-check after any call, not only renders: an app waiting on an
    // answer that never comes still made the call a test may wait for.
    queueMicrotask(wakeWaiters);
    return answer(command, data);
  };
  const answer = (command: string, data: unknown): unknown => {
    switch (command) {
      case 'reconcile': {
        const { forgeDoc } = data as { forgeDoc: ForgeDoc };
        if (!root && !earlierRoots.has(forgeDoc)) {
          root = forgeDoc;
          earlierRoots.add(forgeDoc);
        }
        return undefined;
      }
      case 'getContext':
        return Promise.resolve(structuredClone(script.context));
      case 'invoke': {
        const { functionKey, payload } = data as { functionKey: string; payload: unknown };
        invocations.push({ functionKey, payload });
        return Promise.resolve().then(() => script.resolve(functionKey, payload));
      }
      case 'on': {
        const { event, callback } = data as { event: string; callback: (payload: unknown) => void };
        listeners.set(event, [...(listeners.get(event) ?? []), callback]);
        return Promise.resolve({ unsubscribe: () => {} });
      }
      case 'showFlag':
        flags.push(data as Record<string, unknown>);
        return Promise.resolve(undefined);
      default:
        return Promise.resolve(undefined);
    }
  };

  if (options.as === 'config') reconciler().addConfig(element);
  else reconciler().render(element);

  const tree = () => {
    if (!root) throw new Error('nothing was rendered');
    return root;
  };
  const deadlineMs = options.deadlineMs ?? 5_000;
  return {
    tree,
    invocations,
    flags,
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
    waitFor(predicate, what) {
      if (root && predicate(root)) return Promise.resolve(root);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (root && predicate(root)) {
            cleanup();
            resolve(root);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`timed out waiting for ${what}; rendered text: ${root ? textOf(root) : '(nothing)'}`),
          );
        }, deadlineMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
      });
    },
  };
}

export function findAll(tree: ForgeDoc, predicate: (node: ForgeDoc) => boolean): ForgeDoc[] {
  const found: ForgeDoc[] = [];
  const visit = (node: ForgeDoc) => {
    if (predicate(node)) found.push(node);
    for (const child of node.children) visit(child);
  };
  visit(tree);
  return found;
}

export function byType(tree: ForgeDoc, type: string): ForgeDoc[] {
  return findAll(tree, (node) => node.type === type);
}

export function byTestId(tree: ForgeDoc, testId: string): ForgeDoc | undefined {
  return findAll(tree, (node) => node.props.testId === testId)[0];
}

/** Calls an event handler prop the way the host does when the user acts. */
export function act(node: ForgeDoc | undefined, handler: string, ...args: unknown[]): unknown {
  const fn = node?.props[handler];
  if (typeof fn !== 'function') throw new Error(`${node?.type ?? 'nothing'} has no ${handler} handler`);
  return fn(...args);
}
