/**
 * What a Confluence handler answers: a value, never a throw. Bodies use the
 * shapes Confluence itself uses (docs/platform-notes.md#confluence-error-bodies), not Pagewire's
 * problem details: the emulator is a twin of Confluence, and clients must learn
 * to parse what production sends.
 */
export interface ConfluenceResult {
  readonly status: number;
  /** `undefined` sends no body (204, and 429 whose body production leaves empty). */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /**
   * Points this call costs against the hourly quota. The rate-limiting page
   * prices a call at 1 base point plus 1 per core object read (2 for identity
   * and permission objects), and every write at a flat 1 point
   * (https://developer.atlassian.com/cloud/confluence/rate-limiting/).
   */
  readonly points?: number;
}

/** v2: `{"errors":[{"status","code","title","detail"}]}` (docs/platform-notes.md#confluence-error-bodies). */
export function v2Error(
  status: number,
  code: string,
  title: string,
  detail: string | null = null,
): ConfluenceResult {
  return { status, body: { errors: [{ status, code, title, detail }] }, points: 1 };
}

export function v2NotFound(): ConfluenceResult {
  return v2Error(404, 'NOT_FOUND', 'Not Found');
}

export function v2BadRequest(title: string, detail: string | null = null): ConfluenceResult {
  return v2Error(400, 'INVALID_REQUEST_PARAMETER', title, detail);
}

/** v1: `{"statusCode","message","data"}` (docs/platform-notes.md#confluence-error-bodies). */
export function v1Error(status: number, message: string): ConfluenceResult {
  return {
    status,
    body: {
      statusCode: status,
      message,
      data: { authorized: status !== 401 && status !== 403, valid: false },
    },
    points: 1,
  };
}

/**
 * The gateway's own 401s: `{"code":401,"message":…}`. A missing scope says
 * "Unauthorized; scope does not match" (clients such as confluence.js match that
 * text to tell a scope error from a stale token) and sometimes carries
 * `X-Failure-Category: FAILURE_CLIENT_SCOPE_CHECK` (docs/platform-notes.md#telling-confluence-401s-apart).
 */
export function gatewayUnauthorized(): ConfluenceResult {
  return { status: 401, body: { code: 401, message: 'Unauthorized' }, points: 0 };
}

export function gatewayScopeMismatch(): ConfluenceResult {
  return {
    status: 401,
    body: { code: 401, message: 'Unauthorized; scope does not match' },
    headers: { 'x-failure-category': 'FAILURE_CLIENT_SCOPE_CHECK' },
    points: 0,
  };
}

export function ok(body: unknown, points?: number, headers?: Record<string, string>): ConfluenceResult {
  return { status: 200, body, ...(points === undefined ? {} : { points }), ...(headers ? { headers } : {}) };
}

export function noContent(): ConfluenceResult {
  return { status: 204 };
}
