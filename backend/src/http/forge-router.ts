import {
  type ForgeEventPayload,
  fieldErrorsFrom,
  forgeEventPayloadSchema,
  type InvocationContext,
  invocationContextSchema,
  isOperationName,
  type OperationName,
  operations,
} from '@pagewire/shared';
import { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  FIT_CLOCK_TOLERANCE_SECONDS,
  FitError,
  type FitVerifier,
  type VerifiedInvocation,
} from '../auth/forge-invocation-token';
import type { FitReplayStore } from '../auth/forge-invocation-token-replay';
import {
  classifyInvocationOrigin,
  type EnvelopeSenders,
  type InvocationOrigin,
  mayDeliverAppToken,
} from '../auth/invocation-origin';
import type { AppTokenStore } from '../credentials/app-token-store';
import { isAllowedSiteUrl, normaliseSiteUrl } from '../domain/site-url';
import { findUnsafeText } from '../domain/text-safety';
import type { Metrics } from '../observability/metrics';
import type { InstallationRepository } from '../store/installation-repository';
import { createJsonBodyMiddleware } from './json-body-middleware';
import type { EffectiveContext, OperationHandlers } from './operations';
import { ProblemError } from './problem-error';
import { requestState } from './request-state';

/** Forge's frontend invoke payloads are capped at 500 KB; nothing larger can be a real call. */
const FORGE_BODY_LIMIT_BYTES = 512 * 1024;

const envelopeBodySchema = z.strictObject({
  context: invocationContextSchema.optional(),
  input: z.unknown(),
});

const lifecycleOperations: ReadonlySet<OperationName> = new Set([
  'lifecycle.installed',
  'lifecycle.tokenRefresh',
  'lifecycle.uninstalled',
]);

/**
 * Operations whose output is not checked against the contract here, because
 * nothing in it can be wrong that a check would catch: `blocks.get` (every
 * macro view) answers a stored block whose payload passed the contract and
 * the ADF validator when it was ingested, plus fields the handler computes
 * under the contract's TypeScript type; the macro's resolver parses the
 * answer with the same schema where it arrives (forge-app backend-client.ts).
 * The check cost about as much as the rest of the contract validation
 * together, and grows with the block (a 1,000-row table).
 * operations.test.ts proves the answer matches the contract for every block kind.
 */
const outputsTrusted: ReadonlySet<OperationName> = new Set(['blocks.get']);

/**
 * Operations whose success carries a secret shown once (a new ingest key; the
 * API token being set): `Cache-Control: no-store`, so no cache on the way keeps
 * a copy (RFC 9111 §5.2.2.5). Errors already carry it (sendProblem).
 */
const answersCarrySecrets: ReadonlySet<OperationName> = new Set([
  'ingestKeys.create',
  'apiToken.set',
  'webhooks.create',
]);

