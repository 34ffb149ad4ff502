import { z } from 'zod';

/**
 * Every machine-readable error code Pagewire can answer with, on any boundary
 * (backend HTTP, Forge resolvers, ingest API). It is a closed union on purpose:
 * clients switch on `code`, so adding one is a contract change made here.
 */
export const problemCodes = [
  // The request itself is wrong.
  'malformed_json',
  'malformed_url',
  'invalid_content_encoding',
  'too_deeply_nested',
  'content_too_complex',
  'validation_failed',
  'payload_too_large',
  'unsupported_media_type',
  'invalid_cursor',
  'webhook_url_refused',
  'unknown_operation',
  'not_found',
  'method_not_allowed',
  // Who is calling.
  'invalid_invocation_token',
  'invalid_ingest_key',
  'invalid_export_key',
  'tenant_mismatch',
  // What the caller may do.
  'not_space_admin',
  'space_required',
  'api_tokens_disabled',
  'export_disabled',
  'wrong_module',
  // State the request refers to.
  'installation_unknown',
  'installation_uninstalled',
  'block_deleted',
  'block_not_found',
  'ingest_key_not_found',
  'job_not_found',
  'page_not_found',
  'page_released',
  'page_has_children',
  'parent_not_found',
  'source_name_taken',
  'consumer_name_taken',
  'export_key_not_found',
  'webhook_not_found',
  'webhook_managed_by_operator',
  'attachment_not_found',
  'space_not_found',
  'api_token_not_configured',
  // Confluence, as seen by the backend.
  'no_credential',
  'confluence_scope_missing',
  'confluence_auth_failed',
  'confluence_not_found',
  'confluence_conflict',
  'confluence_rate_limited',
  'confluence_unavailable',
  // The service.
  'rate_limited',
  'jwks_unavailable',
  'service_unavailable',
  'internal_error',
  // Seen only on the Forge side, when the backend cannot be reached at all.
  'backend_unreachable',
  'backend_timeout',
] as const;

export const problemCodeSchema = z.enum(problemCodes);
export type ProblemCode = z.infer<typeof problemCodeSchema>;

/** The HTTP status each code is answered with, so every edge agrees. */
export const problemStatus: Readonly<Record<ProblemCode, number>> = {
  malformed_json: 400,
  malformed_url: 400,
  invalid_content_encoding: 400,
  too_deeply_nested: 400,
  content_too_complex: 400,
  validation_failed: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_cursor: 400,
  webhook_url_refused: 400,
  unknown_operation: 404,
  not_found: 404,
  method_not_allowed: 405,
  invalid_invocation_token: 401,
  invalid_ingest_key: 401,
  invalid_export_key: 401,
  tenant_mismatch: 403,
  not_space_admin: 403,
  space_required: 400,
  api_tokens_disabled: 403,
  export_disabled: 403,
  wrong_module: 403,
  installation_unknown: 409,
  installation_uninstalled: 410,
  block_deleted: 410,
  block_not_found: 404,
  ingest_key_not_found: 404,
  job_not_found: 404,
  page_not_found: 404,
  page_released: 409,
  page_has_children: 409,
  parent_not_found: 404,
  source_name_taken: 409,
  consumer_name_taken: 409,
  export_key_not_found: 404,
  webhook_not_found: 404,
  webhook_managed_by_operator: 409,
  attachment_not_found: 404,
  space_not_found: 404,
  api_token_not_configured: 409,
  no_credential: 409,
  confluence_scope_missing: 502,
  confluence_auth_failed: 502,
  confluence_not_found: 502,
  confluence_conflict: 409,
  confluence_rate_limited: 503,
  confluence_unavailable: 503,
  rate_limited: 429,
  jwks_unavailable: 503,
  service_unavailable: 503,
  internal_error: 500,
  backend_unreachable: 503,
  backend_timeout: 504,
};

