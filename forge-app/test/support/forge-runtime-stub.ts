/**
 * A minimal Forge runtime for resolver tests: it stands in at the runtime's own
 * stubbing point, `global.__forge_fetch__`, through which the real `@forge/api`
 * sends every `invokeRemote` and `requestConfluence`. The resolvers, `@forge/api`
 * and `@forge/resolver` all run unmodified; only the network is fake.
 */

export interface ForgeFetchDescriptor {
  type: string;
  provider?: string;
  remote?: string;
  accountId?: string;
}

export interface RecordedCall {
  descriptor: ForgeFetchDescriptor;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

export type StubHandler = (call: RecordedCall) => Response | Promise<Response>;

export interface StubRuntimeOptions {
  /** Answers `invokeRemote('backend', …)`. */
  backend?: StubHandler;
  /** Answers `asUser().requestConfluence(…)`. */
  confluenceAsUser?: StubHandler;
  /** Answers `asApp().requestConfluence(…)`. */
  confluenceAsApp?: StubHandler;
}

export interface StubRuntime {
  calls: RecordedCall[];
  backendCalls(): RecordedCall[];
  confluenceCalls(provider: 'user' | 'app'): RecordedCall[];
  /** Puts the previous globals back. */
  restore(): void;
}

type ForgeGlobals = typeof globalThis & {
  __forge_fetch__?: (descriptor: ForgeFetchDescriptor, path: string, init?: RequestInit) => Promise<Response>;
  __forge_runtime__?: unknown;
};

export function installStubRuntime(options: StubRuntimeOptions): StubRuntime {
  const globals = globalThis as ForgeGlobals;
  const previousFetch = globals.__forge_fetch__;
  const previousRuntime = globals.__forge_runtime__;
  const calls: RecordedCall[] = [];

  globals.__forge_runtime__ = {
    metrics: {
      counter: () => ({ incr() {} }),
      timing: () => ({ measure: () => ({ stop() {} }) }),
    },
  };
  globals.__forge_fetch__ = async (descriptor, path, init = {}) => {
    const rawBody = typeof init.body === 'string' ? init.body : undefined;
    const call: RecordedCall = {
      descriptor,
      path,
      method: init.method ?? 'GET',
      headers: Object.fromEntries(Object.entries((init.headers as Record<string, string>) ?? {})),
      body: rawBody === undefined ? undefined : JSON.parse(rawBody),
    };
    calls.push(call);
    const handler =
      descriptor.type === 'frc' && descriptor.remote === 'backend'
        ? options.backend
        : descriptor.type === 'fpp' && descriptor.remote === 'confluence' && descriptor.provider === 'user'
          ? options.confluenceAsUser
          : descriptor.type === 'fpp' && descriptor.remote === 'confluence' && descriptor.provider === 'app'
            ? options.confluenceAsApp
            : undefined;
    if (!handler)
      throw new Error(`the stub runtime has no handler for ${JSON.stringify(descriptor)} ${path}`);
    return handler(call);
  };

  return {
    calls,
    backendCalls: () => calls.filter((call) => call.descriptor.type === 'frc'),
    confluenceCalls: (provider) =>
      calls.filter((call) => call.descriptor.type === 'fpp' && call.descriptor.provider === provider),
    restore() {
      globals.__forge_fetch__ = previousFetch;
      globals.__forge_runtime__ = previousRuntime;
    },
  };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const contentType = status >= 400 ? 'application/problem+json' : 'application/json';
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': contentType, ...headers } });
}

/** The platform context Forge hands a resolver invoked from a Confluence module. */
export interface InvocationOptions {
  key: string;
  payload?: unknown;
  accountId?: string;
  context: Record<string, unknown>;
}

type DefinitionsHandler = (
  request: { call: { functionKey: string; payload?: unknown }; context: Record<string, unknown> },
  backendRuntimePayload?: Record<string, unknown>,
) => Promise<unknown>;

/**
 * Calls a `@forge/resolver` handler the way the Forge runtime does: the call
 * and the module context in the first argument, the principal in the second
 * (`@forge/resolver` takes `accountId` from there, not from the context).
 */
export function invokeResolver(handler: DefinitionsHandler, options: InvocationOptions): Promise<unknown> {
  return handler(
    { call: { functionKey: options.key, payload: options.payload }, context: options.context },
    options.accountId ? { principal: { accountId: options.accountId } } : {},
  );
}
