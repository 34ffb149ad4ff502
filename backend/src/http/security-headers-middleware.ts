import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * The machine APIs: Forge calls `/forge/v1/*`, sources call `/ingest/v1/*`,
 * and both get JSON (or problem+json) back, never a page a browser renders.
 */
export const MACHINE_API_PREFIXES = ['/forge/v1/', '/ingest/v1/'] as const;

/**
 * The headers that matter on a JSON answer, as constant strings: no sniffing
 * it into something executable, nothing to frame or load it as a document, no
 * referrer, HSTS (browsers heed it only over TLS, so it is harmless on plain
 * HTTP in development: RFC 6797 §8.1), and `no-store`, because every answer is
 * one tenant's data and some carry a secret shown once (a new ingest key).
 * helmet computes its dozen headers per request from its options; these never change.
 */
export const MACHINE_API_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['x-content-type-options', 'nosniff'],
  ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
  ['x-frame-options', 'DENY'],
  ['referrer-policy', 'no-referrer'],
  ['cross-origin-resource-policy', 'same-origin'],
  ['strict-transport-security', 'max-age=31536000; includeSubDomains'],
  ['cache-control', 'no-store'],
];

function isMachineApi(url: string): boolean {
  return url.startsWith(MACHINE_API_PREFIXES[0]) || url.startsWith(MACHINE_API_PREFIXES[1]);
}

/**
 * Constant headers on the machine APIs; helmet's full set on everything else
 * (health, metrics and anything that may one day serve HTML).
 */
export function createSecurityHeadersMiddleware(): RequestHandler {
  const forPages = helmet();
  return (request, response, next) => {
    if (!isMachineApi(request.url)) {
      forPages(request, response, next);
      return;
    }
    for (const [name, value] of MACHINE_API_HEADERS) response.setHeader(name, value);
    next();
  };
}
