import { makeProblem, PROBLEM_CONTENT_TYPE, type Problem } from '@pagewire/shared';
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { FitError } from '../auth/forge-invocation-token';
import { hasErrorKind } from '../error-kinds';
import { isProblemError } from './problem-error';
import { requestErrorProblem } from './request-error-problems';
import { requestState } from './request-state';

/** How long Forge (or any client) should wait before retrying when our key set or database is down. */
const RETRY_AFTER_SECONDS = 5;

export function sendProblem(
  response: Response,
  problem: Problem,
  headers: Record<string, string> = {},
): void {
  response.status(problem.status);
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.setHeader('content-type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
  response.setHeader('cache-control', 'no-store');
  response.send(JSON.stringify(problem));
}

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/**
 * The one mapper at the HTTP edge: every error becomes RFC 9457 problem
 * details with a stable code. Client mistakes are 4xx with a specific code;
 * anything unexpected is a 500 whose body says only that, with the request id
 * to find the full story in the logs. Stacks never leave the process.
 */
export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, request, response, _next) => {
    const state = requestState(response);
    const requestId = state.requestId;
    const log = state.log ?? logger;
    if (response.headersSent) {
      log.error({ err: error, requestId }, 'error after the response started');
      response.destroy();
      return;
    }

    if (isProblemError(error)) {
      const headers: Record<string, string> =
        error.code === 'invalid_ingest_key' ? { 'www-authenticate': 'Bearer' } : {};
      // A 429 (the ingest limits) says when to come back in the header too, as RFC 9110 has it.
      if (error.extra.retryAfterSeconds !== undefined)
        headers['retry-after'] = String(error.extra.retryAfterSeconds);
      sendProblem(response, error.toProblem(requestId), headers);
      return;
    }

    if (error instanceof FitError || hasErrorKind(error, 'fit')) {
      sendFitProblem(response, error as FitError, requestId, log);
      return;
    }

    if (hasErrorKind(error, 'ingest_key_rejected')) {
      sendProblem(
        response,
        makeProblem('invalid_ingest_key', `${capitalise((error as Error).message)}.`, { requestId }),
        {
          'www-authenticate': 'Bearer',
        },
      );
      return;
    }

    const requestProblem = requestErrorProblem(error, request, requestId);
    if (requestProblem !== null) {
      sendProblem(response, requestProblem);
      return;
    }

    const parserError = error as BodyParserError;
    if (
      typeof parserError?.type === 'string' &&
      typeof parserError.status === 'number' &&
      parserError.status < 500
    ) {
      sendProblem(response, bodyParserProblem(parserError, requestId));
      return;
    }

    log.error({ err: error, requestId, method: request.method, path: request.path }, 'unhandled error');
    sendProblem(
      response,
      makeProblem(
        'internal_error',
        'The request failed on our side. The request id identifies it in our logs.',
        {
          requestId,
        },
      ),
    );
  };
}

/** 503 with Retry-After while the Forge key set cannot be fetched; one 401 for every refused token. */
function sendFitProblem(response: Response, fit: FitError, requestId: string | undefined, log: Logger): void {
  if (fit.reason === 'jwks_unavailable') {
    log.error({ err: fit.cause ?? fit, requestId }, 'the Forge key set could not be fetched');
    sendProblem(
      response,
      makeProblem('jwks_unavailable', 'The Forge signing keys could not be fetched; try again shortly.', {
        requestId,
        retryAfterSeconds: RETRY_AFTER_SECONDS,
      }),
      { 'retry-after': String(RETRY_AFTER_SECONDS) },
    );
    return;
  }
  // One answer for every refusal: naming the rule that failed (algorithm, kid, signature…)
  // would tell a forger which of their guesses got further. The reason is logged and counted
  // where the token is verified (forge-router.ts).
  sendProblem(
    response,
    makeProblem('invalid_invocation_token', 'The Forge invocation token was refused.', { requestId }),
    { 'www-authenticate': 'Bearer' },
  );
}

function bodyParserProblem(error: BodyParserError, requestId: string | undefined): Problem {
  const extra = requestId === undefined ? {} : { requestId };
  switch (error.type) {
    case 'entity.too.large':
      return makeProblem(
        'payload_too_large',
        'The request body is larger than this endpoint accepts.',
        extra,
      );
    case 'entity.parse.failed':
      return makeProblem(
        'malformed_json',
        'The request body is not valid JSON (or not a JSON object).',
        extra,
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return makeProblem('unsupported_media_type', 'Send the body as UTF-8 JSON.', extra);
    default:
      return makeProblem('malformed_json', 'The request body could not be read.', extra);
  }
}

function capitalise(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1);
}
