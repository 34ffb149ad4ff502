import { makeProblem, type Problem } from '@pagewire/shared';
import type { Request } from 'express';

/**
 * Client mistakes that Express and body-parser report as plain errors with a
 * 4xx `status` but no body-parser `type`, so the error mapper would otherwise
 * take them for our own failures:
 * - a path parameter that is not valid percent-encoding (`/ingest/v1/jobs/%`,
 *   `%ff`): the router's `decodeURIComponent` throws a URIError;
 * - a `Content-Encoding: gzip|deflate|br` body that is not compressed that
 *   way: zlib fails while body-parser inflates it.
 */
export function requestErrorProblem(
  error: unknown,
  request: Request,
  requestId: string | undefined,
): Problem | null {
  const extra = requestId === undefined ? {} : { requestId };
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status !== 'number' || status < 400 || status >= 500) return null;
  if (error instanceof URIError) {
    return makeProblem(
      'malformed_url',
      'The URL contains a "%" that does not start a valid percent-encoded UTF-8 sequence.',
      extra,
    );
  }
  const encoding = request.headers['content-encoding'];
  const type = (error as { type?: unknown }).type;
  if (type === undefined && encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    return makeProblem(
      'invalid_content_encoding',
      `The body is not valid for its Content-Encoding "${encoding.slice(0, 40)}": send it compressed that way, or without the header.`,
      extra,
    );
  }
  return null;
}
