import { basicAuthorization, type DevApiClient, type SeededSite } from '@pagewire/devkit';
import { createForgeRuntime, type ForgeRuntime, type ResolverHandler } from '@pagewire/devkit/forge-runtime';
import { declareEmulator } from '@pagewire/devkit/testing';
import { afterEach } from 'vitest';
import { type ScriptedBackend, startScriptedBackend } from './scripted-backend';

/**
 * The world a resolver test runs in: the devkit's Confluence and Forge twin
 * (one emulator per test file), a freshly seeded site per test, a scripted
 * backend, and the devkit's Forge runtime harness, which stubs the runtime at
 * its own stubbing point (`global.__forge_fetch__`), so the real
 * `@forge/resolver` and `@forge/api` run unmodified.
 */
export interface World {
  dev: DevApiClient;
  site: SeededSite;
  backend: ScriptedBackend;
  runtime: ForgeRuntime;
}

export function declareForgeWorld() {
  const env = declareEmulator();
  const cleanups: Array<() => Promise<void> | void> = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  return {
    /** `userConsent`: whether a user has allowed the app to act as them (default: everyone has). */
    async setUp(options: { userConsent?: (accountId: string) => boolean } = {}): Promise<World> {
      const { dev } = env;
      const site = await dev.seedSite({ spaceKey: 'ENG' });
      const backend = await startScriptedBackend();
      cleanups.push(() => backend.close());
      const runtime = await createForgeRuntime({
        emulatorUrl: dev.url,
        installationId: site.installationId,
        remotes: { backend: backend.url },
        ...(options.userConsent ? { userConsent: options.userConsent } : {}),
      });
      cleanups.push(() => runtime.dispose());
      return { dev, site, backend, runtime };
    },
  };
}

export const MACRO_LOCAL_ID = '7b1c5f0e-2f6a-4b8e-9d1c-3a5e7f9b2c4d';

/** The context Forge gives the macro on a page of the seeded space. */
export function macroContext(site: SeededSite, accountId: string, pageId = '1310721') {
  return {
    accountId,
    moduleKey: 'pagewire-block',
    localId: MACRO_LOCAL_ID,
    extension: {
      type: 'macro',
      content: { id: pageId, type: 'page' },
      space: { id: site.space.id, key: site.space.key },
      isEditing: false,
      config: { blockKey: 'deploy-status' },
    },
  };
}

/** The context Forge gives the space settings page of the seeded space. */
export function settingsContext(site: SeededSite, accountId: string) {
  return {
    accountId,
    moduleKey: 'pagewire-space-settings',
    extension: { type: 'confluence:spaceSettings', space: { id: site.space.id, key: site.space.key } },
  };
}

export type { ResolverHandler };

/** Creates a page in the seeded space as the site admin, through the emulated gateway. */
export async function createPage(site: SeededSite, title: string): Promise<string> {
  const response = await gateway(site, 'POST', '/wiki/api/v2/pages', {
    spaceId: site.space.id,
    status: 'current',
    title,
    body: { representation: 'storage', value: `<p>${title}</p>` },
  });
  return (response as { id: string }).id;
}

/** Writes a page content property, as the backend's publisher does under the snapshot policy. */
export async function putPageProperty(
  site: SeededSite,
  pageId: string,
  key: string,
  value: unknown,
): Promise<void> {
  await gateway(site, 'POST', `/wiki/api/v2/pages/${pageId}/properties`, { key, value });
}

async function gateway(site: SeededSite, method: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${site.gatewayUrl}${path}`, {
    method,
    headers: {
      authorization: basicAuthorization(site.admin.email, site.scopedToken),
      'content-type': 'application/json',
      accept: 'application/json',
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}
