import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeProblem, PROBLEM_CONTENT_TYPE } from '@pagewire/shared';
import { createAdfValidator } from '@pagewire/shared/adf-validator';
import { createConfluenceEdge } from './confluence/confluence-edge';
import type { CredentialKind, Mount } from './confluence/credentials';
import { createFaultInjector } from './confluence/faults';
import { createRateLimiter } from './confluence/rate-limiter';
import { createDevApi } from './dev-api/dev-api';
import { createAppTokenSigner } from './forge/app-tokens';
import { createContentEventEmitter, registerContentEventEmitter } from './forge/content-events';
import { createSigningKeyRing } from './forge/signing-keys';
import {
  isJsonContentType,
  isMultipartContentType,
  type JsonParse,
  parseJson,
  parseMultipart,
  readBody,
  sendEmpty,
  sendJson,
} from './http/http-io';
import { createRequestLog } from './request-log';
import { createEmulatorState, type EmulatorState, type Site } from './state/emulator-state';

export interface EmulatorOptions {
  /** `0` picks a free port. */
  readonly port: number;
  readonly host?: string;
  /**
   * The world to serve, instead of an empty one. The local stack passes the
   * world it saved on its last run (`npm start` reuses its data).
   */
  readonly state?: EmulatorState;
  /**
   * The emulator's time in epoch ms (rate-limit windows, token expiry, page
   * timestamps, the request log). Tests that prove pacing pass a clock they
   * move themselves, so nothing depends on how fast this machine is.
   */
  readonly now?: () => number;
}

