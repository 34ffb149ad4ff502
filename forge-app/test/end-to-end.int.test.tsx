import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBackend } from '@pagewire/backend';
import type { SeededSite } from '@pagewire/devkit';
import { createForgeRuntime, type ForgeRuntime } from '@pagewire/devkit/forge-runtime';
import { declareEmulator } from '@pagewire/devkit/testing';
import type { OperationResult } from '@pagewire/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MacroApp } from '../src/frontend/macro/macro-app';
import { macroAdfExport, macroResolver, settingsResolver } from '../src/index';
import { createPage, MACRO_LOCAL_ID, macroContext, settingsContext } from './support/forge-world';
import { byTestId, byType, renderWithStubBridge, textOf } from './support/ui-kit-harness';

/**
 * The whole path, offline: the devkit's Confluence and Forge twin, the real
 * backend (`startBackend`, SQLite in a temporary directory), and the real
 * resolvers running on the devkit's Forge runtime harness, which signs a FIT
 * for every `invokeRemote` and asks the emulator, as the user, whether they
 * administer the space. Nothing here is stubbed except the browser.
 */
const env = declareEmulator();
let backend: Awaited<ReturnType<typeof startBackend>>;
let runtime: ForgeRuntime;
let site: SeededSite;
let dataDir: string;

