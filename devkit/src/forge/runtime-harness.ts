import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes, randomUUID } from 'node:crypto';
import { createDevApiClient, type DevApiClient } from '../client/dev-api-client';
import type { InstallationView } from '../emulator/dev-api/dev-api-schemas';
import { ariUuid } from '../emulator/forge/invocation-tokens';
import { createInMemoryKvs, type InMemoryKvs } from './kvs-store';

/**
 * A Forge function runtime for tests, built on the devkit emulator.
 *
 * `@forge/api` and `@forge/kvs` do all their I/O through two globals the Forge
 * runtime provides: `global.__forge_fetch__(descriptor, path, init)` and
 * `global.__forge_runtime__` (read from `@forge/api` 8.3.0 `out/api/fetch.js`,
 * `out/api/endpoint.js`, `out/api/runtime.js` and `@forge/kvs` 1.6.5
 * `out/index.js`). The harness installs those two and nothing else, so the app's
 * real resolvers run on the real `@forge/resolver`, `@forge/api` and
 * `@forge/kvs`, unmodified:
 *
 * - `invokeRemote(remote, …)` (`{type: 'frc'}`) goes to the configured backend
 *   URL with a freshly minted FIT (no `context`, no `principal`: a function-
 *   originated call, docs/platform-notes.md#forge-remote-call-paths), B3 trace headers and the app
 *   system token in `x-forge-oauth-system`;
 * - `asApp()/asUser().requestConfluence(…)` (`{type: 'fpp'}`) goes to the
 *   emulator's gateway for the installation's site with the app system token or
 *   an app user token for the invoking user;
 * - `@forge/kvs` (`{type: 'kvs'}`) is answered from memory.
 *
 * Each invocation runs in its own async context, so concurrent invocations
 * (even of different runtimes) never see each other's user or tokens.
 */

/** What `Resolver#getDefinitions()` returns (`@forge/resolver` 2.0.1 `out/index.js`). */
export type ResolverHandler = (
  request: {
    call: { functionKey: string; payload?: unknown; jobId?: string };
    context: Record<string, unknown>;
  },
  backendRuntimePayload?: Record<string, unknown>,
) => Promise<unknown>;

/** A plain Forge function (`adfExport`, a trigger function): `(payload, context)`. */
export type ForgeFunction<Payload, Result> = (
  payload: Payload,
  context: Record<string, unknown>,
) => Result | Promise<Result>;

/** The platform context of a UI invocation (docs/platform-notes.md#resolver-context-and-payload-trust; the macro's extension context). */
export interface InvocationContextInput {
  /** The invoking user; becomes `context.accountId` and `asUser()`'s identity. */
  readonly accountId?: string;
  readonly moduleKey: string;
  readonly localId?: string;
  /** `{type, space: {id, key}, content: {id, type}, config, isEditing, …}` */
  readonly extension?: Record<string, unknown>;
  /** Anything else the platform would add; merged last. */
  readonly extra?: Record<string, unknown>;
}

export interface ForgeRuntimeOptions {
  readonly emulatorUrl: string;
  readonly installationId: string;
  /** Manifest `remotes[].key` → the base URL the backend under test listens on. */
  readonly remotes?: Readonly<Record<string, string>>;
  /** Remotes whose manifest `auth.appSystemToken` is enabled; default: all. */
  readonly appSystemTokenRemotes?: readonly string[];
  /** Remotes whose manifest `auth.appUserToken` is enabled; default: none. */
  readonly appUserTokenRemotes?: readonly string[];
  /**
   * Whether a user has allowed the app to act as them. Without consent,
   * `asUser()` calls throw `NeedsAuthenticationError`, as Forge's do.
   */
  readonly userConsent?: (accountId: string) => boolean;
  /** A UI resolver gets 25 s (docs/platform-notes.md#forge-invocation-time-limits). */
  readonly invocationTimeoutMs?: number;
  /**
   * Forge delivers events with a 5 s timeout and retries any non-2xx answer
   * or timeout 4 times, 60 s apart
   * (https://developer.atlassian.com/platform/forge/remote/sending-product-events/#handling-retries).
   */
  readonly eventTimeoutMs?: number;
  readonly eventRetries?: number;
  readonly eventRetryDelayMs?: number;
  /**
   * Waits between event retries. Defaults to a real timer; tests pass one that
   * records the delay and resolves at once, so a 4-minute retry run takes no time.
   */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RemoteCallRecord {
  readonly remote: string;
  readonly path: string;
  readonly method: string;
  /** The FIT sent in `Authorization`, for assertions on its claims. */
  readonly invocationToken: string;
  readonly sentSystemToken: boolean;
  readonly sentUserToken: boolean;
  readonly status: number | 'network_error';
}

export interface ProductCallRecord {
  readonly as: 'app' | 'user';
  readonly accountId: string | null;
  readonly method: string;
  readonly path: string;
  readonly status: number | 'needs_authentication';
}

export interface RemoteResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** How many POSTs Forge made (retries included). */
  readonly attempts: number;
}

