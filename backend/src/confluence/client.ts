import type { z } from 'zod';
import { type Clock, systemClock } from './clock';
import { authorizationHeaderFor, type ConfluenceCredential } from './credential';
import type { ConfluenceEndpoint } from './endpoint-scopes';
import { ConfluenceConfigError, NetworkError, ResponseSchemaError } from './errors';
import { decideRetry, defaultRetryOptions, type RetryDecision, type RetryOptions } from './http-policy';
import { createPacer, type Pacer, pacingTargetFor } from './pacer';
import { type RateLimitSnapshot, readRateLimitHeaders } from './rate-limit-headers';
import { errorFromResponse } from './response-errors';

/**
 * The transport every Confluence call goes through: gateway-only URLs, the
 * credential's Authorization header, pacing, per-attempt timeouts, the retry
 * table in http-policy.ts and response validation. The API modules in
 * `api/` are thin `(client, params) => Promise<T>` functions on top of `send`.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined;

export interface ConfluenceRequest<T> {
  /** Which of Pagewire's calls this is: decides scopes and names the work in errors. */
  readonly endpoint: ConfluenceEndpoint;
  readonly method: HttpMethod;
  /** Under the gateway base, starting with `/wiki/`; may carry a query string (a `next` link does). */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly body?: unknown;
  /** Validates a 2xx body; drift becomes a ResponseSchemaError instead of a surprise deeper in. */
  readonly schema: z.ZodType<T>;
  /** What is being touched, in words for messages: `page 123`, `space ENG`. */
  readonly resource?: string;
  readonly signal?: AbortSignal;
}

export interface ConfluenceResponse<T> {
  readonly data: T;
  readonly status: number;
  /** All response headers: `Link`, versions, rate-limit state. */
  readonly headers: Headers;
  readonly rateLimit: RateLimitSnapshot;
}

/** Emitted once per attempt, for metrics and logs (never carries the credential's secret). */
export interface ConfluenceAttemptEvent {
  readonly endpoint: ConfluenceEndpoint;
  readonly method: HttpMethod;
  readonly path: string;
  readonly credentialKind: ConfluenceCredential['kind'];
  readonly pacingKey: string;
  readonly attempt: number;
  /** HTTP status, or null when no response arrived. */
  readonly status: number | null;
  readonly durationMs: number;
  readonly rateLimit: RateLimitSnapshot | null;
  /** What the retry policy decided after this attempt; null on success. */
  readonly decision: RetryDecision | null;
}

export interface ConfluenceClientOptions {
  /**
   * The site's gateway base, `<apiBase>/ex/confluence/<cloudId>`: the Forge
   * FIT's `app.apiBaseUrl`, or `gatewayBaseUrl(apiBase, cloudId)`.
   */
  readonly baseUrl: string;
  /** `PAGEWIRE_ATLASSIAN_API_BASE`: the only origin calls may go to. */
  readonly allowedApiBase: string;
  readonly credential: ConfluenceCredential;
  readonly fetch?: typeof fetch;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Share one pacer between all clients of a process (main.ts); a private one is made otherwise. */
  readonly pacer?: Pacer;
  /** Per attempt, including reading the body. */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryOptions>;
  readonly onAttempt?: (event: ConfluenceAttemptEvent) => void;
}

export interface ConfluenceClient {
  /** The gateway base every path is resolved against. */
  readonly baseUrl: string;
  readonly credential: ConfluenceCredential;
  send<T>(request: ConfluenceRequest<T>): Promise<ConfluenceResponse<T>>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** Confluence cloud ids are UUIDs; the check also stops path tricks (`..`, `%2F`) in the base. */
const CLOUD_ID = /^[A-Za-z0-9-]{1,64}$/;

function trimTrailingSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

/** `<apiBase>/ex/confluence/<cloudId>`, the only base URL either credential is sent to. */
export function gatewayBaseUrl(apiBase: string, cloudId: string): string {
  if (!CLOUD_ID.test(cloudId)) throw new ConfluenceConfigError(`"${cloudId}" is not a Confluence cloud id.`);
  return `${trimTrailingSlash(apiBase)}/ex/confluence/${cloudId}`;
}

/**
 * Accepts only `<allowedApiBase>/ex/confluence/<cloudId>`. Scoped tokens
 * answer 401 on a site URL, and a credential must never reach a host we do
 * not trust, so a site URL (`https://x.atlassian.net`, or the devkit's
 * `/site/x`, which shares the gateway's origin) is refused even on the right origin.
 */
export function assertGatewayBaseUrl(
  baseUrl: string,
  allowedApiBase: string,
): { baseUrl: string; cloudId: string } {
  let base: URL;
  let allowed: URL;
  try {
    base = new URL(baseUrl);
    allowed = new URL(allowedApiBase);
  } catch {
    throw new ConfluenceConfigError(`"${baseUrl}" is not a URL Pagewire can call Confluence at.`);
  }
  if (
    base.origin !== allowed.origin ||
    base.search !== '' ||
    base.hash !== '' ||
    base.username ||
    base.password
  ) {
    throw new ConfluenceConfigError(
      `Pagewire only calls Confluence through ${allowed.origin}; "${base.origin}" is not allowed.`,
    );
  }
  const prefix = `${trimTrailingSlash(allowed.pathname)}/ex/confluence/`;
  const path = trimTrailingSlash(base.pathname);
  const cloudId = path.startsWith(prefix) ? path.slice(prefix.length) : '';
  if (!CLOUD_ID.test(cloudId)) {
    throw new ConfluenceConfigError(
      `"${baseUrl}" is not a Confluence gateway URL (${allowed.origin}${prefix}<cloudId>); API tokens and app tokens only work there, never on a site URL.`,
    );
  }
  return { baseUrl: `${allowed.origin}${path}`, cloudId };
}

function appendQuery(url: URL, query: Readonly<Record<string, QueryValue>> | undefined): void {
  if (!query) return;
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    // v2 takes repeated filters as a comma-separated list (`keys=A,B`).
    url.searchParams.set(name, Array.isArray(value) ? value.join(',') : String(value));
  }
}