export interface ForgeRouterDeps {
  verifier: FitVerifier;
  replay: FitReplayStore;
  handlers: OperationHandlers;
  appTokens: AppTokenStore;
  installations: InstallationRepository;
  atlassianApiBase: URL;
  metrics: Metrics;
  logger: Logger;
  now: () => Date;
  /** The manifest modules that may send an envelope; defaults to the shared list. */
  envelopeSenders?: EnvelopeSenders;
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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function createForgeRouter(deps: ForgeRouterDeps): Router {
  const router = Router();
  // What this process last recorded per installation, so a steady stream of
  // calls does not re-read the installations table every time. Keyed by the
  // sighting as it arrived (before the site URL is parsed and normalised):
  // the same inputs always give the same record.
  const recorded = new Map<string, string>();
  // The origin decided by the first handler, for the second (after the body is parsed).
  const origins = new WeakMap<object, InvocationOrigin>();

  async function recordSighting(invocation: VerifiedInvocation, context: EffectiveContext): Promise<void> {
    const fingerprint = `${invocation.cloudId}\n${invocation.apiBaseUrl}\n${invocation.environmentType}\n${context.siteUrl ?? ''}`;
    if (recorded.get(invocation.installationId) === fingerprint) return;
    const siteUrl =
      context.siteUrl !== null && isAllowedSiteUrl(context.siteUrl, deps.atlassianApiBase)
        ? normaliseSiteUrl(context.siteUrl)
        : undefined;
    await deps.installations.record(
      {
        installationId: invocation.installationId,
        cloudId: invocation.cloudId,
        apiBaseUrl: invocation.apiBaseUrl,
        environmentType: invocation.environmentType,
        siteUrl,
      },
      deps.now(),
    );
    if (recorded.size > 10_000) recorded.clear();
    recorded.set(invocation.installationId, fingerprint);
  }

  router.post('/forge/v1/:operation', async (request, response, next) => {
    const state = requestState(response);
    const name = request.params.operation;
    state.route = isOperationName(name) ? `/forge/v1/${name}` : '/forge/v1/:operation';

    // Every /forge/v1 call is authenticated first, before its name or body is looked at.
    const refused = (error: FitError): FitError => {
      deps.metrics.fitRejections.inc({ reason: error.reason });
      // The reason is for operators only; the caller gets the same 401 whatever failed.
      (state.log ?? deps.logger).info({ reason: error.reason }, 'Forge invocation token refused');
      return error;
    };
    let invocation: VerifiedInvocation;
    try {
      invocation = await deps.verifier.verify(request.get('authorization'));
    } catch (error) {
      throw error instanceof FitError && error.reason !== 'jwks_unavailable' ? refused(error) : error;
    }
    state.invocation = invocation;
    // Bound to the request's log lines from here on (RequestState makes its child logger on first use).
    state.installationId = invocation.installationId;

    const decision = classifyInvocationOrigin(invocation, deps.envelopeSenders);
    if ('refused' in decision) {
      (state.log ?? deps.logger).info(
        { moduleType: invocation.moduleType, moduleKey: invocation.moduleKey },
        'a Forge call from a module that may not call the backend without context was refused',
      );
      throw new ProblemError('wrong_module', 'This module may not call the Pagewire backend.');
    }
    origins.set(response, decision.origin);

    const systemToken = request.get('x-forge-oauth-system');
    if (systemToken !== undefined && systemToken !== '' && mayDeliverAppToken(decision.origin)) {
      await deps.appTokens.offer(invocation.installationId, systemToken);
    }

    if (!isOperationName(name)) {
      throw new ProblemError('unknown_operation', `There is no operation "${name.slice(0, 64)}".`);
    }
    // An endpoint's route.path is fixed in the manifest: events only ever reach the lifecycle operations.
    if (decision.origin === 'trigger' && !lifecycleOperations.has(name)) {
      throw new ProblemError('wrong_module', `"${name}" cannot be called by a Forge trigger.`);
    }
    // One call per token (forge-invocation-token-replay.ts): checked after the name, so the
    // operation a token was first used for is known, and before anything of the body is read.
    const use = await deps.replay.use({
      jti: invocation.tokenId,
      operation: name,
      retryable: invocation.context === null && lifecycleOperations.has(name),
      rememberUntil: new Date((invocation.expiresAtSeconds + FIT_CLOCK_TOLERANCE_SECONDS) * 1000),
    });
    if (use === 'replayed') throw refused(new FitError('replayed', 'the invocation token was already used'));
    state.operation = name;
    // The body is parsed only now, after the token: an unauthenticated caller cannot make us read 512 KB.
    next();
  });

  router.post(
    '/forge/v1/:operation',
    ...createJsonBodyMiddleware(FORGE_BODY_LIMIT_BYTES),
    async (request, response) => {
      const state = requestState(response);
      const name = state.operation as OperationName;
      const spec = operations[name];
      const body: unknown = request.body;
      const invocation = state.invocation;
      if (invocation === undefined)
        throw new Error('the Forge router ran an operation without a verified token');

      let event: ForgeEventPayload | null = null;
      let envelopeContext: InvocationContext | undefined;
      let rawInput: unknown = {};
      const isForgeEvent = body === undefined || (isObject(body) && !('input' in body));
      if (lifecycleOperations.has(name) && isForgeEvent) {
        // A Forge trigger POSTs its event payload here directly (manifest `endpoint` + `route.path`);
        // resolvers always send `input`, and Forge's payload never has one.
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
        event = parsed.data;
      } else {
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
          throw new ProblemError(
            'validation_failed',
            'The request contains text that is not valid Unicode.',
            {
              errors: unsafe,
            },
          );
        }
        envelopeContext = parsed.data.context;
        rawInput = parsed.data.input ?? {};
        if (
          origins.get(response) === 'function' &&
          envelopeContext === undefined &&
          !lifecycleOperations.has(name)
        ) {
          throw new ProblemError('validation_failed', 'This call needs the envelope context.', {
            errors: [{ path: '/context', message: 'is required' }],
          });
        }
      }

      const origin = origins.get(response) ?? 'trigger';
      if (origin === 'ui' && event !== null) {
        // Forge's event payload only ever arrives from an event endpoint or our own functions.
        throw new ProblemError('wrong_module', 'A call from the browser cannot deliver a Forge event.');
      }
      const context = resolveContext(invocation, envelopeContext, origin);
      await recordSighting(invocation, context);

      const input = spec.input.safeParse(rawInput);
      if (!input.success) {
        throw new ProblemError('validation_failed', `The input of "${name}" is not valid.`, {
          // Paths are within `input`, the way the resolver and the form that produced it see them.
          errors: fieldErrorsFrom(input.error),
        });
      }
      if (spec.needsSpace && context.spaceKey === null) {
        throw new ProblemError('space_required', `"${name}" needs a space: call it from a space or a page.`);
      }
      if (spec.access === 'admin' && !context.isSpaceAdmin) {
        throw new ProblemError('not_space_admin', 'Only space admins can change this.');
      }

      const handler = deps.handlers[name] as (call: unknown) => Promise<unknown>;
      const output = await handler({
        invocation,
        context,
        input: input.data,
        event,
        // A getter: the child logger is made only by an operation that logs.
        get log() {
          return state.log ?? deps.logger;
        },
      });
      if (answersCarrySecrets.has(name)) response.setHeader('cache-control', 'no-store');
      if (outputsTrusted.has(name)) {
        response.status(200).json({ data: output });
        return;
      }
      // The output is checked against the contract too: drift shows up as a clear server error, not as a confused client.
      const checked = spec.output.safeParse(output);
      if (!checked.success) {
        throw new Error(`operation ${name} produced output outside its contract: ${checked.error.message}`);
      }
      response.status(200).json({ data: checked.data });
    },
  );

  router.all('/forge/v1/:operation', (_request, response) => {
    requestState(response).route = '/forge/v1/:operation';
    response.setHeader('allow', 'POST');
    throw new ProblemError('method_not_allowed', 'Operations are called with POST.');
  });

  return router;
}
