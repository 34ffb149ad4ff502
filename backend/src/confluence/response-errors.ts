import { type ConfluenceCredential, describeCredential } from './credential';
import { type ConfluenceEndpoint, confluenceEndpointScopes, missingScopesFor } from './endpoint-scopes';
import {
  AuthError,
  BadRequestError,
  ConflictError,
  type ConfluenceError,
  ConfluenceHttpError,
  ForbiddenError,
  NotFoundError,
  RateLimitError,
  type ResponseInfo,
  ScopeError,
  ServerError,
} from './errors';
import { type RetryDecision, rateLimitWaitMs, SAFE_METHODS } from './http-policy';
import { isQuotaReason } from './rate-limit-headers';

/**
 * Turns a Confluence error answer into one of the error classes, with a
 * message a space admin can act on. Error bodies come in three shapes
 * (docs/platform-notes.md#confluence-error-bodies): v2 `{errors:[{status, code,
 * title, detail}]}`, v1 `{statusCode, message}` and the gateway's
 * `{code, message}`; some are plain text despite their content type.
 */

interface ErrorBodySummary {
  readonly messages: string[];
  readonly codes: string[];
}

function summariseBody(text: string): ErrorBodySummary {
  const messages: string[] = [];
  const codes: string[] = [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    if (text.trim() !== '') messages.push(text.trim());
    return { messages, codes };
  }
  if (typeof json !== 'object' || json === null) return { messages, codes };
  const body = json as Record<string, unknown>;
  if (Array.isArray(body.errors)) {
    for (const entry of body.errors) {
      if (typeof entry !== 'object' || entry === null) continue;
      const error = entry as Record<string, unknown>;
      if (typeof error.code === 'string') codes.push(error.code);
      for (const field of ['title', 'detail', 'message']) {
        if (typeof error[field] === 'string' && error[field]) messages.push(error[field] as string);
      }
    }
  }
  if (typeof body.message === 'string' && body.message) messages.push(body.message);
  if (typeof body.code === 'string') codes.push(body.code);
  return { messages, codes };
}

/**
 * `Version must be incremented when updating a page. Current Version: [6]. Provided version: [5]` (v2)
 * or `Current version is: 6` (v1), both second-hand but seen in several codebases
 * (docs/platform-notes.md#page-version-conflicts).
 */
export function parseCurrentVersion(messages: readonly string[]): number | null {
  for (const message of messages) {
    const match = /current\s+version(?:\s+is)?\s*:?\s*\[?\s*(\d+)\s*\]?/i.exec(message);
    if (match?.[1]) return Number(match[1]);
  }
  return null;
}

/** Confluence's own words, shortened; they describe our request, never a secret. */
function confluenceSaid(summary: ErrorBodySummary): string {
  const said = summary.messages.join(' ').replace(/\s+/g, ' ').trim();
  if (said === '') return '';
  return ` Confluence said: "${said.length > 300 ? `${said.slice(0, 297)}...` : said}".`;
}

function isScopeMismatch(summary: ErrorBodySummary, headers: Headers): boolean {
  return (
    summary.messages.some((message) => /scope does not match/i.test(message)) ||
    /SCOPE_CHECK/i.test(headers.get('x-failure-category') ?? '')
  );
}

export function scopeAdvice(credential: ConfluenceCredential): string {
  return credential.kind === 'api-token'
    ? "An API token's scopes cannot be changed: create a new token for the service account with these scopes and enter it in Pagewire's space settings."
    : "The Pagewire app does not hold this scope. In-house deployments can enter a space API token that has it in Pagewire's space settings.";
}

