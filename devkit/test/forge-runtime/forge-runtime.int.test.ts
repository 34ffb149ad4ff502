import { asApp, NeedsAuthenticationError, route } from '@forge/api';
import { kvs } from '@forge/kvs';
import { afterEach, describe, expect, it } from 'vitest';
import { createForgeRuntime, type ForgeRuntime } from '../../src/forge/runtime-harness';
import { type StubRemoteBackend, startStubRemoteBackend } from '../../src/testing/stub-remote-backend';
import { bearer, call, createPage, declareEmulator } from '../support/emulator-fixture';
import { testAppHandler } from '../support/forge-test-app';

/**
 * The Forge runtime harness running a real `@forge/resolver` handler against
 * the emulator: Forge Remote calls, product calls as the app and as the user,
 * KVS and event delivery to remote endpoints. Platform facts:
 * docs/platform-notes.md#forge-remote-call-paths,
 * docs/platform-notes.md#forge-remote-request-contract,
 * docs/platform-notes.md#fit-verification,
 * docs/platform-notes.md#app-system-token-lifetime,
 * docs/platform-notes.md#resolver-context-and-payload-trust,
 * docs/platform-notes.md#forge-kvs-limits.
 */
describe('Forge runtime harness', () => {
  const env = declareEmulator();
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(
    options: { userConsent?: (accountId: string) => boolean; sleep?: (ms: number) => Promise<void> } = {},
  ) {
    const site = await env.dev.seedSite();
    const backend: StubRemoteBackend = await startStubRemoteBackend({
      jwksUrl: env.dev.jwksUrl,
      appId: site.appId,
    });
    cleanups.push(() => backend.close());
    const runtime: ForgeRuntime = await createForgeRuntime({
      emulatorUrl: env.dev.url,
      installationId: site.installationId,
      remotes: { backend: backend.url },
      ...options,
    });
    cleanups.push(() => runtime.dispose());
    const macroContext = (accountId: string) => ({
      accountId,
      moduleKey: 'pagewire-block',
      localId: 'macro-1',
      extension: {
        type: 'macro',
        space: { id: site.space.id, key: site.space.key },
        content: { id: '1', type: 'page' },
      },
    });
    return { site, backend, runtime, macroContext };
  }

  it('carries invokeRemote to the backend with a FIT that verifies against the emulator JWKS and an app system token', async () => {
    const { site, backend, runtime, macroContext } = await setUp();
    const result = await runtime.invoke<{ status: number; body: { data: { verified: boolean } } }>(
      testAppHandler,
      {
        key: 'callBackend',
        payload: { hello: 'world' },
        context: macroContext(site.admin.accountId),
      },
    );
    expect(result.status).toBe(200);
    expect(result.body.data.verified).toBe(true);

    const [received] = backend.received;
    expect(received?.path).toBe('/forge/v1/echo');
    expect(received?.claims.app).toMatchObject({
      installationId: site.installationId,
      apiBaseUrl: site.gatewayUrl,
      module: { type: 'core:endpoint' },
    });
    // A function-originated call carries no context and no principal (docs/platform-notes.md#forge-remote-call-paths).
    expect(received?.claims.context).toBeUndefined();
    expect(received?.claims.principal).toBeUndefined();
    expect(received?.body).toEqual({
      context: { cloudId: site.cloudId, accountId: site.admin.accountId },
      input: { hello: 'world' },
    });
    expect(received?.headers['x-b3-traceid']).toMatch(/^[0-9a-f]{32}$/);

    // The system token works at the FIT's apiBaseUrl, as a remote would use it (docs/platform-notes.md#app-system-token-lifetime).
    const systemToken = String(received?.headers['x-forge-oauth-system']);
    const spaces = await call(`${site.gatewayUrl}/wiki/api/v2/spaces`, {
      authorization: bearer(systemToken),
    });
    expect(spaces.status).toBe(200);
    expect(runtime.remoteCalls()).toMatchObject([{ remote: 'backend', status: 200, sentSystemToken: true }]);
  });

  it('gives the resolver the platform context: accountId from the principal, cloudId, extension and installContext', async () => {
    const { site, runtime, macroContext } = await setUp();
    const context = await runtime.invoke<Record<string, unknown>>(testAppHandler, {
      key: 'whoAmI',
      context: macroContext(site.member.accountId),
    });
    expect(context).toMatchObject({
      accountId: site.member.accountId,
      cloudId: site.cloudId,
      moduleKey: 'pagewire-block',
      localId: 'macro-1',
      siteUrl: site.siteUrl,
      installContext: `ari:cloud:confluence::site/${site.cloudId}`,
      extension: { type: 'macro', space: { id: site.space.id } },
    });
  });

  it('sends asUser().requestConfluence as the invoking user, so only a space admin administers', async () => {
    const { site, runtime, macroContext } = await setUp();
    const ask = (accountId: string) =>
      runtime.invoke(testAppHandler, { key: 'isSpaceAdmin', context: macroContext(accountId) });
    expect(await ask(site.admin.accountId)).toEqual({ status: 200, admin: true });
    expect(await ask(site.member.accountId)).toEqual({ status: 200, admin: false });
    expect(await ask(site.outsider.accountId)).toEqual({ status: 404 });
    const log = await env.dev.requests({ cloudId: site.cloudId });
    expect(
      log.filter((entry) => entry.operationId === 'getSpaceOperations').map((entry) => entry.credential),
    ).toEqual(['app-user', 'app-user', 'app-user']);
  });

  it('throws NeedsAuthenticationError for asUser() when the user has not allowed the app to act as them', async () => {
    const { site, runtime, macroContext } = await setUp({ userConsent: () => false });
    await expect(
      runtime.invoke(testAppHandler, { key: 'isSpaceAdmin', context: macroContext(site.admin.accountId) }),
    ).rejects.toBeInstanceOf(NeedsAuthenticationError);
    expect(runtime.productCalls()).toMatchObject([{ as: 'user', status: 'needs_authentication' }]);
  });

  it('sends asApp().requestConfluence with the app system token', async () => {
    const { site, runtime, macroContext } = await setUp();
    await createPage(site, { title: 'Visible to the app' });
    const result = await runtime.invoke(testAppHandler, {
      key: 'countPagesAsApp',
      context: macroContext(site.admin.accountId),
    });
    expect(result).toEqual({ status: 200, count: 2 });
    const [last] = (await env.dev.requests({ cloudId: site.cloudId })).slice(-1);
    expect(last).toMatchObject({ credential: 'app-system', operationId: 'getPagesInSpace' });
  });

  it('keeps @forge/kvs in memory, per runtime', async () => {
    const first = await setUp();
    const second = await setUp();
    const context = first.macroContext(first.site.admin.accountId);
    const remember = (value: string) =>
      first.runtime.invoke(testAppHandler, { key: 'remember', payload: { key: 'colour', value }, context });
    expect(await remember('blue')).toEqual({ previous: null, now: 'blue' });
    expect(await remember('red')).toEqual({ previous: 'blue', now: 'red' });
    expect(first.runtime.kvs.get('colour')).toBe('red');
    expect(second.runtime.kvs.get('colour')).toBeUndefined();
  });

  it('runs a plain function module (adfExport, a trigger function) with the same KVS and product access', async () => {
    const { site, runtime } = await setUp();
    runtime.kvs.set('greeting', 'hello');
    const result = await runtime.runFunction(
      async (payload: { key: string }, context) => {
        const response = await asApp().requestConfluence(route`/wiki/api/v2/spaces/${site.space.id}`);
        return {
          value: await kvs.get(payload.key),
          space: response.status,
          installContext: context.installContext,
        };
      },
      { key: 'greeting' },
    );
    expect(result).toEqual({
      value: 'hello',
      space: 200,
      installContext: `ari:cloud:confluence::site/${site.cloudId}`,
    });
  });

  it('keeps concurrent invocations by different users apart', async () => {
    const { site, runtime, macroContext } = await setUp();
    const results = await Promise.all(
      [site.admin, site.member, site.admin, site.member].map((person) =>
        runtime.invoke(testAppHandler, { key: 'isSpaceAdmin', context: macroContext(person.accountId) }),
      ),
    );
    expect(results.map((result) => (result as { admin: boolean }).admin)).toEqual([true, false, true, false]);
  });

  it('refuses invokeRemote to a remote the manifest does not declare with InvalidRemoteError', async () => {
    const site = await env.dev.seedSite();
    const runtime = await createForgeRuntime({
      emulatorUrl: env.dev.url,
      installationId: site.installationId,
      remotes: {},
    });
    cleanups.push(() => runtime.dispose());
    await expect(
      runtime.invoke(testAppHandler, {
        key: 'callBackend',
        context: { accountId: site.admin.accountId, moduleKey: 'pagewire-block' },
      }),
    ).rejects.toThrow(/Invalid remote key/);
  });

  it('delivers a lifecycle event by POST with a FIT without context and the app system token', async () => {
    const { site, backend, runtime } = await setUp();
    const payload = runtime.lifecycleEventPayload('avi:forge:installed:app', site.admin.accountId);
    const response = await runtime.deliverEvent({
      remote: 'backend',
      path: '/forge/v1/lifecycle.installed',
      payload,
      moduleKey: 'backend-lifecycle',
    });
    expect(response).toMatchObject({ status: 200, attempts: 1 });
    const [received] = backend.received;
    expect(received).toMatchObject({ method: 'POST', path: '/forge/v1/lifecycle.installed', body: payload });
    expect(received?.claims.context).toBeUndefined();
    expect(received?.claims.principal).toBeUndefined();
    expect(received?.claims.app).toMatchObject({ module: { key: 'backend-lifecycle' } });
    expect(received?.headers['x-forge-oauth-system']).toBeDefined();
    // The documented payload (https://developer.atlassian.com/platform/forge/events-reference/life-cycle/):
    // installation id, installer, app, environment, permissions; no event name, no site.
    expect(Object.keys(payload).sort()).toEqual(
      ['app', 'environment', 'id', 'installerAccountId', 'permissions'].sort(),
    );
    expect(payload).toMatchObject({
      id: site.installationId.slice(site.installationId.lastIndexOf('/') + 1),
      installerAccountId: site.admin.accountId,
      app: { id: expect.any(String), version: expect.any(String) },
      environment: { id: expect.any(String) },
    });
  });

  it('names the upgrading user upgraderAccountId on an upgrade event (https://developer.atlassian.com/platform/forge/events-reference/life-cycle/)', async () => {
    const { site, runtime } = await setUp();
    const payload = runtime.lifecycleEventPayload('avi:forge:upgraded:app', site.admin.accountId);
    expect(payload).toMatchObject({ upgraderAccountId: site.admin.accountId });
    expect(payload).not.toHaveProperty('installerAccountId');
  });

  it('retries any non-2xx answer 4 times, 60 s apart, with retryContext on each retry (https://developer.atlassian.com/platform/forge/remote/sending-product-events/#handling-retries)', async () => {
    const waits: number[] = [];
    const { backend, runtime } = await setUp({
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const deliver = () =>
      runtime.deliverEvent({
        remote: 'backend',
        path: '/forge/v1/lifecycle.tokenRefresh',
        moduleKey: 'backend-token-refresh',
        payload: { context: { cloudId: 'c' } },
      });
    backend.failNext(400, 2);
    expect(await deliver()).toMatchObject({ status: 200, attempts: 3 });
    expect(waits).toEqual([60_000, 60_000]);
    const bodies = backend.bodies as Array<Record<string, unknown>>;
    expect(bodies[0]).not.toHaveProperty('retryContext');
    expect(bodies.slice(1).map((body) => body.retryContext)).toEqual([
      { retryCount: 1, retryReason: 'INVALID_REMOTE_INVOCATION_ERROR', retryData: null },
      { retryCount: 2, retryReason: 'INVALID_REMOTE_INVOCATION_ERROR', retryData: null },
    ]);
    backend.failNext(401, 10);
    expect(await deliver()).toMatchObject({ status: 401, attempts: 5 });
    expect((backend.bodies.at(-1) as Record<string, unknown> | undefined)?.retryContext).toEqual({
      retryCount: 4,
      retryReason: 'INVALID_FORGE_INVOCATION_TOKEN',
      retryData: null,
    });
  });
});