export interface RunningEmulator {
  /** `http://<host>:<port>`, no trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

const GATEWAY_PREFIX = '/ex/confluence/';
const SITE_PREFIX = '/site/';
const DEV_PREFIX = '/_dev/';
export const JWKS_PATH = '/.well-known/jwks.json';

const EMPTY_BODY: JsonParse = { kind: 'empty' };
/**
 * Attachment uploads are not bound by the 5 MB JSON cap: a site's attachment
 * limit is an admin setting (100 MB by default); the emulator takes 25 MB.
 */
const MAX_ATTACHMENT_UPLOAD_BYTES = 25 * 1024 * 1024;

/**
 * Starts the offline twin of Confluence Cloud and Forge on one port:
 * - `/ex/confluence/{cloudId}/wiki/…`: the API gateway (scoped tokens, app tokens);
 * - `/site/{name}/wiki/…` and `/site/{name}/_edge/tenant_info`: a site's own URL (classic tokens);
 * - `/.well-known/jwks.json`: the Forge invocation-token signing keys;
 * - `/_dev/…`: the Dev API that tests use to set the world up.
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const state = options.state ?? createEmulatorState();
  const keys = await createSigningKeyRing();
  const rateLimiter = createRateLimiter();
  const faults = createFaultInjector();
  const requestLog = createRequestLog();
  const now = options.now ?? (() => Date.now());
  let baseUrl = '';

  const edge = createConfluenceEdge({ state, rateLimiter, adf: createAdfValidator(), now });
  const contentEvents = createContentEventEmitter({ state, keys, baseUrl: () => baseUrl, now });
  registerContentEventEmitter(state, contentEvents);
  const devApi = createDevApi({
    contentEvents,
    state,
    keys,
    appTokenSigner: createAppTokenSigner(),
    rateLimiter,
    faults,
    requestLog,
    baseUrl: () => baseUrl,
    now,
  });

  async function readJsonBody(request: IncomingMessage): Promise<JsonParse | 'too_large' | 'aborted'> {
    const method = request.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD' || method === 'DELETE') {
      // Bodies on these methods carry no meaning here; drain them cheaply.
      if (
        request.headers['content-length'] === undefined &&
        request.headers['transfer-encoding'] === undefined
      ) {
        return EMPTY_BODY;
      }
    }
    const multipart = isMultipartContentType(request);
    const read = await readBody(request, multipart ? MAX_ATTACHMENT_UPLOAD_BYTES : undefined);
    if (read.kind !== 'ok') return read.kind;
    if (multipart) return parseMultipart(request, read.bytes);
    return parseJson(read.bytes);
  }

  function siteWikiBase(site: Site): string {
    return `${baseUrl}/site/${site.name}/wiki`;
  }

  async function handleConfluence(
    request: IncomingMessage,
    response: ServerResponse,
    mount: Mount,
    site: Site | undefined,
    wikiPath: string,
    query: URLSearchParams,
  ): Promise<{
    status: number;
    credential: CredentialKind | 'anonymous';
    credentialId: string | null;
    operationId: string | null;
  }> {
    if (!site) {
      sendJson(response, 404, {
        errors: [{ status: 404, code: 'NOT_FOUND', title: 'Not Found', detail: null }],
      });
      return { status: 404, credential: 'anonymous', credentialId: null, operationId: null };
    }
    const body = await readJsonBody(request);
    if (body === 'too_large') {
      sendJson(response, 413, {
        errors: [{ status: 413, code: 'PAYLOAD_TOO_LARGE', title: 'Request too large', detail: 'over 5 MB' }],
      });
      return { status: 413, credential: 'anonymous', credentialId: null, operationId: null };
    }
    if (body === 'aborted')
      return { status: 499, credential: 'anonymous', credentialId: null, operationId: null };
    if (body.kind !== 'empty' && body.kind !== 'multipart' && !isJsonContentType(request)) {
      // Confluence parses JSON bodies (and multipart for attachment uploads) only; other media types are refused.
      sendJson(response, 415, {
        errors: [
          { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', title: 'Unsupported Media Type', detail: null },
        ],
      });
      return { status: 415, credential: 'anonymous', credentialId: null, operationId: null };
    }
    const outcome = await edge.handle({
      method: request.method ?? 'GET',
      mount,
      site,
      wikiPath,
      query,
      authorization: request.headers.authorization,
      body,
      siteWikiBase: siteWikiBase(site),
    });
    if (outcome.body === undefined) sendEmpty(response, outcome.status, outcome.headers);
    else sendJson(response, outcome.status, outcome.body, outcome.headers);
    return {
      status: outcome.status,
      credential: outcome.caller?.kind ?? 'anonymous',
      credentialId: outcome.caller?.credentialId ?? null,
      operationId: outcome.operationId ?? null,
    };
  }

  async function handleDevApi(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    query: URLSearchParams,
  ) {
    const body = await readJsonBody(request);
    if (body === 'aborted') return;
    if (body === 'too_large') {
      const problem = makeProblem('payload_too_large', 'Dev API bodies are limited to 5 MB.');
      sendJson(response, problem.status, problem, {}, PROBLEM_CONTENT_TYPE);
      return;
    }
    if (body.kind !== 'empty' && !isJsonContentType(request)) {
      const problem = makeProblem(
        'unsupported_media_type',
        'Send the Dev API JSON with Content-Type: application/json.',
      );
      sendJson(response, problem.status, problem, {}, PROBLEM_CONTENT_TYPE);
      return;
    }
    let result: Awaited<ReturnType<typeof devApi.handle>>;
    try {
      result = await devApi.handle({ method: request.method ?? 'GET', path, query, body });
    } catch {
      // A bug in the emulator must not look like a client mistake, nor leak a stack.
      result = { problem: makeProblem('internal_error', 'The emulator failed to handle this Dev API call.') };
    }
    if ('problem' in result) {
      sendJson(
        response,
        result.problem.status,
        { ...result.problem, instance: path },
        {},
        PROBLEM_CONTENT_TYPE,
      );
    } else if (result.body === undefined) {
      sendEmpty(response, result.status);
    } else {
      sendJson(response, result.status, result.body);
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const rawUrl = request.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const path = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
    const search = queryStart === -1 ? '' : rawUrl.slice(queryStart + 1);
    const query = new URLSearchParams(search);
    const method = request.method ?? 'GET';

    if (path.startsWith(DEV_PREFIX)) return handleDevApi(request, response, path, query);

    let site: Site | undefined;
    let mount: Mount | undefined;
    let rest = path;
    if (path.startsWith(GATEWAY_PREFIX)) {
      const end = path.indexOf('/', GATEWAY_PREFIX.length);
      const cloudId = path.slice(GATEWAY_PREFIX.length, end === -1 ? undefined : end);
      site = state.sitesByCloudId.get(cloudId);
      mount = 'gateway';
      rest = end === -1 ? '/' : path.slice(end);
    } else if (path.startsWith(SITE_PREFIX)) {
      const end = path.indexOf('/', SITE_PREFIX.length);
      const name = path.slice(SITE_PREFIX.length, end === -1 ? undefined : end);
      site = state.sitesByName.get(name);
      mount = 'site';
      rest = end === -1 ? '/' : path.slice(end);
    }

    const record = (
      status: number,
      extra: {
        credential?: CredentialKind | 'anonymous';
        credentialId?: string | null;
        operationId?: string | null;
        fault?: 'error' | 'drop';
      },
    ) => {
      requestLog.record({
        time: new Date(now()).toISOString(),
        method,
        path,
        query: search,
        status,
        credential: extra.credential ?? 'anonymous',
        credentialId: extra.credentialId ?? null,
        cloudId: site?.cloudId ?? null,
        operationId: extra.operationId ?? null,
        fault: extra.fault ?? null,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      });
    };

    const fault = faults.decide(method, path, site?.cloudId);
    if (fault.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
    if (fault.action === 'drop') {
      request.socket.destroy();
      record(0, { fault: 'drop' });
      return;
    }
    if (fault.action === 'error') {
      const headers: Record<string, string> = {};
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      const titles = {
        500: 'Internal Server Error',
        502: 'Bad Gateway',
        503: 'Service Unavailable',
      } as const;
      sendJson(
        response,
        fault.status,
        {
          errors: [
            {
              status: fault.status,
              code: titles[fault.status].toUpperCase().replace(/ /g, '_'),
              title: titles[fault.status],
              detail: null,
            },
          ],
        },
        headers,
      );
      record(fault.status, { fault: 'error' });
      return;
    }

    if (path === JWKS_PATH) {
      if (method !== 'GET') {
        sendEmpty(response, 405, { allow: 'GET' });
        record(405, {});
        return;
      }
      sendJson(response, 200, keys.jwks(), { 'cache-control': 'public, max-age=300' });
      record(200, {});
      return;
    }

    if (mount === 'site' && rest === '/_edge/tenant_info') {
      // Unauthenticated on purpose: it is how clients learn a site's cloudId
      // (docs/platform-notes.md#cloud-id-lookup).
      if (!site) {
        sendJson(response, 404, { message: 'Not Found' });
        record(404, {});
      } else {
        sendJson(response, 200, { cloudId: site.cloudId });
        record(200, {});
      }
      return;
    }

    if (mount && (rest === '/wiki' || rest.startsWith('/wiki/'))) {
      const outcome = await handleConfluence(request, response, mount, site, rest, query);
      if (outcome.status === 499) return;
      record(outcome.status, outcome);
      return;
    }

    sendJson(response, 404, { code: 404, message: 'Not Found' });
    record(404, {});
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      // Never a stack trace on the wire.
      if (!response.headersSent) {
        sendJson(response, 500, {
          errors: [
            { status: 500, code: 'INTERNAL_SERVER_ERROR', title: 'Internal Server Error', detail: null },
          ],
        });
      } else {
        response.destroy();
      }
    });
  });
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${urlHost}:${address.port}`;

  return {
    url: baseUrl,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