/** Why Forge retried an event delivery (the `retryReason` values of /remote/sending-product-events/). */
export type EventRetryReason =
  | 'INVALID_REMOTE_INVOCATION_ERROR'
  | 'TIMEOUT_ERROR'
  | 'INVALID_FORGE_INVOCATION_TOKEN';

const realSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

export interface ForgeEvent {
  /** Manifest remote key of the endpoint. */
  readonly remote: string;
  /** The endpoint's `route.path`. */
  readonly path: string;
  readonly payload: unknown;
  /** The endpoint key (manifest `endpoint[].key`), reported as `app.module.key`. */
  readonly moduleKey: string;
}

export interface ForgeRuntime {
  readonly installation: InstallationView;
  /** Calls a resolver key with the context Forge would give. */
  invoke<Result = unknown>(
    handler: ResolverHandler,
    call: { key: string; payload?: unknown; context: InvocationContextInput },
  ): Promise<Result>;
  /** Runs a plain Forge function (`adfExport`, a trigger function) inside the runtime. */
  runFunction<Payload, Result>(
    handler: ForgeFunction<Payload, Result>,
    payload: Payload,
    context?: { accountId?: string; moduleKey?: string },
  ): Promise<Result>;
  /** POSTs a lifecycle or scheduled-trigger event to a remote endpoint the way Forge does. */
  deliverEvent(event: ForgeEvent): Promise<RemoteResponse>;
  /**
   * The payload Forge sends for a lifecycle event: `id`, `installerAccountId`
   * (installed) or `upgraderAccountId` (upgraded), `app`, `environment`,
   * `permissions` (https://developer.atlassian.com/platform/forge/events-reference/life-cycle/).
   * No event name, no site: the backend must learn those elsewhere.
   */
  lifecycleEventPayload(
    eventType: 'avi:forge:installed:app' | 'avi:forge:upgraded:app',
    installerAccountId?: string,
  ): Record<string, unknown>;
  /** The app's key-value store, for seeding and assertions. */
  readonly kvs: InMemoryKvs;
  remoteCalls(): RemoteCallRecord[];
  productCalls(): ProductCallRecord[];
  /** Uninstalls the globals once no runtime is left. */
  dispose(): void;
}

type ForgeFetch = (
  descriptor: Record<string, unknown>,
  path: string,
  init?: RequestInit,
) => Promise<Response>;

interface RuntimeCore {
  fetch(
    scope: InvocationScope,
    descriptor: Record<string, unknown>,
    path: string,
    init: RequestInit,
  ): Promise<Response>;
  runtimeObject(scope: InvocationScope): Record<string, unknown>;
}

interface InvocationScope {
  readonly core: RuntimeCore;
  readonly accountId: string | undefined;
  readonly moduleKey: string;
  readonly invocationId: string;
  readonly traceId: string;
  readonly deadline: number;
}

type ForgeGlobals = typeof globalThis & { __forge_fetch__?: ForgeFetch; __forge_runtime__?: unknown };

const scopes = new AsyncLocalStorage<InvocationScope>();
const liveRuntimes: InvocationScope[] = [];
let savedGlobals:
  | { fetch: PropertyDescriptor | undefined; runtime: PropertyDescriptor | undefined }
  | undefined;

function currentScope(): InvocationScope | undefined {
  return scopes.getStore() ?? liveRuntimes[liveRuntimes.length - 1];
}

function installGlobals(): void {
  if (savedGlobals) return;
  const globals = globalThis as ForgeGlobals;
  savedGlobals = {
    fetch: Object.getOwnPropertyDescriptor(globals, '__forge_fetch__'),
    runtime: Object.getOwnPropertyDescriptor(globals, '__forge_runtime__'),
  };
  Object.defineProperty(globals, '__forge_fetch__', {
    configurable: true,
    value: (async (descriptor, path, init = {}) => {
      const scope = currentScope();
      if (!scope) throw new Error('No devkit Forge runtime is active: create one with createForgeRuntime()');
      return scope.core.fetch(scope, descriptor, path, init);
    }) satisfies ForgeFetch,
  });
  Object.defineProperty(globals, '__forge_runtime__', {
    configurable: true,
    get: () => {
      const scope = currentScope();
      return scope ? scope.core.runtimeObject(scope) : undefined;
    },
  });
}

