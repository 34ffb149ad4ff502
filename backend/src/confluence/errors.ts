import type { ProblemCode } from '@pagewire/shared';
import { hasErrorKind } from '../error-kinds';

/**
 * Errors are values with kinds (confluence.js v3's design). Each error carries
 * the list of kinds it belongs to under a registry symbol; the `isXxx`
 * predicates and `instanceof` read that list, so a check still works when two
 * copies of this module are loaded (a bundled worker next to the server, a
 * second install in node_modules).
 *
 * Every message is written for a space admin: what happened and what to do,
 * never a token.
 */
export const CONFLUENCE_ERROR_KINDS: unique symbol = Symbol.for('pagewire:confluence-error-kinds');

export type ConfluenceErrorKind =
  | 'confluence'
  | 'http'
  | 'scope'
  | 'auth'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'rate-limit'
  | 'server'
  | 'network'
  | 'bad-request'
  | 'schema-mismatch'
  | 'config'
  | 'no-credential';

export function hasConfluenceErrorKind(value: unknown, kind: ConfluenceErrorKind): boolean {
  return hasErrorKind(value, kind, CONFLUENCE_ERROR_KINDS);
}

/** What every error knows about the HTTP exchange that produced it, when there was one. */
export interface ResponseInfo {
  readonly status: number;
  readonly headers: Headers;
  readonly method: string;
  /** Path and query under the gateway base, e.g. `/wiki/api/v2/pages/42`. */
  readonly path: string;
}

export interface ConfluenceErrorOptions {
  response?: ResponseInfo | undefined;
  cause?: unknown;
}

export class ConfluenceError extends Error {
  static readonly kind: ConfluenceErrorKind = 'confluence';
  declare readonly [CONFLUENCE_ERROR_KINDS]: readonly ConfluenceErrorKind[];
  /** The problem code an HTTP edge answers with when this error reaches it. */
  readonly problemCode: ProblemCode;
  readonly status: number | undefined;
  /** Response headers stay readable: versions, `Retry-After`, rate-limit state. */
  readonly headers: Headers | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;

  constructor(message: string, problemCode: ProblemCode, options: ConfluenceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.problemCode = problemCode;
    this.status = options.response?.status;
    this.headers = options.response?.headers;
    this.method = options.response?.method;
    this.path = options.response?.path;
    const kinds: ConfluenceErrorKind[] = [];
    for (let proto: unknown = new.target; proto && proto !== Error; proto = Object.getPrototypeOf(proto)) {
      const kind = (proto as unknown as { kind?: ConfluenceErrorKind }).kind;
      if (kind && !kinds.includes(kind)) kinds.unshift(kind);
    }
    Object.defineProperty(this, CONFLUENCE_ERROR_KINDS, { value: Object.freeze(kinds), enumerable: false });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass `instanceof` was asked about.
    return hasConfluenceErrorKind(value, (this as unknown as { kind: ConfluenceErrorKind }).kind);
  }
}

/** Any answer from Confluence that is an error, when no more specific class applies. */
export class ConfluenceHttpError extends ConfluenceError {
  static override readonly kind: ConfluenceErrorKind = 'http';
}

/**
 * The credential lacks a scope the call needs: Confluence answered 401
 * "scope does not match", or the credential selector found no credential holding it.
 * Permanent: no retry or refresh helps; a token with the scope does.
 */
export class ScopeError extends ConfluenceError {
  static override readonly kind: ConfluenceErrorKind = 'scope';
  readonly missingScopes: readonly string[];
  /** Which credential(s) lack them, in words ("the Forge app token"). */
  readonly credential: string;

  constructor(
    message: string,
    details: { missingScopes: readonly string[]; credential: string },
    options: ConfluenceErrorOptions = {},
  ) {
    super(message, 'confluence_scope_missing', options);
    this.missingScopes = Object.freeze([...details.missingScopes]);
    this.credential = details.credential;
  }
}

/** 401 without the scope message: expired, revoked, or email and token that do not belong together. */
export class AuthError extends ConfluenceHttpError {
  static override readonly kind: ConfluenceErrorKind = 'auth';
  readonly credential: string;
  constructor(message: string, credential: string, options: ConfluenceErrorOptions = {}) {
    super(message, 'confluence_auth_failed', options);
    this.credential = credential;
  }
}

/** 403: the account behind the credential may not do this. */
export class ForbiddenError extends ConfluenceHttpError {
  static override readonly kind: ConfluenceErrorKind = 'forbidden';
  constructor(message: string, options: ConfluenceErrorOptions = {}) {
    super(message, 'confluence_auth_failed', options);
  }
}

/**
 * 404. v2 answers the same for "does not exist" and "you may not view it"
 * (a restricted page looks missing), so messages say both.
 */
export class NotFoundError extends ConfluenceHttpError {
  static override readonly kind: ConfluenceErrorKind = 'not-found';
  constructor(message: string, options: ConfluenceErrorOptions = {}) {
    super(message, 'confluence_not_found', options);
  }
}

/** 409 on a versioned write: someone else moved the version. Re-read, re-apply, write fresh + 1. */
export class ConflictError extends ConfluenceHttpError {
  static override readonly kind: ConfluenceErrorKind = 'conflict';
  /** The version Confluence holds now, parsed from the error body; null when the body did not say. */
  readonly currentVersion: number | null;
  constructor(message: string, currentVersion: number | null, options: ConfluenceErrorOptions = {}) {
    super(message, 'confluence_conflict', options);
    this.currentVersion = currentVersion;
  }
}

export type RateLimitScope = 'burst' | 'quota';

