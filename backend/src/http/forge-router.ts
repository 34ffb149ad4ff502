import { fieldErrorsFrom, isOperationName, type OperationName, operations } from '@pagewire/shared';
import { type Request, type Response, Router } from 'express';
import type { Logger } from 'pino';
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
import type { Metrics } from '../observability/metrics';
import type { LifecycleUseCases } from '../use-cases/lifecycle';
import { lifecycleOperations, parseForgeCallBody, resolveContext } from './forge-envelope';
import { createJsonBodyMiddleware } from './json-body-middleware';
import type { OperationHandlers } from './operations';
import { ProblemError } from './problem-error';
import { type RequestState, requestState } from './request-state';

export { resolveContext } from './forge-envelope';

/** Forge's frontend invoke payloads are capped at 500 KB; nothing larger can be a real call. */
const FORGE_BODY_LIMIT_BYTES = 512 * 1024;

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
  appTokens: Pick<AppTokenStore, 'offer'>;
  /** Records the installation every verified call comes from. */
  lifecycle: Pick<LifecycleUseCases, 'noteSighting'>;
  metrics: Metrics;
  logger: Logger;
  /** The manifest modules that may send an envelope; defaults to the shared list. */
  envelopeSenders?: EnvelopeSenders;
}

/**
 * `POST /forge/v1/{operation}`: a Forge operation of the catalogue. One route
 * whose first handler authenticates (before the name or the body is looked
 * at); the body middleware and the operation run after it in the same route,
 * so the path is matched and its parameter decoded once per call (this is
 * every macro view: bench/read-path.ts).
 */
export function createForgeRouter(deps: ForgeRouterDeps): Router {
  const router = Router();
  // The origin decided by the first handler, for the last (after the body is parsed).
  const origins = new WeakMap<object, InvocationOrigin>();

  router.post(
    '/forge/v1/:operation',
    async (request, response, next) => {
      origins.set(response, await authenticateCall(deps, request, response));
      // The body is parsed only now, after the token: an unauthenticated caller cannot make us read 512 KB.
      next();
    },
    ...createJsonBodyMiddleware(FORGE_BODY_LIMIT_BYTES),
    async (request, response) => {
      await runOperation(deps, request.body, response, origins.get(response) ?? 'trigger');
    },
  );

  router.all('/forge/v1/:operation', (_request, response) => {
    requestState(response).route = '/forge/v1/:operation';
    response.setHeader('allow', 'POST');
    throw new ProblemError('method_not_allowed', 'Operations are called with POST.');
  });

  return router;
}

/**
 * Verifies the call's FIT, decides its origin, takes the app system token it
 * delivers, and spends the token's `jti` on the operation it names. Resolves
 * to the origin; throws the problem that refuses the call.
 */
async function authenticateCall(
  deps: ForgeRouterDeps,
  request: Request,
  response: Response,
): Promise<InvocationOrigin> {
  const state = requestState(response);
  const name = request.params.operation as string;
  state.route = isOperationName(name) ? `/forge/v1/${name}` : '/forge/v1/:operation';

  const invocation = await verifyInvocation(deps, request, state);
  const decision = classifyInvocationOrigin(invocation, deps.envelopeSenders);
  if ('refused' in decision) {
    (state.log ?? deps.logger).info(
      { moduleType: invocation.moduleType, moduleKey: invocation.moduleKey },
      'a Forge call from a module that may not call the backend without context was refused',
    );
    throw new ProblemError('wrong_module', 'This module may not call the Pagewire backend.');
  }

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
  if (use === 'replayed') {
    throw refusedToken(deps, state, new FitError('replayed', 'the invocation token was already used'));
  }
  state.operation = name;
  return decision.origin;
}

/** Every /forge/v1 call is authenticated first; the reason a token is refused is for operators only. */
async function verifyInvocation(
  deps: ForgeRouterDeps,
  request: Request,
  state: RequestState,
): Promise<VerifiedInvocation> {
  let invocation: VerifiedInvocation;
  try {
    invocation = await deps.verifier.verify(request.get('authorization'));
  } catch (error) {
    throw error instanceof FitError && error.reason !== 'jwks_unavailable'
      ? refusedToken(deps, state, error)
      : error;
  }
  state.invocation = invocation;
  // Bound to the request's log lines from here on (RequestState makes its child logger on first use).
  state.installationId = invocation.installationId;
  return invocation;
}

function refusedToken(deps: ForgeRouterDeps, state: RequestState, error: FitError): FitError {
  deps.metrics.fitRejections.inc({ reason: error.reason });
  // The caller gets the same 401 whatever failed.
  (state.log ?? deps.logger).info({ reason: error.reason }, 'Forge invocation token refused');
  return error;
}

/** Reads the body, applies the envelope rules and the operation's spec, runs its handler, answers. */
async function runOperation(
  deps: ForgeRouterDeps,
  body: unknown,
  response: Response,
  origin: InvocationOrigin,
): Promise<void> {
  const state = requestState(response);
  const name = state.operation as OperationName;
  const spec = operations[name];
  const invocation = state.invocation;
  if (invocation === undefined) throw new Error('the Forge router ran an operation without a verified token');

  const { event, envelopeContext, rawInput } = parseForgeCallBody(name, body, origin);
  const context = resolveContext(invocation, envelopeContext, origin);
  await deps.lifecycle.noteSighting({
    installationId: invocation.installationId,
    cloudId: invocation.cloudId,
    apiBaseUrl: invocation.apiBaseUrl,
    environmentType: invocation.environmentType,
    siteUrl: context.siteUrl,
  });

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
}
