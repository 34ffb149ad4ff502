import type { z } from 'zod';
import { type Clock, systemClock } from './clock';
import { authorizationHeaderFor, type ConfluenceCredential } from './credential';
import type { ConfluenceEndpoint } from './endpoint-scopes';
import { ConfluenceConfigError, NetworkError, ResponseSchemaError } from './errors';
import { decideRetry, defaultRetryOptions, type RetryDecision, type RetryOptions } from './http-policy';
import { createPacer, type Pacer, type PacingTarget, pacingTargetFor } from './pacer';
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
  /** Sent as JSON; a `FormData` goes as `multipart/form-data` (v1 attachment uploads). */
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

/** What every attempt of one client uses: settled once when the client is made. */
interface Transport {
  readonly baseUrl: string;
  readonly credential: ConfluenceCredential;
  readonly authorization: string;
  readonly target: PacingTarget;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly random: () => number;
  readonly pacer: Pacer;
  readonly timeoutMs: number;
  readonly retryOptions: RetryOptions;
  readonly onAttempt: ConfluenceClientOptions['onAttempt'];
}

export function createConfluenceClient(options: ConfluenceClientOptions): ConfluenceClient {
  const { baseUrl } = assertGatewayBaseUrl(options.baseUrl, options.allowedApiBase);
  const credential = options.credential;
  const clock = options.clock ?? systemClock;
  const transport: Transport = {
    baseUrl,
    credential,
    authorization: authorizationHeaderFor(credential),
    target: pacingTargetFor(credential),
    fetch: options.fetch ?? globalThis.fetch,
    clock,
    random: options.random ?? Math.random,
    pacer: options.pacer ?? createPacer({ clock }),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retryOptions: { ...defaultRetryOptions, ...options.retry },
    onAttempt: options.onAttempt,
  };
  return { baseUrl, credential, send: (request) => send(transport, request) };
}

/** The request as it goes on the wire: the full URL, the path relative to the gateway, headers and body. */
interface WireRequest {
  readonly url: URL;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | FormData | undefined;
}

function toWire(transport: Transport, request: ConfluenceRequest<unknown>): WireRequest {
  const url = resolveGatewayUrl(transport.baseUrl, request.path);
  appendQuery(url, request.query);
  const path = `${url.pathname.slice(new URL(transport.baseUrl).pathname.length)}${url.search}`;
  const headers: Record<string, string> = {
    Accept: 'application/json',
    Authorization: transport.authorization,
  };
  let body: string | FormData | undefined;
  // fetch writes the multipart Content-Type with its boundary itself.
  if (request.body instanceof FormData) body = request.body;
  else if (request.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(request.body);
  }
  // v1 writes need this to pass Confluence's XSRF check for non-browser clients.
  if (request.path.startsWith('/wiki/rest/') && request.method !== 'GET')
    headers['X-Atlassian-Token'] = 'no-check';
  return { url, path, headers, body };
}

/** Paced attempts, retried as http-policy.ts decides, until a 2xx or an error that is final. */
async function send<T>(transport: Transport, request: ConfluenceRequest<T>): Promise<ConfluenceResponse<T>> {
  const { clock, retryOptions, random } = transport;
  const wire = toWire(transport, request);
  for (let retry = 0; ; retry += 1) {
    const permit = await transport.pacer.acquire(transport.target, request.signal);
    const report = attemptReporter(transport, request, wire.path, retry + 1, clock.now());
    const answer = await fetchOnce(transport, wire, request);
    if (answer.kind === 'no-response') {
      await permit.settle({ kind: 'no-response' });
      if (request.signal?.aborted) throw request.signal.reason;
      const sent = answer.timedOut || answer.code === null || !NOT_SENT_CODES.has(answer.code);
      const outcome = { type: 'network', sent } as const;
      const decision = decideRetry({
        method: request.method,
        outcome,
        retry,
        now: clock.now(),
        options: retryOptions,
        random,
      });
      report(null, clock.now(), null, decision);
      if (!decision.retry) throw networkError(transport, request, answer, sent);
      await clock.sleep(decision.delayMs, request.signal);
      continue;
    }
    const { status, headers, text } = answer;
    const now = clock.now();
    const rateLimit = readRateLimitHeaders(headers, now);
    await permit.settle({ kind: 'response', status, snapshot: rateLimit });
    if (status >= 200 && status < 300) {
      report(status, now, rateLimit, null);
      const data = parseBody(request, text, { status, headers, method: request.method, path: wire.path });
      return { data, status, headers, rateLimit };
    }
    const decision: RetryDecision =
      status >= 300 && status < 400
        ? { retry: false, reason: 'not-retryable' }
        : decideRetry({
            method: request.method,
            outcome: { type: 'response', status, headers },
            retry,
            now,
            options: retryOptions,
            random,
          });
    report(status, now, rateLimit, decision);
    if (!decision.retry) {
      throw errorFromResponse({
        response: { status, headers, method: request.method, path: wire.path },
        text,
        endpoint: request.endpoint,
        resource: request.resource,
        credential: transport.credential,
        decision,
        now,
      });
    }
    await clock.sleep(decision.delayMs, request.signal);
  }
}