/** Short, stable titles (RFC 9457 `title` must not vary between occurrences). */
export const problemTitles: Readonly<Record<ProblemCode, string>> = {
  malformed_json: 'The request body is not valid JSON',
  malformed_url: 'The request URL is not valid',
  invalid_content_encoding: 'The request body is not valid for its Content-Encoding',
  too_deeply_nested: 'The content is nested too deeply',
  content_too_complex: 'The content is too complex to render',
  validation_failed: 'The request does not match the expected shape',
  payload_too_large: 'The request body is too large',
  unsupported_media_type: 'The request body must be JSON',
  invalid_cursor: 'The cursor is not valid',
  webhook_url_refused: 'Webhooks cannot be delivered to this URL',
  unknown_operation: 'There is no such operation',
  not_found: 'There is nothing at this address',
  method_not_allowed: 'This method is not allowed here',
  invalid_invocation_token: 'The Forge invocation token is not valid',
  invalid_ingest_key: 'The ingest key is not valid',
  invalid_export_key: 'The export key is not valid',
  tenant_mismatch: 'The request names another installation',
  not_space_admin: 'Only space admins can change this',
  space_required: 'This operation needs a space',
  api_tokens_disabled: 'API tokens are turned off in this deployment',
  export_disabled: 'Export is turned off for this space',
  wrong_module: 'This operation is not available from here',
  installation_unknown: 'Pagewire is not installed on this site yet',
  installation_uninstalled: 'Pagewire was uninstalled from this site',
  block_deleted: 'This block was deleted',
  block_not_found: 'There is no block with this key',
  ingest_key_not_found: 'There is no ingest key with this id',
  job_not_found: 'There is no job with this id',
  page_not_found: 'No page is published under this external id',
  page_released: 'A space admin stopped Pagewire from managing this page',
  page_has_children: 'Pages published by Pagewire still sit under this page',
  parent_not_found: 'The parent page does not exist',
  source_name_taken: 'Another source already has this name',
  consumer_name_taken: 'Another consumer already has this name',
  export_key_not_found: 'There is no export key with this id',
  webhook_not_found: 'There is no webhook subscription with this id',
  webhook_managed_by_operator: "This webhook is set in the backend's configuration",
  attachment_not_found: 'There is no attachment with this name',
  space_not_found: 'The space was not found',
  api_token_not_configured: 'No API token is configured for this space',
  no_credential: 'No credential can do this',
  confluence_scope_missing: 'A Confluence credential lacks a scope',
  confluence_auth_failed: 'Confluence rejected the credential',
  confluence_not_found: 'Confluence could not find the content',
  confluence_conflict: 'The page changed in Confluence meanwhile',
  confluence_rate_limited: 'Confluence is rate limiting Pagewire',
  confluence_unavailable: 'Confluence is not answering',
  rate_limited: 'Too many requests',
  jwks_unavailable: 'The Forge signing keys could not be fetched',
  service_unavailable: 'The service is not ready',
  internal_error: 'Something went wrong on our side',
  backend_unreachable: 'The Pagewire backend cannot be reached',
  backend_timeout: 'The Pagewire backend did not answer in time',
};

export const fieldErrorSchema = z.object({
  /** JSON-pointer-like path to the offending field, `''` for the whole body. */
  path: z.string(),
  message: z.string(),
});
export type FieldError = z.infer<typeof fieldErrorSchema>;

/**
 * RFC 9457 problem details, as every Pagewire HTTP edge answers errors
 * (`application/problem+json`). `detail` is safe to show to a user: it never
 * carries a stack trace, a token or another tenant's data.
 */
export const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  code: problemCodeSchema,
  detail: z.string(),
  instance: z.string().optional(),
  requestId: z.string().optional(),
  errors: z.array(fieldErrorSchema).optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
});
export type Problem = z.infer<typeof problemSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A URN rather than a made-up URL: RFC 9457 only needs `type` to be a stable URI. */
export function problemTypeUri(code: ProblemCode): string {
  return `urn:pagewire:problem:${code}`;
}

export function makeProblem(
  code: ProblemCode,
  detail: string,
  extra: Omit<Partial<Problem>, 'code' | 'detail' | 'type' | 'title' | 'status'> = {},
): Problem {
  return {
    type: problemTypeUri(code),
    title: problemTitles[code],
    status: problemStatus[code],
    code,
    detail,
    ...extra,
  };
}

/** Turns a zod error into field errors a client can show next to its inputs. */
export function fieldErrorsFrom(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.length === 0 ? '' : `/${issue.path.map(String).join('/')}`,
    message: issue.message,
  }));
}
