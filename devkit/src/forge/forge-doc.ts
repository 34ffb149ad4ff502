/**
 * A node of the tree `@forge/react` sends to the host with every render
 * (`callBridge('reconcile', { forgeDoc })`, docs/platform-notes.md#ui-kit-without-a-forge-site). Function
 * props carry an `__id__` the reconciler assigns once per function
 * (`@forge/react` 12.3.1 `out/reconciler.js`, `attachFunctionPropId`): that id
 * is how a click in the browser finds its handler again.
 */
export interface ForgeDoc {
  type: string;
  props: Record<string, unknown>;
  children: ForgeDoc[];
  key?: string;
}

export type ForgeHandler = ((...args: unknown[]) => unknown) & { __id__?: string };

export function handlerId(value: unknown): string | undefined {
  return typeof value === 'function' ? (value as ForgeHandler).__id__ : undefined;
}

export interface FoundHandler {
  readonly node: ForgeDoc;
  readonly prop: string;
  readonly handler: ForgeHandler;
}

/** The node and prop holding the function with this id, if it is still on screen. */
export function findHandler(tree: ForgeDoc | undefined, id: string): FoundHandler | undefined {
  if (!tree) return undefined;
  for (const [prop, value] of Object.entries(tree.props)) {
    if (typeof value === 'function' && (value as ForgeHandler).__id__ === id) {
      return { node: tree, prop, handler: value as ForgeHandler };
    }
  }
  for (const child of tree.children) {
    const found = findHandler(child, id);
    if (found) return found;
  }
  return undefined;
}

/**
 * The handler a node holds now, found by the node's key. Keys are stable for
 * an element's whole life (the reconciler assigns one when it creates the
 * instance) while inline handlers are new functions on every render, so a
 * click or keystroke that raced a re-render still reaches the current handler.
 */
export function findNodeHandler(
  tree: ForgeDoc | undefined,
  key: string,
  prop: string,
): FoundHandler | undefined {
  if (!tree) return undefined;
  if (tree.key === key) {
    const value = tree.props[prop];
    return typeof value === 'function' ? { node: tree, prop, handler: value as ForgeHandler } : undefined;
  }
  for (const child of tree.children) {
    const found = findNodeHandler(child, key, prop);
    if (found) return found;
  }
  return undefined;
}

/** The text a reader sees in a subtree. */
export function textOf(node: ForgeDoc): string {
  if (node.type === 'String') return String(node.props.text ?? '');
  return node.children
    .map(textOf)
    .filter((text) => text.length > 0)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function someNode(tree: ForgeDoc | undefined, predicate: (node: ForgeDoc) => boolean): boolean {
  if (!tree) return false;
  return predicate(tree) || tree.children.some((child) => someNode(child, predicate));
}
