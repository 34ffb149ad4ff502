import { type ContentEventPayload, contentEventPayloadSchema, fieldErrorsFrom } from '@pagewire/shared';
import { Router } from 'express';
import type { Logger } from 'pino';
import { FIT_CLOCK_TOLERANCE_SECONDS, FitError, type FitVerifier } from '../auth/forge-invocation-token';
import type { FitReplayStore } from '../auth/forge-invocation-token-replay';
import { ENDPOINT_MODULE_TYPE } from '../auth/invocation-origin';
import { ProblemError } from '../http/problem-error';
import { requestState } from '../http/request-state';
import type { Metrics } from '../observability/metrics';
import type { InboundEventRepository } from './store/inbound-event-repository';

/** The manifest endpoint Forge POSTs content events to (manifest.yml `backend-content-events`). */
export const CONTENT_EVENTS_PATH = '/forge/v1/events/content';
export const CONTENT_EVENTS_ENDPOINT_KEY = 'backend-content-events';
/** A content event is a few KB (ids, titles, two user objects); 256 KB leaves room for Forge's additions. */
const EVENT_BODY_LIMIT_BYTES = 256 * 1024;

export interface ContentEventsRouterDeps {
  verifier: FitVerifier;
  replay: FitReplayStore;
  inbound: InboundEventRepository;
  jsonBody(
    limitBytes: number,
  ): ReturnType<typeof import('../http/json-body-middleware').createJsonBodyMiddleware>;
  metrics: Metrics;
  logger: Logger;
  now: () => Date;
  newId: () => string;
  /** An event was queued: the intake should look now. */
  onQueued(): void;
}

/**
 * Confluence's page and blog post events, delivered by Forge to the
 * `pagewire-content-events` trigger's endpoint. Checked like every Forge call
 * (the FIT, then its signed `app.module`: only our content-event endpoint may
 * deliver here), validated with the shared schema, stored in the durable
 * intake queue, answered 202 at once: Forge gives an event delivery 5 s and
 * advises processing asynchronously (docs/platform-notes.md#forge-remote-retries).
 * The tenant is the FIT's installation; nothing in the body is believed about it.
 */
export function createContentEventsRouter(deps: ContentEventsRouterDeps): Router {
  const router = Router();

  router.post(CONTENT_EVENTS_PATH, async (_request, response, next) => {
    const state = requestState(response);
    state.route = CONTENT_EVENTS_PATH;
    let invocation: Awaited<ReturnType<FitVerifier['verify']>>;
    try {
      invocation = await deps.verifier.verify(_request.get('authorization'));
    } catch (error) {
      if (error instanceof FitError && error.reason !== 'jwks_unavailable') {
        deps.metrics.fitRejections.inc({ reason: error.reason });
        (state.log ?? deps.logger).info({ reason: error.reason }, 'Forge invocation token refused');
      }
      throw error;
    }
    state.invocation = invocation;
    state.installationId = invocation.installationId;
    if (
      invocation.moduleType !== ENDPOINT_MODULE_TYPE ||
      invocation.moduleKey !== CONTENT_EVENTS_ENDPOINT_KEY
    ) {
      throw new ProblemError('wrong_module', 'Only the content-event trigger delivers here.');
    }
    // Forge redelivers an event it thinks failed, maybe with the same token
    // (docs/platform-notes.md#forge-remote-retries): a repeat is accepted, and
    // the intake's version check makes it change nothing.
    const use = await deps.replay.use({
      jti: invocation.tokenId,
      operation: 'events.content',
      retryable: true,
      rememberUntil: new Date((invocation.expiresAtSeconds + FIT_CLOCK_TOLERANCE_SECONDS) * 1000),
    });
    if (use === 'replayed') throw new FitError('replayed', 'the invocation token was already used');
    next();
  });

  router.post(CONTENT_EVENTS_PATH, ...deps.jsonBody(EVENT_BODY_LIMIT_BYTES), async (request, response) => {
    const state = requestState(response);
    const invocation = state.invocation;
    if (invocation === undefined) throw new Error('the content-event route ran without a verified token');
    const parsed = contentEventPayloadSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      throw new ProblemError('validation_failed', 'The Confluence event does not have the expected shape.', {
        errors: fieldErrorsFrom(parsed.error),
      });
    }
    const payload: ContentEventPayload = parsed.data;
    await deps.inbound.insert({
      id: deps.newId(),
      installationId: invocation.installationId,
      contentId: payload.content.id,
      payload,
      receivedAt: deps.now(),
    });
    deps.onQueued();
    response.status(202).json({ accepted: true });
  });

  return router;
}
