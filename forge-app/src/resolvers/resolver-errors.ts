import type { FieldError, ProblemCode, ResolverError } from '@pagewire/shared';

/**
 * One sentence per problem code, written for the person looking at the macro
 * or the settings page: what happened and what they can do about it. The
 * backend's own `detail` is written for developers and operators, so the UI
 * shows these instead (validation errors keep the backend's field messages).
 * A `Record` over the closed union makes a new code a compile error here.
 */
const userMessages: Readonly<Record<ProblemCode, string>> = {
  malformed_json: 'Pagewire sent a request its service could not read. Reload the page and try again.',
  malformed_url: 'Pagewire sent a request its service could not read. Reload the page and try again.',
  invalid_content_encoding:
    'Pagewire sent a request its service could not read. Reload the page and try again.',
  too_deeply_nested:
    'That content nests lists, quotes or objects too deeply for Pagewire. Flatten it and try again.',
  content_too_complex:
    'That content is too complex for Pagewire to render. Simplify it (less nesting, fewer unclosed * or _) and try again.',
  validation_failed: 'Some of the values are not valid. Correct the highlighted fields and try again.',
  payload_too_large: 'That is more data than Pagewire accepts in one request. Try a smaller change.',
  unsupported_media_type:
    'Pagewire sent a request its service could not read. Reload the page and try again.',
  unknown_operation:
    'This version of the Pagewire app and its service do not match. Ask your Confluence admin to update the app.',
  not_found: 'Pagewire’s service does not know this request. Ask your Confluence admin to update the app.',
  method_not_allowed:
    'Pagewire’s service does not know this request. Ask your Confluence admin to update the app.',
  invalid_invocation_token:
    'Pagewire’s service could not confirm this request came from Confluence. Reload the page; if it keeps happening, ask your Confluence admin to check the app installation.',
  invalid_ingest_key: 'The ingest key is not valid.',
  invalid_export_key: 'The export key is not valid.',
  export_disabled: 'Export is turned off for this space. A space admin can turn it on in the Export tab.',
  invalid_cursor: 'Pagewire sent a request its service could not read. Reload the page and try again.',
  webhook_url_refused:
    'Pagewire can only deliver webhooks to public https:// addresses. Check the URL and try again.',
  consumer_name_taken: 'Another consumer already has this name. Choose a different name.',
  export_key_not_found: 'That export key no longer exists. Reload the page to see the current keys.',
  webhook_not_found: 'That webhook subscription no longer exists. Reload the page to see the current ones.',
  webhook_managed_by_operator:
    "This webhook is set in the Pagewire backend's configuration; ask whoever runs the backend to change or remove it.",
  attachment_not_found: 'That attachment was not found. Publish the page again.',
  tenant_mismatch:
    'This request names a different Confluence site than the one it came from, so Pagewire refused it. Reload the page.',
  not_space_admin: 'Only space admins can change Pagewire’s settings for this space.',
  space_required: 'Pagewire works inside a space. Open it from a page or from the space settings.',
  api_tokens_disabled:
    'API tokens are turned off in this deployment of Pagewire; it publishes with the app’s own Confluence access.',
  wrong_module: 'This action is not available from here. Use the Pagewire space settings page.',
  installation_unknown:
    'Pagewire is not connected to its service for this site yet. Try again in a few minutes; if it persists, ask your Confluence admin to reinstall or upgrade the app.',
  installation_uninstalled:
    'Pagewire was uninstalled from this site. Ask your Confluence admin to install it again; settings come back if that happens soon.',
  block_deleted:
    'This block was deleted from this space. Edit the page and pick another block in the macro’s settings.',
  block_not_found:
    'No source has written this block in this space (yet). Check the block key the source writes to, or edit the page and pick another block in the macro’s settings.',
  ingest_key_not_found: 'That ingest key does not exist any more. Reload the list.',
  job_not_found: 'That publishing job does not exist any more.',
  page_not_found: 'No page is published under this external id in this space yet.',
  page_released:
    'Pagewire no longer manages this page: a space admin chose “Stop managing”. It stays as it is in Confluence.',
  page_has_children: 'Pages published by Pagewire still sit under this page; archive or move them first.',
  parent_not_found: 'The parent page this page should go under has not been published.',
  source_name_taken:
    'Another source in this space already has this name. Pick a different name, so the activity log can tell the two apart; revoke the old key first to reuse its name.',
  space_not_found: 'Pagewire could not find this space. Reload the page.',
  api_token_not_configured: 'No API token is set up for this space yet.',
  no_credential:
    'Pagewire has no Confluence access that can do this yet. A space admin can add an API token in the Pagewire space settings.',
  confluence_scope_missing:
    'The Confluence credential is missing a scope this needs. A space admin can check the token’s scopes in the Pagewire space settings.',
  confluence_auth_failed:
    'Confluence rejected Pagewire’s credential. A space admin can check the connection in the Pagewire space settings.',
  confluence_not_found: 'Confluence could not find the content, or Pagewire is not allowed to see it.',
  confluence_conflict: 'The page changed in Confluence at the same moment. Try again.',
  confluence_rate_limited: 'Confluence is asking Pagewire to slow down.',
  confluence_unavailable: 'Confluence is not answering right now. Try again in a moment.',
  rate_limited: 'Too many requests right now.',
  jwks_unavailable: 'Pagewire’s service cannot verify requests right now. Try again in a minute.',
  service_unavailable: 'Pagewire’s service is starting up or busy. Try again in a minute.',
  internal_error:
    'Something went wrong in Pagewire’s service. Try again; if it keeps happening, tell your Confluence admin.',
  backend_unreachable:
    'Pagewire’s service cannot be reached right now. Try again in a minute; if it keeps happening, tell your Confluence admin.',
  backend_timeout:
    'Pagewire’s service did not answer in time. Try again in a minute; if it keeps happening, tell your Confluence admin.',
};