/** 429, or the pacer holding a pool that Confluence paused. Carries when to come back. */
export class RateLimitError extends ConfluenceHttpError {
  static override readonly kind: ConfluenceErrorKind = 'rate-limit';
  /** How long to wait before trying again; null when Confluence gave no hint. */
  readonly retryAfterMs: number | null;
  /** `RateLimit-Reason` as sent (e.g. `confluence-quota-tenant-based`), or null. */
  readonly reason: string | null;
  readonly scope: RateLimitScope;
  constructor(
    message: string,
    details: { retryAfterMs: number | null; reason: string | null; scope: RateLimitScope },
    options: ConfluenceErrorOptions = {},
  ) {
    super(message, 'confluence_rate_limited', options);
    this.retryAfterMs = details.retryAfterMs;
    this.reason = details.reason;
    this.scope = details.scope;
  }
}

/** 5xx. `ambiguous` is true for a write: it may have been applied, so re-read before deciding. */
export class ServerError extends ConfluenceHttpError {
  static override readonly kind: ConfluenceErrorKind = 'server';
  readonly ambiguous: boolean;
  constructor(message: string, ambiguous: boolean, options: ConfluenceErrorOptions = {}) {
    super(message, 'confluence_unavailable', options);
    this.ambiguous = ambiguous;
  }
}

/** 400, 413 and other 4xx answers that say our request was wrong. */
export class BadRequestError extends ConfluenceHttpError {
  static override readonly kind: ConfluenceErrorKind = 'bad-request';
  constructor(message: string, options: ConfluenceErrorOptions = {}) {
    super(message, options.response?.status === 413 ? 'payload_too_large' : 'internal_error', options);
  }
}

/**
 * No answer: DNS, refused connection, reset, timeout. `transient` says a later
 * attempt may work; `ambiguous` says a write may have reached Confluence
 * (the request was sent before the failure), so re-read before replaying.
 */
export class NetworkError extends ConfluenceError {
  static override readonly kind: ConfluenceErrorKind = 'network';
  readonly transient: boolean;
  readonly ambiguous: boolean;
  readonly timedOut: boolean;
  constructor(
    message: string,
    details: { transient: boolean; ambiguous: boolean; timedOut: boolean },
    options: ConfluenceErrorOptions = {},
  ) {
    super(message, 'confluence_unavailable', options);
    this.transient = details.transient;
    this.ambiguous = details.ambiguous;
    this.timedOut = details.timedOut;
  }
}

/** Confluence answered 2xx with a body we do not understand: the API drifted. */
export class ResponseSchemaError extends ConfluenceError {
  static override readonly kind: ConfluenceErrorKind = 'schema-mismatch';
  readonly issues: readonly string[];
  constructor(message: string, issues: readonly string[], options: ConfluenceErrorOptions = {}) {
    super(message, 'confluence_unavailable', options);
    this.issues = Object.freeze([...issues]);
  }
}

/** The client was asked to do something unsafe (a base URL outside the gateway) and refused. */
export class ConfluenceConfigError extends ConfluenceError {
  static override readonly kind: ConfluenceErrorKind = 'config';
  constructor(message: string) {
    super(message, 'internal_error');
  }
}

/**
 * The scopes would be covered, but no usable token is on hand: the app token
 * expired and Forge has not delivered a fresh one yet (remotes only receive
 * app tokens with invocations, ECO-1107), and no API token can stand in.
 * Retryable later, unlike a ScopeError.
 */
export class NoCredentialError extends ConfluenceError {
  static override readonly kind: ConfluenceErrorKind = 'no-credential';
  constructor(message: string) {
    super(message, 'no_credential');
  }
}

export const isConfluenceError = (value: unknown): value is ConfluenceError =>
  hasConfluenceErrorKind(value, 'confluence');
export const isConfluenceHttpError = (value: unknown): value is ConfluenceHttpError =>
  hasConfluenceErrorKind(value, 'http');
export const isScopeError = (value: unknown): value is ScopeError => hasConfluenceErrorKind(value, 'scope');
export const isAuthError = (value: unknown): value is AuthError => hasConfluenceErrorKind(value, 'auth');
export const isForbiddenError = (value: unknown): value is ForbiddenError =>
  hasConfluenceErrorKind(value, 'forbidden');
export const isNotFoundError = (value: unknown): value is NotFoundError =>
  hasConfluenceErrorKind(value, 'not-found');
export const isConflictError = (value: unknown): value is ConflictError =>
  hasConfluenceErrorKind(value, 'conflict');
export const isRateLimitError = (value: unknown): value is RateLimitError =>
  hasConfluenceErrorKind(value, 'rate-limit');
export const isServerError = (value: unknown): value is ServerError =>
  hasConfluenceErrorKind(value, 'server');
export const isNetworkError = (value: unknown): value is NetworkError =>
  hasConfluenceErrorKind(value, 'network');
export const isBadRequestError = (value: unknown): value is BadRequestError =>
  hasConfluenceErrorKind(value, 'bad-request');
export const isResponseSchemaError = (value: unknown): value is ResponseSchemaError =>
  hasConfluenceErrorKind(value, 'schema-mismatch');
export const isConfluenceConfigError = (value: unknown): value is ConfluenceConfigError =>
  hasConfluenceErrorKind(value, 'config');
export const isNoCredentialError = (value: unknown): value is NoCredentialError =>
  hasConfluenceErrorKind(value, 'no-credential');

/**
 * Whether trying the same call again later can succeed without anyone changing
 * configuration: rate limits, outages, network trouble, a missing app token.
 * The publishing queue uses this to pick "retry with backoff" over "dead letter".
 */
export function isRetryableLater(value: unknown): boolean {
  if (isRateLimitError(value) || isServerError(value) || isNoCredentialError(value)) return true;
  if (isNetworkError(value)) return value.transient;
  return false;
}