/**
 * Resolves a path (or a `next` link, which is site-relative: `/wiki/api/v2/...`)
 * against the gateway base, never against `_links.base`, which is the site
 * (docs/platform-notes.md#cursor-pagination). An absolute link is accepted
 * only when it already points under the same gateway base.
 */
export function resolveGatewayUrl(baseUrl: string, pathOrUrl: string): URL {
  let relative = pathOrUrl;
  if (/^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl)) {
    if (!pathOrUrl.startsWith(`${baseUrl}/`)) {
      throw new ConfluenceConfigError(`Refusing to follow a link outside the gateway: "${pathOrUrl}".`);
    }
    relative = pathOrUrl.slice(baseUrl.length);
  }
  if (!relative.startsWith('/wiki/') || relative.includes('\\')) {
    throw new ConfluenceConfigError(`"${relative}" is not a Confluence REST path.`);
  }
  const url = new URL(`${baseUrl}${relative}`);
  // URL parsing resolves `..` and `%2e%2e` segments: check where it really points.
  if (!url.href.startsWith(`${baseUrl}/wiki/`)) {
    throw new ConfluenceConfigError(`Refusing "${relative}": it resolves outside the gateway.`);
  }
  return url;
}

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function networkCodeOf(error: unknown): string | null {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

class AttemptTimeout extends Error {
  constructor() {
    super('attempt timed out');
    this.name = 'TimeoutError';
  }
}

export function createConfluenceClient(options: ConfluenceClientOptions): ConfluenceClient {
  const { baseUrl } = assertGatewayBaseUrl(options.baseUrl, options.allowedApiBase);
  const credential = options.credential;
  const doFetch = options.fetch ?? globalThis.fetch;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const pacer = options.pacer ?? createPacer({ clock });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retryOptions: RetryOptions = { ...defaultRetryOptions, ...options.retry };
  const target = pacingTargetFor(credential);
  const authorization = authorizationHeaderFor(credential);

  async function send<T>(request: ConfluenceRequest<T>): Promise<ConfluenceResponse<T>> {
    const url = resolveGatewayUrl(baseUrl, request.path);
    appendQuery(url, request.query);
    const path = `${url.pathname.slice(new URL(baseUrl).pathname.length)}${url.search}`;
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: authorization };
    let body: string | undefined;
    if (request.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(request.body);
    }
    // v1 writes need this to pass Confluence's XSRF check for non-browser clients.
    if (request.path.startsWith('/wiki/rest/') && request.method !== 'GET')
      headers['X-Atlassian-Token'] = 'no-check';

    for (let retry = 0; ; retry += 1) {
      const permit = await pacer.acquire(target, request.signal);
      const startedAt = clock.now();
      const report = (
        status: number | null,
        finishedAt: number,
        rateLimit: RateLimitSnapshot | null,
        decision: RetryDecision | null,
      ) =>
        options.onAttempt?.({
          endpoint: request.endpoint,
          method: request.method,
          path,
          credentialKind: credential.kind,
          pacingKey: target.key,
          attempt: retry + 1,
          status,
          durationMs: finishedAt - startedAt,
          rateLimit,
          decision,
        });
      const attempt = new AbortController();
      const stopTimer = new AbortController();
      const onCallerAbort = () => attempt.abort(request.signal?.reason);
      request.signal?.addEventListener('abort', onCallerAbort, { once: true });
      clock.sleep(timeoutMs, stopTimer.signal).then(
        () => attempt.abort(new AttemptTimeout()),
        () => {},
      );

      let status: number;
      let responseHeaders: Headers;
      let text: string;
      try {
        const response = await doFetch(url, {
          method: request.method,
          headers,
          body,
          signal: attempt.signal,
          // Never carry the Authorization header to wherever a redirect points.
          redirect: 'manual',
        });
        status = response.status;
        responseHeaders = response.headers;
        text = await response.text();
      } catch (error) {
        stopTimer.abort();
        request.signal?.removeEventListener('abort', onCallerAbort);
        await permit.settle({ kind: 'no-response' });
        if (request.signal?.aborted) throw request.signal.reason;
        const timedOut = attempt.signal.reason instanceof AttemptTimeout;
        const code = networkCodeOf(error);
        const sent = timedOut || code === null || !NOT_SENT_CODES.has(code);
        const decision = decideRetry({
          method: request.method,
          outcome: { type: 'network', sent },
          retry,
          now: clock.now(),
          options: retryOptions,
          random,
        });
        report(null, clock.now(), null, decision);
        if (decision.retry) {
          await clock.sleep(decision.delayMs, request.signal);
          continue;
        }
        const what = timedOut
          ? `did not answer within ${Math.round(timeoutMs / 1000)} s`
          : `could not be reached (${code ?? 'network error'})`;
        const ambiguous = sent && request.method !== 'GET';
        throw new NetworkError(
          `Confluence ${what} while ${describeWork(request)}.` +
            (ambiguous
              ? ' The change may or may not have been made: Pagewire re-reads before trying again.'
              : ''),
          { transient: true, ambiguous, timedOut },
          { cause: error },
        );
      } finally {
        stopTimer.abort();
        request.signal?.removeEventListener('abort', onCallerAbort);
      }

      const now = clock.now();
      const rateLimit = readRateLimitHeaders(responseHeaders, now);
      await permit.settle({ kind: 'response', status, snapshot: rateLimit });

      if (status >= 200 && status < 300) {
        report(status, now, rateLimit, null);
        const data = parseBody(request, text, {
          status,
          headers: responseHeaders,
          method: request.method,
          path,
        });
        return { data, status, headers: responseHeaders, rateLimit };
      }

      const decision: RetryDecision =
        status >= 300 && status < 400
          ? { retry: false, reason: 'not-retryable' }
          : decideRetry({
              method: request.method,
              outcome: { type: 'response', status, headers: responseHeaders },
              retry,
              now,
              options: retryOptions,
              random,
            });
      report(status, now, rateLimit, decision);
      if (decision.retry) {
        await clock.sleep(decision.delayMs, request.signal);
        continue;
      }
      throw errorFromResponse({
        response: { status, headers: responseHeaders, method: request.method, path },
        text,
        endpoint: request.endpoint,
        resource: request.resource,
        credential,
        decision,
        now,
      });
    }
  }

  return { baseUrl, credential, send };
}

