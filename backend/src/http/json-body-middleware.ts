import { MAX_JSON_NESTING_DEPTH, measureJsonDepth } from '@pagewire/shared';
import express, { type RequestHandler } from 'express';
import { ProblemError } from './problem-error';

/**
 * JSON bodies only, up to `limitBytes`. A body in another media type is a
 * 415; an over-long one a 413 (body-parser stops reading at the limit, so an
 * oversized upload costs us at most the limit). Only objects and arrays are
 * accepted at the top level (`strict`). A body nested deeper than
 * `MAX_JSON_NESTING_DEPTH` is a 400 `too_deeply_nested` before anything walks
 * it: every later check (schemas, the ADF validator, the text-safety scan)
 * would otherwise spend a stack frame per level, and 1,000 levels of ADF used
 * to overflow the stack into a 500.
 */
export function createJsonBodyMiddleware(limitBytes: number): RequestHandler[] {
  const requireJson: RequestHandler = (request, _response, next) => {
    // No body at all (or an empty one) is the route's to judge ("body required"), not a media-type error.
    if (request.headers['content-length'] === '0' && request.headers['transfer-encoding'] === undefined) {
      next();
      return;
    }
    const type = request.is('application/json');
    if (type === false) {
      next(
        new ProblemError(
          'unsupported_media_type',
          'Send the body as JSON with "Content-Type: application/json".',
        ),
      );
      return;
    }
    next();
  };
  const refuseDeepNesting: RequestHandler = (request, _response, next) => {
    // V8's JSON.parse does not recurse, so parsing itself survived; walking the result is what must not.
    if (measureJsonDepth(request.body, MAX_JSON_NESTING_DEPTH) > MAX_JSON_NESTING_DEPTH) {
      next(
        new ProblemError(
          'too_deeply_nested',
          `The body nests objects and arrays more than ${MAX_JSON_NESTING_DEPTH} levels deep; Pagewire accepts at most ${MAX_JSON_NESTING_DEPTH}.`,
        ),
      );
      return;
    }
    next();
  };
  return [
    requireJson,
    express.json({ limit: limitBytes, strict: true, type: 'application/json' }),
    refuseDeepNesting,
  ];
}