function uninstallGlobals(): void {
  if (!savedGlobals) return;
  const globals = globalThis as ForgeGlobals;
  for (const [name, descriptor] of [
    ['__forge_fetch__', savedGlobals.fetch],
    ['__forge_runtime__', savedGlobals.runtime],
  ] as const) {
    if (descriptor) Object.defineProperty(globals, name, descriptor);
    else delete globals[name];
  }
  savedGlobals = undefined;
}

/** `@forge/api` turns this header into `NeedsAuthenticationError` (`out/api/fetch.js`). */
function proxyError(status: number, reason: string): Response {
  return new Response(null, { status, headers: { 'forge-proxy-error': reason } });
}

/** A remote's configured base URL (with or without a trailing slash) and a path under it. */
function remoteUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

function traceId(): string {
  return randomBytes(16).toString('hex');
}

function spanId(): string {
  return randomBytes(8).toString('hex');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function combineSignals(signals: Array<AbortSignal | null | undefined>): AbortSignal {
  return AbortSignal.any(signals.filter((signal): signal is AbortSignal => Boolean(signal)));
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

export async function createForgeRuntime(options: ForgeRuntimeOptions): Promise<ForgeRuntime> {
  const dev: DevApiClient = createDevApiClient(options.emulatorUrl);
  const installation = await dev.getInstallation(options.installationId);
  const remotes = options.remotes ?? {};
  const systemTokenRemotes = new Set(options.appSystemTokenRemotes ?? Object.keys(remotes));
  const userTokenRemotes = new Set(options.appUserTokenRemotes ?? []);
  const userConsent = options.userConsent ?? (() => true);
  const invocationTimeoutMs = options.invocationTimeoutMs ?? 25_000;
  const eventTimeoutMs = options.eventTimeoutMs ?? 5_000;
  const eventRetries = options.eventRetries ?? 4;
  const eventRetryDelayMs = options.eventRetryDelayMs ?? 60_000;
  const sleep = options.sleep ?? realSleep;
  const kvs = createInMemoryKvs();
  const remoteLog: RemoteCallRecord[] = [];
  const productLog: ProductCallRecord[] = [];
  const tokens = new Map<string, CachedToken>();

  /** Reuses an app token while it has more than a minute left, as the platform would. */
  async function appToken(accountId: string | null): Promise<string> {
    const cacheKey = accountId ?? 'system';
    const cached = tokens.get(cacheKey);
    if (cached && cached.expiresAt - Date.now() > 60_000) return cached.token;
    const minted = await dev.mintAppToken({
      installationId: installation.installationId,
      ...(accountId ? { accountId } : {}),
    });
    tokens.set(cacheKey, { token: minted.token, expiresAt: Date.parse(minted.expiresAt) });
    return minted.token;
  }

  async function forgeHeaders(
    remote: string,
    scope: InvocationScope | undefined,
    moduleKey: string,
    given: ConstructorParameters<typeof Headers>[0],
  ): Promise<{ headers: Headers; fit: string; system: boolean; user: boolean }> {
    const headers = new Headers(given);
    const { token: fit } = await dev.mintFit({
      installationId: installation.installationId,
      moduleType: 'core:endpoint',
      moduleKey,
    });
    headers.set('authorization', `Bearer ${fit}`);
    headers.set('x-b3-traceid', scope?.traceId ?? traceId());
    headers.set('x-b3-spanid', spanId());
    const system = systemTokenRemotes.has(remote);
    if (system) headers.set('x-forge-oauth-system', await appToken(null));
    const user = Boolean(userTokenRemotes.has(remote) && scope?.accountId);
    if (user) headers.set('x-forge-oauth-user', await appToken(scope!.accountId!));
    return { headers, fit, system, user };
  }

  /** Records one call to a remote and the tokens it carried, as `remoteCalls()` reports it. */
  function remoteCallRecorder(
    remote: string,
    path: string,
    method: string,
    sent: { fit: string; system: boolean; user: boolean },
  ) {
    return (status: RemoteCallRecord['status']) =>
      remoteLog.push({
        remote,
        path,
        method,
        invocationToken: sent.fit,
        sentSystemToken: sent.system,
        sentUserToken: sent.user,
        status,
      });
  }

  async function invokeRemote(scope: InvocationScope, remote: string, path: string, init: RequestInit) {
    const base = remotes[remote];
    // @forge/api turns this into InvalidRemoteError (out/api/endpoint.js).
    if (!base) return proxyError(400, 'INVALID_REMOTE');
    const sent = await forgeHeaders(remote, scope, scope.moduleKey, init.headers);
    const remaining = Math.max(1, scope.deadline - Date.now());
    const record = remoteCallRecorder(remote, path, init.method ?? 'GET', sent);
    try {
      const response = await fetch(remoteUrl(base, path), {
        method: init.method ?? 'GET',
        headers: sent.headers,
        body: init.body ?? null,
        signal: combineSignals([init.signal, AbortSignal.timeout(remaining)]),
      });
      record(response.status);
      return response;
    } catch (error) {
      record('network_error');
      throw error;
    }
  }

  async function requestProduct(
    scope: InvocationScope,
    descriptor: Record<string, unknown>,
    path: string,
    init: RequestInit,
  ): Promise<Response> {
    if (descriptor.remote !== 'confluence') {
      throw new Error(`The devkit Forge runtime emulates Confluence only, not ${String(descriptor.remote)}`);
    }
    const asUser = descriptor.provider === 'user';
    const accountId = asUser ? ((descriptor.accountId as string | undefined) ?? scope.accountId) : undefined;
    const method = init.method ?? 'GET';
    if (asUser && (!accountId || !userConsent(accountId))) {
      productLog.push({
        as: 'user',
        accountId: accountId ?? null,
        method,
        path,
        status: 'needs_authentication',
      });
      return proxyError(401, 'NEEDS_AUTHENTICATION_ERR');
    }
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${await appToken(accountId ?? null)}`);
    const response = await fetch(`${installation.gatewayUrl}${path}`, {
      method,
      headers,
      body: init.body ?? null,
      signal: init.signal ?? null,
    });
    productLog.push({
      as: asUser ? 'user' : 'app',
      accountId: accountId ?? null,
      method,
      path,
      status: response.status,
    });
    return response;
  }

  const core: RuntimeCore = {
    async fetch(scope, descriptor, path, init) {
      switch (descriptor.type) {
        case 'frc':
          return invokeRemote(scope, String(descriptor.remote), path, init);
        case 'fpp':
          return requestProduct(scope, descriptor, path, init);
        case 'kvs': {
          const body = typeof init.body === 'string' && init.body ? JSON.parse(init.body) : undefined;
          return kvs.handle(path, body);
        }
        default:
          throw new Error(`The devkit Forge runtime does not emulate ${JSON.stringify(descriptor)} calls`);
      }
    },
    runtimeObject(scope) {
      return {
        proxy: { token: 'devkit', url: options.emulatorUrl },
        tracing: { traceId: scope.traceId, spanId: spanId() },
        appContext: {
          appId: ariUuid(installation.appId),
          appVersion: installation.appVersion,
          environmentId: installation.environmentId,
          environmentType: installation.environmentType,
          invocationId: scope.invocationId,
          installationId: ariUuid(installation.installationId),
          moduleKey: scope.moduleKey,
          permissions: { scopes: installation.scopes, external: {} },
        },
        lambdaContext: { getRemainingTimeInMillis: () => Math.max(0, scope.deadline - Date.now()) },
        metrics: {
          counter: () => ({ incr() {}, decr() {} }),
          timing: () => ({ measure: () => ({ stop() {} }) }),
          gauge: () => ({ set() {} }),
        },
        externalAuth: [],
      };
    },
  };

  function newScope(accountId: string | undefined, moduleKey: string, timeoutMs: number): InvocationScope {
    return {
      core,
      accountId,
      moduleKey,
      invocationId: randomUUID(),
      traceId: traceId(),
      deadline: Date.now() + timeoutMs,
    };
  }

  function withDeadline<Result>(scope: InvocationScope, work: () => Promise<Result>): Promise<Result> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`The Forge function did not finish within ${scope.deadline - Date.now()} ms`)),
        Math.max(0, scope.deadline - Date.now()),
      );
      timer.unref();
    });
    return Promise.race([scopes.run(scope, work), deadline]).finally(() => clearTimeout(timer));
  }

  const installContext = `ari:cloud:confluence::site/${installation.cloudId}`;
  const installationObject = {
    ari: {
      installationId: ariUuid(installation.installationId),
      toString: () => installation.installationId,
    },
    contexts: [{ toString: () => installContext }],
  };

  const idle = newScope(undefined, 'devkit-idle', Number.MAX_SAFE_INTEGER / 2);
  liveRuntimes.push(idle);
  installGlobals();

  return {
    installation,
    kvs,
    invoke<Result>(
      handler: ResolverHandler,
      { key, payload, context }: { key: string; payload?: unknown; context: InvocationContextInput },
    ): Promise<Result> {
      const scope = newScope(context.accountId, context.moduleKey, invocationTimeoutMs);
      // What arrives from the frontend crossed the wire as JSON.
      const wirePayload = payload === undefined ? undefined : JSON.parse(JSON.stringify(payload));
      const platformContext: Record<string, unknown> = {
        cloudId: installation.cloudId,
        siteUrl: installation.siteUrl,
        moduleKey: context.moduleKey,
        localId: context.localId ?? randomUUID(),
        environmentId: installation.environmentId,
        environmentType: installation.environmentType,
        appVersion: installation.appVersion,
        ...(context.extension ? { extension: context.extension } : {}),
        ...(context.accountId ? { accountType: 'licensed' } : {}),
        ...context.extra,
      };
      return withDeadline(
        scope,
        () =>
          handler(
            { call: { functionKey: key, payload: wirePayload }, context: platformContext },
            {
              principal: context.accountId ? { accountId: context.accountId } : undefined,
              installContext,
              installation: installationObject,
            },
          ) as Promise<Result>,
      );
    },
    runFunction<Payload, Result>(
      handler: ForgeFunction<Payload, Result>,
      payload: Payload,
      context: { accountId?: string; moduleKey?: string } = {},
    ): Promise<Result> {
      const scope = newScope(context.accountId, context.moduleKey ?? 'devkit-function', invocationTimeoutMs);
      return withDeadline(scope, async () =>
        // A function's payload arrives as JSON, like everything Forge delivers.
        handler(JSON.parse(JSON.stringify(payload ?? {})) as Payload, {
          installContext,
          installation: installationObject,
          ...(context.accountId ? { principal: { accountId: context.accountId } } : {}),
        }),
      );
    },
    async deliverEvent(event) {
      const base = remotes[event.remote];
      if (!base) throw new Error(`No base URL is configured for remote "${event.remote}"`);
      let attempts = 0;
      let last: RemoteResponse | undefined;
      let lastError: unknown;
      let retryReason: EventRetryReason | null = null;
      // Any non-2xx answer or a timeout is retried up to 4 times, 60 s apart;
      // each retry carries `retryContext` in its body (/remote/sending-product-events/#handling-retries).
      while (attempts <= eventRetries) {
        if (attempts > 0) await sleep(eventRetryDelayMs);
        attempts += 1;
        const payload: unknown =
          retryReason === null || !isRecord(event.payload)
            ? event.payload
            : {
                ...event.payload,
                retryContext: { retryCount: attempts - 1, retryReason, retryData: null },
              };
        // Events run with no user and no context; the endpoint's token config decides the OAuth header.
        const sent = await forgeHeaders(event.remote, undefined, event.moduleKey, {
          'content-type': 'application/json',
        });
        const record = remoteCallRecorder(event.remote, event.path, 'POST', sent);
        try {
          const response: Response = await fetch(remoteUrl(base, event.path), {
            method: 'POST',
            headers: sent.headers,
            body: JSON.stringify(payload),
            signal: AbortSignal.timeout(eventTimeoutMs),
          });
          const text = await response.text();
          record(response.status);
          last = { status: response.status, headers: response.headers, text, attempts };
          if (response.status >= 200 && response.status < 300) return last;
          retryReason =
            response.status === 401 ? 'INVALID_FORGE_INVOCATION_TOKEN' : 'INVALID_REMOTE_INVOCATION_ERROR';
        } catch (error) {
          lastError = error;
          record('network_error');
          retryReason =
            error instanceof Error && error.name === 'TimeoutError'
              ? 'TIMEOUT_ERROR'
              : 'INVALID_REMOTE_INVOCATION_ERROR';
        }
      }
      if (last) return last;
      throw lastError instanceof Error ? lastError : new Error('The event could not be delivered');
    },
    lifecycleEventPayload(eventType, accountId) {
      const actor = eventType === 'avi:forge:upgraded:app' ? 'upgraderAccountId' : 'installerAccountId';
      return {
        // The docs' example ids are bare UUIDs, not ARIs.
        id: ariUuid(installation.installationId),
        ...(accountId ? { [actor]: accountId } : {}),
        app: { id: ariUuid(installation.appId), version: installation.appVersion, name: 'Pagewire' },
        environment: { id: installation.environmentId },
        permissions: { scopes: [...installation.scopes], external: {} },
      };
    },
    remoteCalls: () => [...remoteLog],
    productCalls: () => [...productLog],
    dispose() {
      const index = liveRuntimes.indexOf(idle);
      if (index !== -1) liveRuntimes.splice(index, 1);
      if (liveRuntimes.length === 0) uninstallGlobals();
    },
  };
}

export { createInMemoryKvs, type InMemoryKvs } from './kvs-store';