/** Codes whose whole remedy is waiting; without a Retry-After they still say so. */
const waitingCodes = new Set<ProblemCode>(['rate_limited', 'confluence_rate_limited']);

export interface ResolverErrorExtras {
  message?: string;
  /** When to try again; needs `now` to phrase the wait in the message. */
  retry?: { at: Date; now: Date };
  fieldErrors?: FieldError[];
}

/** Builds the value a resolver returns instead of throwing. */
export function resolverError(code: ProblemCode, extras: ResolverErrorExtras = {}): ResolverError {
  const error: ResolverError = { code, message: extras.message ?? userMessages[code] };
  if (extras.retry) {
    // The resolver does not know the user's time zone, so the message says how
    // long to wait; the frontend can show `retryAt` as a time next to it.
    error.retryAt = extras.retry.at.toISOString();
    error.message = `${error.message} Try again ${describeWait(extras.retry.at.getTime() - extras.retry.now.getTime())}.`;
  } else if (waitingCodes.has(code)) {
    error.message = `${error.message} Try again shortly.`;
  }
  if (extras.fieldErrors && extras.fieldErrors.length > 0) error.fieldErrors = extras.fieldErrors;
  return error;
}

function describeWait(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds <= 1) return 'now';
  if (seconds < 60) return `in ${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? 'in a minute' : `in ${minutes} minutes`;
}

/**
 * `Retry-After` is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Absurd values are clamped: a gateway once sent 9223372036854775807.
 */
export function retryAtFrom(
  retryAfterSeconds: number | undefined,
  retryAfterHeader: string | null,
  now: Date,
): Date | undefined {
  const maxDelayMs = 60 * 60 * 1000;
  const clamp = (ms: number) => new Date(now.getTime() + Math.min(Math.max(ms, 0), maxDelayMs));
  if (retryAfterSeconds !== undefined) return clamp(retryAfterSeconds * 1000);
  if (!retryAfterHeader) return undefined;
  const trimmed = retryAfterHeader.trim();
  if (/^\d+$/.test(trimmed)) return clamp(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : clamp(date - now.getTime());
}