beforeAll(async () => {
  site = await env.dev.seedSite({ spaceKey: 'ENG' });
  dataDir = await mkdtemp(path.join(tmpdir(), 'pagewire-e2e-'));
  backend = await startBackend({
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${path.join(dataDir, 'pagewire.db')}`,
      PAGEWIRE_DEV: '1',
      PAGEWIRE_DATA_DIR: dataDir,
      PAGEWIRE_FORGE_APP_ID: site.appId,
      PAGEWIRE_FORGE_JWKS_URL: env.dev.jwksUrl,
      PAGEWIRE_ATLASSIAN_API_BASE: env.emulator.url,
      PAGEWIRE_MODE: 'in-house',
      LOG_LEVEL: 'silent',
      // The publisher picks up snapshot work quickly; production polls every second.
      PAGEWIRE_PUBLISH_POLL_MS: '100',
    },
  });
  runtime = await createForgeRuntime({
    emulatorUrl: env.emulator.url,
    installationId: site.installationId,
    remotes: { backend: backend.url },
  });
  // Forge tells the backend about the installation (manifest: lifecycle trigger → endpoint).
  const installed = await runtime.deliverEvent({
    remote: 'backend',
    path: '/forge/v1/lifecycle.installed',
    moduleKey: 'backend-lifecycle',
    payload: runtime.lifecycleEventPayload('avi:forge:installed:app', site.admin.accountId),
  });
  expect(installed.status).toBeLessThan(300);
}, 60_000);

afterAll(async () => {
  runtime?.dispose();
  await backend?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function asAdmin<Name extends Parameters<typeof settings>[0]>(key: Name, payload: unknown) {
  return settings(key, payload, site.admin.accountId);
}

function settings(key: string, payload: unknown, accountId: string): Promise<OperationResult<never>> {
  return runtime.invoke(settingsResolver, { key, payload, context: settingsContext(site, accountId) });
}

function expectOk<T>(result: unknown): T {
  expect(result).toMatchObject({ ok: true });
  return (result as { data: T }).data;
}

describe('Pagewire end to end: admin, source, reader', () => {
  let ingestKey = '';

  it('lets a space admin set a scoped API token, which the backend verifies against Confluence', async () => {
    const saved = expectOk<{ saved: boolean; health: { status: string } }>(
      await asAdmin('apiToken.set', {
        email: site.admin.email,
        token: site.scopedToken,
        expiresAt: new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10),
      }),
    );

    expect(saved).toMatchObject({ saved: true, health: { status: 'ok' } });
    const view = expectOk<{ canEdit: boolean; apiToken: { email: string } | null }>(
      await asAdmin('settings.get', {}),
    );
    expect(view.canEdit).toBe(true);
    expect(view.apiToken?.email).toBe(site.admin.email);
  });

  it('lets the admin create an ingest key, shown once and listed by its prefix afterwards', async () => {
    const created = expectOk<{ id: string; source: string; key: string }>(
      await asAdmin('ingestKeys.create', { source: 'ci' }),
    );
    ingestKey = created.key;

    expect(created.key).toMatch(/^pwk_[A-Za-z0-9_-]{43}$/);
    const view = expectOk<{ ingestKeys: Array<{ source: string; prefix: string }> }>(
      await asAdmin('settings.get', {}),
    );
    expect(view.ingestKeys).toEqual([expect.objectContaining({ source: 'ci' })]);
    expect(created.key.startsWith(view.ingestKeys[0]!.prefix)).toBe(true);
    expect(JSON.stringify(view)).not.toContain(created.key);
  });

  it('accepts a block pushed by a source with that key', async () => {
    const response = await fetch(`${backend.url}/ingest/v1/blocks/deploy-status`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'status',
        title: 'Production deploys',
        content: { status: 'Operational', tone: 'success', summary: 'All regions deploying normally.' },
      }),
    });

    expect(response.status).toBe(201);
  });

  it('serves the block to the macro resolver for a reader of the page', async () => {
    const listed = expectOk<{ blocks: Array<{ key: string; source: string }> }>(
      await runtime.invoke(macroResolver, {
        key: 'blocks.list',
        payload: {},
        context: macroContext(site, site.member.accountId),
      }),
    );
    const shown = expectOk<{
      block: { kind: string; title: string; content: unknown; source: string };
      stale: boolean;
    }>(
      await runtime.invoke(macroResolver, {
        key: 'blocks.get',
        payload: { key: 'deploy-status' },
        context: macroContext(site, site.member.accountId),
      }),
    );

    expect(listed.blocks.map((block) => block.key)).toEqual(['deploy-status']);
    expect(shown).toMatchObject({
      block: {
        kind: 'status',
        title: 'Production deploys',
        source: 'ci',
        content: { status: 'Operational', tone: 'success', summary: 'All regions deploying normally.' },
      },
      stale: false,
    });
  });

  it('renders that block in the real macro frontend, through the real resolver', async () => {
    const app = renderWithStubBridge(<MacroApp />, {
      context: macroContext(site, site.member.accountId),
      resolve: (key, payload) =>
        runtime.invoke(macroResolver, { key, payload, context: macroContext(site, site.member.accountId) }),
    });

    const tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-block-status'), 'the block');

    const [headline] = byType(tree, 'Lozenge');
    expect(textOf(headline!)).toBe('Operational');
    expect(textOf(byTestId(tree, 'pagewire-freshness')!)).toMatch(/^Updated (just now|\d+ min ago)$/);
  });

  it('does not let a space member change settings, create keys or remove the token', async () => {
    for (const [key, payload] of [
      ['settings.update', { publishingPolicy: 'snapshot' }],
      ['ingestKeys.create', { source: 'intruder' }],
      ['apiToken.remove', {}],
    ] as const) {
      const result = await settings(key, payload, site.member.accountId);
      expect(result).toMatchObject({ ok: false, error: { code: 'not_space_admin' } });
    }
    const view = expectOk<{
      canEdit: boolean;
      settings: { publishingPolicy: string };
      ingestKeys: unknown[];
    }>(await settings('settings.get', {}, site.member.accountId));
    expect(view.canEdit).toBe(false);
    expect(view.settings.publishingPolicy).toBe('live');
    expect(view.ingestKeys).toHaveLength(1);
  });

  it('exports the block from its page under the snapshot policy, without a backend call at export time', async () => {
    expectOk(await asAdmin('settings.update', { publishingPolicy: 'snapshot' }));
    const pageId = await createPage(site, 'Release status');
    // A reader views the macro on that page, which tells the backend where the block is placed.
    expectOk(
      await runtime.invoke(macroResolver, {
        key: 'blocks.get',
        payload: { key: 'deploy-status' },
        context: macroContext(site, site.member.accountId, pageId),
      }),
    );
    const pushed = await fetch(`${backend.url}/ingest/v1/blocks/deploy-status`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'status',
        title: 'Production deploys',
        content: { status: 'Degraded', tone: 'warning', summary: 'eu-west-1 deploys are paused.' },
      }),
    });
    expect(pushed.status).toBe(200);

    const exportView = () =>
      runtime.runFunction(
        macroAdfExport,
        {
          exportType: 'word',
          context: {
            localId: MACRO_LOCAL_ID,
            extension: { content: { id: pageId, type: 'page' }, config: { blockKey: 'deploy-status' } },
          },
        },
        { moduleKey: 'pagewire-block' },
      );
    const deadline = Date.now() + 15_000;
    let exported = JSON.stringify(await exportView());
    while (!exported.includes('eu-west-1 deploys are paused.') && Date.now() < deadline) {
      exported = JSON.stringify(await exportView());
    }

    expect(exported).toContain('Production deploys');
    expect(exported).toContain('eu-west-1 deploys are paused.');
    expect(exported).toMatch(/Pagewire block “deploy-status”, revision 2, as of/);
  });

  it('refuses the backend call itself when an envelope claims admin rights without the resolver’s check', async () => {
    // What a browser could try if it reached the backend directly: it has no
    // Forge Invocation Token, so it is refused before the envelope is read.
    const response = await fetch(`${backend.url}/forge/v1/settings.update`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        context: {
          cloudId: site.cloudId,
          accountId: site.member.accountId,
          spaceKey: 'ENG',
          isSpaceAdmin: true,
        },
        input: { publishingPolicy: 'snapshot' },
      }),
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'invalid_invocation_token' });
  });
});