/** Reports one attempt to `onAttempt` once its result is known. */
function attemptReporter(
  transport: Transport,
  request: ConfluenceRequest<unknown>,
  path: string,
  attempt: number,
  startedAt: number,
) {
  return (
    status: number | null,
    finishedAt: number,
    rateLimit: RateLimitSnapshot | null,
    decision: RetryDecision | null,
  ) =>
    transport.onAttempt?.({
      endpoint: request.endpoint,
      method: request.method,
      path,
      credentialKind: transport.credential.kind,
      pacingKey: transport.target.key,
      attempt,
      status,
      durationMs: finishedAt - startedAt,
      rateLimit,
      decision,
    });
}

type Answer =
  | { readonly kind: 'response'; readonly status: number; readonly headers: Headers; readonly text: string }
  | {
      readonly kind: 'no-response';
      readonly error: unknown;
      readonly timedOut: boolean;
      readonly code: string | null;
    };

/** One HTTP exchange under the attempt timeout and the caller's signal; never throws. */
async function fetchOnce(
  transport: Transport,
  wire: WireRequest,
  request: ConfluenceRequest<unknown>,
): Promise<Answer> {
  const attempt = new AbortController();
  const stopTimer = new AbortController();
  const onCallerAbort = () => attempt.abort(request.signal?.reason);
  request.signal?.addEventListener('abort', onCallerAbort, { once: true });
  transport.clock.sleep(transport.timeoutMs, stopTimer.signal).then(
    () => attempt.abort(new AttemptTimeout()),
    () => {},
  );
  try {
    const response = await transport.fetch(wire.url, {
      method: request.method,
      headers: wire.headers,
      body: wire.body,
      signal: attempt.signal,
      // Never carry the Authorization header to wherever a redirect points.
      redirect: 'manual',
    });
    const text = await response.text();
    return { kind: 'response', status: response.status, headers: response.headers, text };
  } catch (error) {
    const timedOut = attempt.signal.reason instanceof AttemptTimeout;
    return { kind: 'no-response', error, timedOut, code: networkCodeOf(error) };
  } finally {
    stopTimer.abort();
    request.signal?.removeEventListener('abort', onCallerAbort);
  }
}

function networkError(
  transport: Transport,
  request: ConfluenceRequest<unknown>,
  answer: Extract<Answer, { kind: 'no-response' }>,
  sent: boolean,
): NetworkError {
  const what = answer.timedOut
    ? `did not answer within ${Math.round(transport.timeoutMs / 1000)} s`
    : `could not be reached (${answer.code ?? 'network error'})`;
  const ambiguous = sent && request.method !== 'GET';
  return new NetworkError(
    `Confluence ${what} while ${describeWork(request)}.` +
      (ambiguous ? ' The change may or may not have been made: Pagewire re-reads before trying again.' : ''),
    { transient: true, ambiguous, timedOut: answer.timedOut },
    { cause: answer.error },
  );
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
