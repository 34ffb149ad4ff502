import { invoke } from '@forge/bridge';
import type { OperationInput, OperationName, OperationResult, ResolverError } from '@pagewire/shared';

/**
 * Calls this module's resolver for one operation. The resolver key is the
 * operation name; the payload is the operation's input and nothing else (the
 * resolver takes identity and space from Forge, never from here).
 *
 * It goes through `@forge/bridge`, i.e. whatever bridge the page provides: the
 * Confluence host, the devkit's local preview or a test's stub.
 */
export async function invokeOperation<Name extends OperationName>(
  name: Name,
  input: OperationInput<Name>,
): Promise<OperationResult<Name>> {
  try {
    const answer = unwrapInvokeResponse(await invoke(name, input as Record<string, unknown>));
    if (isOperationResult(answer)) return answer as OperationResult<Name>;
    return { ok: false, error: appError('Pagewire answered in a way this page does not understand.') };
  } catch {
    // The resolver function itself failed (deploy in progress, platform error):
    // there is no problem code to show, only a way forward.
    return { ok: false, error: appError('Pagewire could not load.') };
  }
}

/**
 * `@forge/bridge` 7 types `invoke`'s answer as `T | { body: T, metadata }`,
 * the second form only when metadata was requested; accept both.
 */
function unwrapInvokeResponse(raw: unknown): unknown {
  if (typeof raw === 'object' && raw !== null && !('ok' in raw) && 'body' in raw) {
    return (raw as { body: unknown }).body;
  }
  return raw;
}

function isOperationResult(value: unknown): value is OperationResult<OperationName> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  const result = value as { ok: unknown; data?: unknown; error?: { code?: unknown; message?: unknown } };
  if (result.ok === true) return 'data' in result;
  return (
    result.ok === false && typeof result.error?.code === 'string' && typeof result.error.message === 'string'
  );
}

function appError(what: string): ResolverError {
  return {
    code: 'backend_unreachable',
    message: `${what} Reload the page; if it keeps happening, tell your Confluence admin.`,
  };
}
