import {
  type ForgeEventPayload,
  fieldErrorsFrom,
  forgeEventPayloadSchema,
  type InvocationContext,
  invocationContextSchema,
  type OperationName,
} from '@pagewire/shared';
import { z } from 'zod';
import type { VerifiedInvocation } from '../auth/forge-invocation-token';
import type { InvocationOrigin } from '../auth/invocation-origin';
import { findUnsafeText } from '../domain/text-safety';
import type { EffectiveContext } from './operations';
import { ProblemError } from './problem-error';

const envelopeBodySchema = z.strictObject({
  context: invocationContextSchema.optional(),
  input: z.unknown(),
});

/** The Forge operations a trigger may call (manifest `endpoint` + `route.path`). */
export const lifecycleOperations: ReadonlySet<OperationName> = new Set([
  'lifecycle.installed',
  'lifecycle.tokenRefresh',
  'lifecycle.uninstalled',
]);

/** What a `/forge/v1` body carries: Forge's event payload (triggers) or our envelope (resolvers). */
export interface ForgeCallBody {
  event: ForgeEventPayload | null;
  envelopeContext: InvocationContext | undefined;
  rawInput: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads the body of a verified call to `name` from `origin`. A Forge trigger
 * POSTs its event payload to a lifecycle operation directly; resolvers always
 * send `input`, and Forge's payload never has one.
 */
export function parseForgeCallBody(
  name: OperationName,
  body: unknown,
  origin: InvocationOrigin,
): ForgeCallBody {
  const isForgeEvent = body === undefined || (isObject(body) && !('input' in body));
  if (lifecycleOperations.has(name) && isForgeEvent) {
    const parsed = forgeEventPayloadSchema.safeParse(body ?? {});
    if (!parsed.success) {
      throw new ProblemError(
        'validation_failed',
        'The Forge event payload does not have the expected shape.',
        {
          errors: fieldErrorsFrom(parsed.error),
        },
      );
    }
    if (origin === 'ui') {
      // Forge's event payload only ever arrives from an event endpoint or our own functions.
      throw new ProblemError('wrong_module', 'A call from the browser cannot deliver a Forge event.');
    }
    return { event: parsed.data, envelopeContext: undefined, rawInput: {} };
  }
  if (body === undefined) {
    throw new ProblemError('validation_failed', 'Send a JSON body {"context": …, "input": …}.', {
      errors: [{ path: '', message: 'is required' }],
    });
  }
  const parsed = envelopeBodySchema.safeParse(body);
  if (!parsed.success) {
    throw new ProblemError('validation_failed', 'The request body is not a Pagewire envelope.', {
      errors: fieldErrorsFrom(parsed.error),
    });
  }
  const unsafe = findUnsafeText(body);
  if (unsafe.length > 0) {
    throw new ProblemError('validation_failed', 'The request contains text that is not valid Unicode.', {
      errors: unsafe,
    });
  }
  const envelopeContext = parsed.data.context;
  if (origin === 'function' && envelopeContext === undefined && !lifecycleOperations.has(name)) {
    throw new ProblemError('validation_failed', 'This call needs the envelope context.', {
      errors: [{ path: '/context', message: 'is required' }],
    });
  }
  return { event: null, envelopeContext, rawInput: parsed.data.input ?? {} };
}

/**
 * Whose context wins (the full argument is in docs/BACKEND.md); the origin
 * comes from the signed `app.module` (auth/invocation-origin.ts):
 * - a UI-originated call (`@forge/bridge` `invokeRemote`): its signed context
 *   wins and the body's is ignored, so an `isSpaceAdmin` in that body counts for nothing.
 * - a function-originated call (one of our Forge functions, `@forge/api`
 *   `invokeRemote`): they build the envelope from the platform's resolver
 *   context, so the envelope is used, after checking it names the same site as the signed FIT.
 * - a trigger-originated call carries Forge's event payload instead of an
 *   envelope: it identifies only the installation.
 */
export function resolveContext(
  invocation: VerifiedInvocation,
  envelope: InvocationContext | undefined,
  origin: InvocationOrigin = invocation.context !== null
    ? 'ui'
    : envelope !== undefined
      ? 'function'
      : 'trigger',
): EffectiveContext {
  if (origin === 'ui' && invocation.context !== null) {
    const signed = invocation.context;
    return {
      origin: 'ui',
      cloudId: invocation.cloudId,
      accountId: invocation.principal,
      siteUrl: signed.siteUrl,
      spaceKey: signed.spaceKey,
      spaceId: signed.spaceId,
      contentId: signed.contentId,
      contentType: signed.contentType,
      localId: signed.localId,
      isSpaceAdmin: false,
    };
  }
  if (origin === 'function' && envelope !== undefined) {
    if (envelope.cloudId !== invocation.cloudId) {
      throw new ProblemError(
        'tenant_mismatch',
        'The request context names another site than the invocation token.',
      );
    }
    return {
      origin: 'function',
      cloudId: invocation.cloudId,
      accountId: envelope.accountId,
      // A signed site URL (should Forge add context to function calls) beats the envelope's.
      siteUrl: invocation.context?.siteUrl ?? envelope.siteUrl ?? null,
      spaceKey: envelope.spaceKey ?? null,
      spaceId: envelope.spaceId ?? null,
      contentId: envelope.contentId ?? null,
      contentType: envelope.contentType ?? null,
      localId: envelope.localId ?? null,
      isSpaceAdmin: envelope.isSpaceAdmin === true,
    };
  }
  return {
    origin: 'trigger',
    cloudId: invocation.cloudId,
    accountId: null,
    siteUrl: invocation.context?.siteUrl ?? null,
    spaceKey: null,
    spaceId: null,
    contentId: null,
    contentType: null,
    localId: null,
    isSpaceAdmin: false,
  };
}
