import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SeededSite } from '@pagewire/devkit';
import { declareEmulator } from '@pagewire/devkit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBackend, startBackend } from './index';
import { emulatorBackendEnv } from './testing/emulator-backend-env';
import { createLogCapture } from './testing/log-capture';

/**
 * The backend against the devkit's twin of Forge and Confluence: real FITs
 * from its signer, its JWKS over HTTP, its app system tokens, and the real
 * token-health check against its gateway.
 */
const env = declareEmulator();
let backend: RunningBackend;
let site: SeededSite;
let dataDir: string;
const logs = createLogCapture();

beforeAll(async () => {
  site = await env.dev.seedSite();
  dataDir = mkdtempSync(join(tmpdir(), 'pagewire-devkit-'));
  backend = await startBackend({
    env: emulatorBackendEnv(env.dev, {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dataDir, 'pagewire.db')}`,
      LOG_LEVEL: 'info',
    }),
    logDestination: logs.stream,
  });
});
afterAll(async () => {
  await backend?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function envelope(extra: Record<string, unknown> = {}) {
  return {
    cloudId: site.cloudId,
    accountId: site.admin.accountId,
    siteUrl: site.siteUrl,
    spaceKey: site.space.key,
    spaceId: site.space.id,
    ...extra,
  };
}

async function call(
  operation: string,
  input: unknown,
  options: { fit?: string; context?: Record<string, unknown>; systemToken?: string } = {},
) {
  const fit = options.fit ?? (await env.dev.mintFit({ installationId: site.installationId })).token;
  const response = await fetch(`${backend.url}/forge/v1/${operation}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${fit}`,
      'content-type': 'application/json',
      ...(options.systemToken === undefined ? {} : { 'x-forge-oauth-system': options.systemToken }),
    },
    body: JSON.stringify({ context: envelope(options.context), input }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the test reads answers as loose JSON and asserts on them
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('the backend against the devkit', () => {
  it('accepts the devkit’s FITs and keeps its app system token', async () => {
    const minted = await env.dev.mintAppToken({ installationId: site.installationId });
    const response = await call('lifecycle.tokenRefresh', {}, { systemToken: minted.token });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({
      installationId: site.installationId,
      appTokenExpiresAt: new Date(minted.expiresAt).toISOString(),
    });
    expect(logs.text()).not.toContain(minted.token);
  });

  it('takes the space from a UI-originated FIT’s signed context', async () => {
    const fit = (
      await env.dev.mintFit({
        installationId: site.installationId,
        accountId: site.member.accountId,
        context: {
          cloudId: site.cloudId,
          siteUrl: site.siteUrl,
          extension: { type: 'macro', space: { key: site.space.key, id: site.space.id } },
        },
      })
    ).token;
    const response = await call(
      'settings.get',
      {},
      { fit, context: { spaceKey: 'ELSEWHERE', isSpaceAdmin: true } },
    );
    expect(response.status).toBe(200);
    expect(response.body.data.space.key).toBe(site.space.key);
    expect(response.body.data.canEdit).toBe(false);
  });

  it('refuses an expired devkit FIT and one minted for another app', async () => {
    const expired = (await env.dev.mintFit({ installationId: site.installationId, ttlSeconds: -60 })).token;
    expect((await call('blocks.list', {}, { fit: expired })).status).toBe(401);
    const other = await env.dev.createInstallation({
      cloudId: site.cloudId,
      appId: 'ari:cloud:ecosystem::app/99999999-0000-4000-8000-000000000000',
      scopes: ['read:page:confluence'],
    });
    const foreign = (await env.dev.mintFit({ installationId: other.installationId })).token;
    expect((await call('blocks.list', {}, { fit: foreign })).status).toBe(401);
  });

  it('verifies a scoped API token against the gateway before saving it', async () => {
    const response = await call(
      'apiToken.set',
      { email: site.admin.email, token: site.scopedToken, expiresAt: '2027-06-30' },
      { context: { isSpaceAdmin: true } },
    );
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ saved: true, health: { status: 'ok', missingScopes: [] } });
    const view = await call('settings.get', {});
    expect(view.body.data.apiToken).toMatchObject({ email: site.admin.email, health: { status: 'ok' } });
    expect(JSON.stringify(view.body)).not.toContain(site.scopedToken);
  });

  it('keeps the verified token when a token lacking scopes is entered', async () => {
    const narrow = await env.dev.createApiToken({
      email: site.admin.email,
      scopes: ['read:space:confluence'],
    });
    const response = await call(
      'apiToken.set',
      { email: site.admin.email, token: narrow.token, expiresAt: '2027-06-30' },
      { context: { isSpaceAdmin: true } },
    );
    expect(response.body.data).toMatchObject({ saved: false, health: { status: 'missing_scopes' } });
    expect(response.body.data.health.missingScopes).toContain('write:page:confluence');
    const view = await call('settings.get', {});
    expect(view.body.data.apiToken.health.status).toBe('ok');
    expect(logs.text()).not.toContain(narrow.token);
    expect(logs.text()).not.toContain(site.scopedToken);
  });
});
