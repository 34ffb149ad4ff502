import { createForgeRuntime } from '@pagewire/devkit/forge-runtime';
import { startStubRemoteBackend } from '@pagewire/devkit/stub-remote';
import { declareEmulator } from '@pagewire/devkit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { settingsResolver } from '../src/index';

/**
 * Pagewire's own Forge app, loaded as Forge would load it (the handler the
 * manifest names, `index.settingsResolver`), running on the harness: the
 * space-admin check goes to the emulator as the user, the operation goes to a
 * backend with a FIT that verifies against the emulator's JWKS
 * (docs/platform-notes.md#forge-remote-call-paths, function → remote;
 * docs/platform-notes.md#resolver-context-and-payload-trust).
 */
describe("Pagewire's settings resolver on the Forge runtime harness", () => {
  const env = declareEmulator();
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp() {
    const site = await env.dev.seedSite();
    const backend = await startStubRemoteBackend({
      jwksUrl: env.dev.jwksUrl,
      appId: site.appId,
      reply: (path) => (path === '/forge/v1/ingestKeys.revoke' ? { revoked: true } : undefined),
    });
    cleanups.push(() => backend.close());
    const runtime = await createForgeRuntime({
      emulatorUrl: env.dev.url,
      installationId: site.installationId,
      remotes: { backend: backend.url },
    });
    cleanups.push(() => runtime.dispose());
    const settingsContext = (accountId: string) => ({
      accountId,
      moduleKey: 'pagewire-space-settings',
      extension: { type: 'confluence:spaceSettings', space: { id: site.space.id, key: site.space.key } },
    });
    return { site, backend, runtime, settingsContext };
  }

  it('lets a space admin revoke an ingest key: admin check as the user, then the backend with a verified FIT', async () => {
    const { site, backend, runtime, settingsContext } = await setUp();
    const result = await runtime.invoke(settingsResolver, {
      key: 'ingestKeys.revoke',
      payload: { id: 'key-1' },
      context: settingsContext(site.admin.accountId),
    });
    expect(result).toEqual({ ok: true, data: { revoked: true } });
    expect(backend.received).toHaveLength(1);
    expect(backend.received[0]?.body).toMatchObject({
      context: {
        cloudId: site.cloudId,
        accountId: site.admin.accountId,
        spaceId: site.space.id,
        isSpaceAdmin: true,
      },
      input: { id: 'key-1' },
    });
    expect(runtime.productCalls()).toMatchObject([
      {
        as: 'user',
        accountId: site.admin.accountId,
        path: `/wiki/api/v2/spaces/${site.space.id}/operations`,
        status: 200,
      },
    ]);
  });

  it('refuses a member before anything reaches the backend', async () => {
    const { site, backend, runtime, settingsContext } = await setUp();
    const result = await runtime.invoke(settingsResolver, {
      key: 'ingestKeys.revoke',
      payload: { id: 'key-1' },
      context: settingsContext(site.member.accountId),
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'not_space_admin' } });
    expect(backend.received).toHaveLength(0);
  });
});
