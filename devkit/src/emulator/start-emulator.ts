import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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

/** The emulator's parts, built once by `startEmulator` and shared by every request. */
interface EmulatorParts {
  readonly state: EmulatorState;
  readonly keys: Awaited<ReturnType<typeof createSigningKeyRing>>;
  readonly faults: ReturnType<typeof createFaultInjector>;
  readonly requestLog: ReturnType<typeof createRequestLog>;
  readonly edge: ReturnType<typeof createConfluenceEdge>;
  readonly devApi: ReturnType<typeof createDevApi>;
  readonly now: () => number;
  /** Known once the server listens. */
  readonly baseUrl: () => string;
}

/**
 * Starts the offline twin of Confluence Cloud and Forge on one port:
 * - `/ex/confluence/{cloudId}/wiki/…`: the API gateway (scoped tokens, app tokens);
 * - `/site/{name}/wiki/…` and `/site/{name}/_edge/tenant_info`: a site's own URL (classic tokens);
 * - `/.well-known/jwks.json`: the Forge invocation-token signing keys;
 * - `/_dev/…`: the Dev API that tests use to set the world up.
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  let baseUrl = '';
  const parts = await createEmulatorParts(options, () => baseUrl);
  const server = createServer((request, response) => {
    handle(parts, request, response).catch(() => {
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
  baseUrl = await listen(server, options.port, options.host ?? '127.0.0.1');
  return {
    url: baseUrl,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function createEmulatorParts(options: EmulatorOptions, baseUrl: () => string): Promise<EmulatorParts> {
  const state = options.state ?? createEmulatorState();
  const keys = await createSigningKeyRing();
  const rateLimiter = createRateLimiter();
  const faults = createFaultInjector();
  const requestLog = createRequestLog();
  const now = options.now ?? (() => Date.now());
  const edge = createConfluenceEdge({ state, rateLimiter, adf: createAdfValidator(), now });
  const contentEvents = createContentEventEmitter({ state, keys, baseUrl, now });
  registerContentEventEmitter(state, contentEvents);
  const devApi = createDevApi({
    contentEvents,
    state,
    keys,
    appTokenSigner: createAppTokenSigner(),
    rateLimiter,
    faults,
    requestLog,
    baseUrl,
    now,
  });
  return { state, keys, faults, requestLog, edge, devApi, now, baseUrl };
}

/** Listens and answers the base URL, `http://<host>:<port>`. */
async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${urlHost}:${address.port}`;
}

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

/** What the request log keeps of a Confluence call beyond its status. */
interface CallRecord {
  credential?: CredentialKind | 'anonymous';
  credentialId?: string | null;
  operationId?: string | null;
  fault?: 'error' | 'drop';
}

const ANONYMOUS: Required<Omit<CallRecord, 'fault'>> = {
  credential: 'anonymous',
  credentialId: null,
  operationId: null,
};

/** Sends a Confluence-shaped error (`{errors: [...]}`) and answers what the log keeps of it. */
function refuse(
  response: ServerResponse,
  status: number,
  code: string,
  title: string,
  detail: string | null,
): { status: number } & typeof ANONYMOUS {
  sendJson(response, status, { errors: [{ status, code, title, detail }] });
  return { status, ...ANONYMOUS };
}

async function handleConfluence(
  parts: EmulatorParts,
  request: IncomingMessage,
  response: ServerResponse,
  at: { mount: Mount; site: Site | undefined; wikiPath: string; query: URLSearchParams },
): Promise<{ status: number } & Required<Omit<CallRecord, 'fault'>>> {
  const { site } = at;
  if (!site) return refuse(response, 404, 'NOT_FOUND', 'Not Found', null);
  const body = await readJsonBody(request);
  if (body === 'too_large')
    return refuse(response, 413, 'PAYLOAD_TOO_LARGE', 'Request too large', 'over 5 MB');
  if (body === 'aborted') return { status: 499, ...ANONYMOUS };
  if (body.kind !== 'empty' && body.kind !== 'multipart' && !isJsonContentType(request)) {
    // Confluence parses JSON bodies (and multipart for attachment uploads) only; other media types are refused.
    return refuse(response, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type', null);
  }
  const outcome = await parts.edge.handle({
    method: request.method ?? 'GET',
    mount: at.mount,
    site,
    wikiPath: at.wikiPath,
    query: at.query,
    authorization: request.headers.authorization,
    body,
    siteWikiBase: `${parts.baseUrl()}/site/${site.name}/wiki`,
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

function sendProblem(response: ServerResponse, problem: ReturnType<typeof makeProblem>): void {
  sendJson(response, problem.status, problem, {}, PROBLEM_CONTENT_TYPE);
}

async function handleDevApi(
  devApi: EmulatorParts['devApi'],
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  query: URLSearchParams,
) {
  const body = await readJsonBody(request);
  if (body === 'aborted') return;
  if (body === 'too_large') {
    return sendProblem(response, makeProblem('payload_too_large', 'Dev API bodies are limited to 5 MB.'));
  }
  if (body.kind !== 'empty' && !isJsonContentType(request)) {
    return sendProblem(
      response,
      makeProblem('unsupported_media_type', 'Send the Dev API JSON with Content-Type: application/json.'),
    );
  }
  let result: Awaited<ReturnType<typeof devApi.handle>>;
  try {
    result = await devApi.handle({ method: request.method ?? 'GET', path, query, body });
  } catch {
    // A bug in the emulator must not look like a client mistake, nor leak a stack.
    result = { problem: makeProblem('internal_error', 'The emulator failed to handle this Dev API call.') };
  }
  if ('problem' in result) sendProblem(response, { ...result.problem, instance: path });
  else if (result.body === undefined) sendEmpty(response, result.status);
  else sendJson(response, result.status, result.body);
}

/** Which site and mount a path addresses, and the path below the mount (`/wiki/…`). */
function locate(state: EmulatorState, path: string): { site?: Site; mount?: Mount; rest: string } {
  for (const [prefix, mount] of [
    [GATEWAY_PREFIX, 'gateway'],
    [SITE_PREFIX, 'site'],
  ] as const) {
    if (!path.startsWith(prefix)) continue;
    const end = path.indexOf('/', prefix.length);
    const id = path.slice(prefix.length, end === -1 ? undefined : end);
    const site = mount === 'gateway' ? state.sitesByCloudId.get(id) : state.sitesByName.get(id);
    return { site, mount, rest: end === -1 ? '/' : path.slice(end) };
  }
  return { rest: path };
}

const FAULT_TITLES = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
} as const;

/** Plays an injected fault, if one is due; answers whether the request is dealt with. */
async function playFault(
  fault: ReturnType<EmulatorParts['faults']['decide']>,
  request: IncomingMessage,
  response: ServerResponse,
  record: (status: number, extra: CallRecord) => void,
): Promise<boolean> {
  if (fault.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
  if (fault.action === 'drop') {
    request.socket.destroy();
    record(0, { fault: 'drop' });
    return true;
  }
  if (fault.action !== 'error') return false;
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
  const title = FAULT_TITLES[fault.status];
  const error = { status: fault.status, code: title.toUpperCase().replace(/ /g, '_'), title, detail: null };
  sendJson(response, fault.status, { errors: [error] }, headers);
  record(fault.status, { fault: 'error' });
  return true;
}

async function handle(
  parts: EmulatorParts,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const rawUrl = request.url ?? '/';
  const queryStart = rawUrl.indexOf('?');
  const path = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
  const search = queryStart === -1 ? '' : rawUrl.slice(queryStart + 1);
  const query = new URLSearchParams(search);
  const method = request.method ?? 'GET';

  if (path.startsWith(DEV_PREFIX)) return handleDevApi(parts.devApi, request, response, path, query);

  const { site, mount, rest } = locate(parts.state, path);
  const record = (status: number, extra: CallRecord) => {
    parts.requestLog.record({
      time: new Date(parts.now()).toISOString(),
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

  if (await playFault(parts.faults.decide(method, path, site?.cloudId), request, response, record)) return;

  if (path === JWKS_PATH) {
    if (method !== 'GET') sendEmpty(response, 405, { allow: 'GET' });
    else sendJson(response, 200, parts.keys.jwks(), { 'cache-control': 'public, max-age=300' });
    return record(method !== 'GET' ? 405 : 200, {});
  }

  if (mount === 'site' && rest === '/_edge/tenant_info') {
    // Unauthenticated on purpose: it is how clients learn a site's cloudId
    // (docs/platform-notes.md#cloud-id-lookup).
    if (!site) sendJson(response, 404, { message: 'Not Found' });
    else sendJson(response, 200, { cloudId: site.cloudId });
    return record(site ? 200 : 404, {});
  }

  if (mount && (rest === '/wiki' || rest.startsWith('/wiki/'))) {
    const outcome = await handleConfluence(parts, request, response, { mount, site, wikiPath: rest, query });
    if (outcome.status === 499) return;
    return record(outcome.status, outcome);
  }

  sendJson(response, 404, { code: 404, message: 'Not Found' });
  record(404, {});
}
