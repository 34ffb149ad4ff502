/**
 * Errors carry a list of kinds under a registry symbol (the confluence.js
 * pattern), so `isXxx` predicates keep working when two copies of a module are
 * loaded (tsx in tests next to an esbuild bundle, for example) and one error
 * can be several things at once (a config error is also fatal at start).
 */
export const ERROR_KINDS: unique symbol = Symbol.for('pagewire:error-kinds') as never;

export interface KindedError extends Error {
  readonly [ERROR_KINDS]: readonly string[];
}

/**
 * Whether `error` carries `kind` in the list under `registry`: ERROR_KINDS for
 * Pagewire's own errors, or another family's symbol (the Confluence client
 * keeps its kinds apart, so its `config` is never read as a fatal config error).
 */
export function hasErrorKind(error: unknown, kind: string, registry: symbol = ERROR_KINDS): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const kinds = (error as Record<symbol, unknown>)[registry];
  return Array.isArray(kinds) && kinds.includes(kind);
}