function describeWork(request: ConfluenceRequest<unknown>): string {
  return `${request.method} ${request.resource ?? request.path}`;
}

function parseBody<T>(
  request: ConfluenceRequest<T>,
  text: string,
  response: { status: number; headers: Headers; method: string; path: string },
): T {
  let json: unknown;
  if (text.trim() === '') {
    json = undefined;
  } else {
    try {
      json = JSON.parse(text);
    } catch {
      throw new ResponseSchemaError(
        `Confluence answered ${request.method} ${request.resource ?? response.path} with a body that is not JSON.`,
        ['body is not JSON'],
        { response },
      );
    }
  }
  const parsed = request.schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`,
    );
    throw new ResponseSchemaError(
      `Confluence's answer to ${request.method} ${request.resource ?? response.path} is not in the shape Pagewire expects (${issues.slice(0, 3).join('; ')}). The Confluence API may have changed.`,
      issues,
      { response },
    );
  }
  return parsed.data;
}

export interface ConfluenceClientFactory {
  /** The pacer every client of this factory shares; its state is what `/metrics` may report. */
  readonly pacer: Pacer;
  /** A client for one site (`app.apiBaseUrl` of the FIT, or `gatewayBaseUrl`) and one credential. */
  clientFor(baseUrl: string, credential: ConfluenceCredential): ConfluenceClient;
}

/**
 * What the composition root builds once: every client it hands out shares
 * the allowed origin, fetch, clock, retry settings and, above all, one pacer,
 * so all calls with one credential draw on one budget. Pass a pacer built on
 * `createPostgresPacerStore` to share the budget across replicas too.
 */
export function createConfluenceClientFactory(
  shared: Omit<ConfluenceClientOptions, 'baseUrl' | 'credential'>,
): ConfluenceClientFactory {
  const pacer = shared.pacer ?? createPacer({ clock: shared.clock ?? systemClock });
  return {
    pacer,
    clientFor: (baseUrl, credential) => createConfluenceClient({ ...shared, pacer, baseUrl, credential }),
  };
}
