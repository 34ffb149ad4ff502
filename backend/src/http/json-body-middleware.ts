import express, { type RequestHandler } from 'express';
import { ProblemError } from './problem-error';

/**
 * JSON bodies only, up to `limitBytes`. A body in another media type is a
 * 415; an over-long one a 413 (body-parser stops reading at the limit, so an
 * oversized upload costs us at most the limit). Only objects and arrays are
 * accepted at the top level (`strict`).
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
  return [requireJson, express.json({ limit: limitBytes, strict: true, type: 'application/json' })];
}
