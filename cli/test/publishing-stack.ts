import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startBackend } from '@pagewire/backend';
import {
  ALL_CONFLUENCE_SCOPES,
  createDevApiClient,
  type DevApiClient,
  type SeededSite,
  startEmulator,
} from '@pagewire/devkit';

/**
 * The real backend (SQLite, the publishing engine) and the devkit's emulator
 * in this process, with Pagewire installed on one seeded site and an ingest
 * key for its space: what `pagewire publish` talks to in production, offline.
 */
export interface PublishingStack {
  readonly dev: DevApiClient;
  readonly site: SeededSite;
  readonly backendUrl: string;
  readonly ingestKey: string;
  close(): Promise<void>;
}

function forgeHeaders(fit: string, appToken: string): Record<string, string> {
  return {
    authorization: `Bearer ${fit}`,
    'x-forge-oauth-system': appToken,
    'x-b3-traceid': randomBytes(16).toString('hex'),
    'x-b3-spanid': randomBytes(8).toString('hex'),
    'content-type': 'application/json',
  };
}

/**
 * What Forge does at install (the lifecycle call hands over the app token) and
 * a space admin in the settings page: an ingest key for the source, and the
 * space's API token (archiving needs a classic scope the app does not ask for).
 */
async function installAndCreateKey(dev: DevApiClient, site: SeededSite, backendUrl: string): Promise<string> {
  const appToken = (await dev.mintAppToken({ installationId: site.installationId, ttlSeconds: 4 * 3600 }))
    .token;
  const fit = async () =>
    (await dev.mintFit({ installationId: site.installationId, ttlSeconds: 3600 })).token;
  const installed = await fetch(`${backendUrl}/forge/v1/lifecycle.installed`, {
    method: 'POST',
    headers: forgeHeaders(await fit(), appToken),
    body: JSON.stringify({ eventType: 'avi:forge:installed:app', context: { cloudId: site.cloudId } }),
  });
  if (installed.status !== 200)
    throw new Error(`lifecycle.installed answered ${installed.status}: ${await installed.text()}`);
  const context = {
    cloudId: site.cloudId,
    accountId: site.admin.accountId,
    siteUrl: site.siteUrl,
    spaceKey: site.space.key,
    spaceId: site.space.id,
    isSpaceAdmin: true,
  };
  const created = await fetch(`${backendUrl}/forge/v1/ingestKeys.create`, {
    method: 'POST',
    headers: forgeHeaders(await fit(), appToken),
    body: JSON.stringify({ context, input: { source: 'docs' } }),
  });
  if (created.status !== 200)
    throw new Error(`ingestKeys.create answered ${created.status}: ${await created.text()}`);
  const key = ((await created.json()) as { data: { key: string } }).data.key;
  // Atlassian API tokens live at most a year; this one expires in half a year.
  const expiresAt = new Date(Date.now() + 180 * 86_400_000).toISOString().slice(0, 10);
  const token = await fetch(`${backendUrl}/forge/v1/apiToken.set`, {
    method: 'POST',
    headers: forgeHeaders(await fit(), appToken),
    body: JSON.stringify({
      context,
      input: { email: site.admin.email, token: site.scopedToken, expiresAt },
    }),
  });
  const saved = (await token.json()) as { data?: { saved?: boolean } };
  if (token.status !== 200 || saved.data?.saved !== true) {
    throw new Error(`apiToken.set answered ${token.status}: ${JSON.stringify(saved)}`);
  }
  return key;
}

export async function startPublishingStack(
  options: { burstPerSecond?: number | null } = {},
): Promise<PublishingStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pagewire-cli-stack-'));
  const emulator = await startEmulator({ port: 0 });
  const dev = createDevApiClient(emulator.url);
  await dev.setLimits({ burstPerSecond: options.burstPerSecond ?? null, quotaPointsPerHour: null });
  // The space's scoped API token also holds the classic scope archiving needs (the app does not request it).
  const site = await dev.seedSite({
    name: 'docs',
    tokenScopes: [...ALL_CONFLUENCE_SCOPES, 'write:confluence-content'],
  });
  const backend = await startBackend({
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dataDir, 'pagewire.db')}`,
      PAGEWIRE_FORGE_APP_ID: site.appId,
      PAGEWIRE_FORGE_JWKS_URL: dev.jwksUrl,
      PAGEWIRE_ATLASSIAN_API_BASE: emulator.url,
      PAGEWIRE_MASTER_KEY: randomBytes(32).toString('base64'),
      PAGEWIRE_PUBLISH_POLL_MS: '50',
      PAGEWIRE_INGEST_LIMIT_PER_KEY: 'off',
      PAGEWIRE_INGEST_LIMIT_PER_INSTALLATION: 'off',
      LOG_LEVEL: 'warn',
    },
    logDestination: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
  try {
    const ingestKey = await installAndCreateKey(dev, site, backend.url);
    return {
      dev,
      site,
      backendUrl: backend.url,
      ingestKey,
      async close() {
        await backend.close();
        await emulator.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await backend.close();
    await emulator.close();
    throw error;
  }
}
