import { FORGE_ENVELOPE_SENDERS } from '@pagewire/shared';
import type { VerifiedInvocation } from './forge-invocation-token';

/**
 * Where a verified Forge call came from, decided from signed claims only
 * (docs/platform-notes.md#forge-invocation-origin):
 *
 * - `function`: `app.module` is `core:endpoint` with the key of one of our
 *   function-backed modules. Only our Forge functions run there, and they
 *   build the envelope from the platform's resolver context, so the envelope
 *   (and an `x-forge-oauth-system` header) is believed. This holds with or
 *   without a signed `context`: Forge sends none on function calls today, and
 *   a future FIT that adds one keeps working.
 * - `trigger`: `core:endpoint` with the key of one of the endpoints Forge
 *   POSTs events to. Forge's event payload, never an envelope.
 * - `ui`: anything else that carries a signed `context` (a frontend
 *   `invokeRemote`, `app.module.type` such as `xen:macro`). Its signed context
 *   wins; it never counts as a function call, whatever its body says.
 *
 * A call with neither a known sender module nor a signed context is refused:
 * "no context" alone does not prove that one of our functions sent it.
 */
export type InvocationOrigin = 'function' | 'trigger' | 'ui';

export interface EnvelopeSenders {
  readonly functions: readonly string[];
  readonly triggers: readonly string[];
}

export type OriginDecision = { readonly origin: InvocationOrigin } | { readonly refused: 'unknown_module' };

/** The module type Forge reports for every non-UI invocation (function calls and events). */
export const ENDPOINT_MODULE_TYPE = 'core:endpoint';

export function classifyInvocationOrigin(
  invocation: Pick<VerifiedInvocation, 'context' | 'moduleType' | 'moduleKey'>,
  senders: EnvelopeSenders = FORGE_ENVELOPE_SENDERS,
): OriginDecision {
  const key = invocation.moduleKey;
  if (invocation.moduleType === ENDPOINT_MODULE_TYPE && key !== null) {
    if (senders.functions.includes(key)) return { origin: 'function' };
    if (senders.triggers.includes(key)) return { origin: 'trigger' };
  }
  if (invocation.context !== null) return { origin: 'ui' };
  return { refused: 'unknown_module' };
}

/**
 * Whether an `x-forge-oauth-system` header on this call may be stored. Forge
 * adds it to function and event deliveries (`remotes[].auth`,
 * `endpoint.auth`); a UI call's header could only come from a browser that
 * also holds a genuine FIT, which is no reason to let it replace the token
 * every publish uses.
 */
export function mayDeliverAppToken(origin: InvocationOrigin): boolean {
  return origin === 'function' || origin === 'trigger';
}