export function errorFromResponse(input: {
  response: ResponseInfo;
  text: string;
  endpoint: ConfluenceEndpoint;
  resource: string | undefined;
  credential: ConfluenceCredential;
  decision: RetryDecision;
  now: number;
}): ConfluenceError {
  const { response, text, endpoint, credential, decision, now } = input;
  const { status, headers } = response;
  const summary = summariseBody(text);
  const work = confluenceEndpointScopes[endpoint].describe;
  const resource = input.resource ?? response.path;
  const who = describeCredential(credential);
  const options = { response };

  if (status === 401) return unauthorised(summary, headers, endpoint, credential, work, resource, options);
  if (status === 403) {
    return new ForbiddenError(
      `Confluence does not allow ${who} to do this (${work}, ${resource}). Give the account access to the space, then try again.${confluenceSaid(summary)}`,
      options,
    );
  }
  if (status === 404) {
    return new NotFoundError(
      `Confluence found no ${resource}, or ${who} may not see it (Confluence answers both the same way). Check that it exists and that the account can view the space.`,
      options,
    );
  }
  if (status === 409) {
    const currentVersion = parseCurrentVersion(summary.messages);
    return new ConflictError(
      `${capitalise(resource)} changed in Confluence meanwhile${currentVersion === null ? '' : ` (it is now at version ${currentVersion})`}; it must be read again before writing.`,
      currentVersion,
      options,
    );
  }
  if (status === 429) return rateLimited(headers, decision, now, who, options);
  if (status >= 500) {
    const ambiguous = !SAFE_METHODS.has(response.method);
    return new ServerError(
      `Confluence failed with ${status} while ${work} (${resource}).` +
        (ambiguous
          ? ' The change may or may not have been made, so Pagewire reads the current state before trying again.'
          : ' It usually recovers on its own; Pagewire tries again later.'),
      ambiguous,
      options,
    );
  }
  if (status >= 400) {
    return new BadRequestError(
      status === 413
        ? `Confluence refused ${work} (${resource}) because the content is too large.${confluenceSaid(summary)}`
        : `Confluence refused ${work} (${resource}) as invalid (${status}).${confluenceSaid(summary)}`,
      options,
    );
  }
  return new ConfluenceHttpError(
    `Confluence answered ${work} (${resource}) with ${status}${headers.get('location') ? ', a redirect Pagewire does not follow with credentials' : ''}.`,
    'confluence_unavailable',
    options,
  );
}

function capitalise(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

/** A 401: a scope the credential lacks, or a credential Confluence no longer accepts. */
function unauthorised(
  summary: ErrorBodySummary,
  headers: Headers,
  endpoint: ConfluenceEndpoint,
  credential: ConfluenceCredential,
  work: string,
  resource: string,
  options: { response: ResponseInfo },
): ConfluenceError {
  const who = describeCredential(credential);
  if (isScopeMismatch(summary, headers)) {
    let missing = missingScopesFor(credential.scopes, endpoint);
    // The credential claims the scopes but Confluence disagrees (a token
    // re-created with fewer scopes, or a v1 call with granular-only scopes):
    // name what the call needs.
    if (missing.length === 0) missing = [...(confluenceEndpointScopes[endpoint].anyOf[0] ?? [])];
    return new ScopeError(
      `Confluence refused ${work} (${resource}): ${who} lacks the scope ${missing.join(' and ')}. ${scopeAdvice(credential)}`,
      { missingScopes: missing, credential: who },
      options,
    );
  }
  return new AuthError(
    credential.kind === 'api-token'
      ? `Confluence rejected ${who}: the token has expired or been revoked, or the email does not belong to it. Enter a new API token in Pagewire's space settings.`
      : 'Confluence rejected the Forge app token: it has expired or the app was uninstalled. Pagewire uses a fresh token after the next Forge call (at most an hour).',
    who,
    options,
  );
}

/** A 429: how long Confluence asks Pagewire to wait, and whether an hourly quota is spent. */
function rateLimited(
  headers: Headers,
  decision: RetryDecision,
  now: number,
  who: string,
  options: { response: ResponseInfo },
): ConfluenceError {
  const reason = headers.get('ratelimit-reason')?.trim() || null;
  const waitMs = decision.retry ? null : (decision.waitMs ?? rateLimitWaitMs(headers, now));
  const scope = isQuotaReason(reason) ? 'quota' : 'burst';
  return new RateLimitError(
    `Confluence is rate limiting ${who}${reason ? ` (${reason})` : ''}` +
      (waitMs === null
        ? '.'
        : `; Pagewire tries again in about ${Math.max(1, Math.ceil(waitMs / 1000))} s.`) +
      (scope === 'quota' ? ' The hourly quota is spent: calls resume after the reset.' : ''),
    { retryAfterMs: waitMs, reason, scope },
    options,
  );
}
