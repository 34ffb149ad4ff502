import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { basicAuthorization, type DevApiClient, type SeededSite } from '@pagewire/devkit';
import type { WebhookEventType } from '@pagewire/shared';
import pg from 'pg';
import type { BackendExtension } from '../backend';
import { type RunningBackend, startBackend } from '../index';
import { createPublishingExtension } from '../publishing/publishing-extension';
import { postgresTestUrl } from '../store/testing/test-databases';
import { CONTENT_EVENTS_PATH } from '../webhooks/content-events-router';
import { createConfluenceReadMirror } from '../webhooks/testing/confluence-read-mirror';
import { createWebhooksExtension } from '../webhooks/webhooks-extension';
import { callOperation, installAndCreateKey } from './backend-process';
import { emulatorBackendEnv } from './emulator-backend-env';

/** The whole product as the webhooks see it: publishing plus webhooks, with the stand-in mirror. */
export function webhookTestExtensions(env: Record<string, string | undefined>): BackendExtension[] {
  return [
    createPublishingExtension({ env }),
    createWebhooksExtension({
      env,
      mirror: createConfluenceReadMirror,
    }),
  ];
}

/** Test knobs: private targets allowed (the receiver is on 127.0.0.1), short polls and backoff. */
export function webhookTestEnv(dev: DevApiClient, databaseUrl: string, extra: Record<string, string> = {}) {
  return emulatorBackendEnv(dev, {
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    PAGEWIRE_WEBHOOK_ALLOW_PRIVATE: '1',
    PAGEWIRE_WEBHOOK_POLL_MS: '50',
    PAGEWIRE_WEBHOOK_RETRY_BASE_MS: '50',
    PAGEWIRE_WEBHOOK_RETRY_MAX_MS: '400',
    PAGEWIRE_PUBLISH_POLL_MS: '50',
    ...extra,
  });
}

const silent = new Writable({
  write(_chunk, _encoding, done) {
    done();
  },
});

export function startWebhookBackend(env: Record<string, string>): Promise<RunningBackend> {
  return startBackend({ env, extensions: webhookTestExtensions(env), logDestination: silent });
}

/** Installs the app, points the emulator's content events at the backend's trigger route, returns an ingest key. */
export async function connectSite(dev: DevApiClient, backendUrl: string, site: SeededSite): Promise<string> {
  const key = await installAndCreateKey(dev, backendUrl, site);
  await dev.subscribeContentEvents(site.installationId, {
    url: `${backendUrl}${CONTENT_EVENTS_PATH}`,
    retryDelayMs: 200,
  });
  return key;
}

export async function createWebhook(
  dev: DevApiClient,
  backendUrl: string,
  site: SeededSite,
  url: string,
  events?: WebhookEventType[],
): Promise<{ id: string; secret: string }> {
  return (await callOperation(dev, backendUrl, site, 'webhooks.create', events ? { url, events } : { url }, {
    isSpaceAdmin: true,
  })) as { id: string; secret: string };
}

/** A person creates a page in Confluence (the admin's scoped token), as the editor would. */
export async function createPageAsPerson(site: SeededSite, title: string): Promise<string> {
  const response = await fetch(`${site.gatewayUrl}/wiki/api/v2/pages`, {
    method: 'POST',
    headers: {
      authorization: basicAuthorization(site.admin.email, site.scopedToken),
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      spaceId: site.space.id,
      status: 'current',
      title,
      body: { representation: 'storage', value: `<p>${title}</p>` },
    }),
  });
  if (response.status !== 200)
    throw new Error(`create page answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** Polls `check` until it holds or the deadline passes (no sleeping for order: the condition is the point). */
export async function eventually<T>(
  check: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Where a suite's backend keeps its data: a SQLite file, and a fresh PostgreSQL schema when PAGEWIRE_TEST_POSTGRES_URL is set. */
export interface WebhookTestDatabase {
  name: 'sqlite' | 'postgres';
  url(): Promise<string>;
  dispose(): Promise<void>;
}

export function webhookTestDatabases(dataDir: () => string): WebhookTestDatabase[] {
  const sqlite: WebhookTestDatabase = {
    name: 'sqlite',
    url: async () => `sqlite:${join(dataDir(), `pagewire-${randomBytes(4).toString('hex')}.db`)}`,
    dispose: async () => {},
  };
  const adminUrl = postgresTestUrl();
  if (adminUrl === null) return [sqlite];
  const schema = `pw_webhooks_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  const postgres: WebhookTestDatabase = {
    name: 'postgres',
    async url() {
      await admin(`create schema "${schema}"`);
      const parsed = new URL(adminUrl);
      parsed.searchParams.set('options', `-c search_path=${schema}`);
      return parsed.toString();
    },
    dispose: () => admin(`drop schema if exists "${schema}" cascade`),
  };
  return [sqlite, postgres];
}
