import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasErrorKind } from './error-kinds';
import { type RunningBackend, startBackend } from './index';
import { createTestSigner, installationAri, TEST_APP_ID, type TestSigner } from './testing/forge-tokens';
import { createLogCapture } from './testing/log-capture';

/**
 * `startBackend` as other parts use it: configuration only from the env
 * record, a real port, the Forge key set fetched over HTTP.
 */
let signer: TestSigner;
let dataDir: string;
let jwksServer: Server;
let jwksUrl: string;
let holdNext: { hit: () => void; release: Promise<void> } | null = null;

function respondWithKeys(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(signer.jwks));
}

beforeAll(async () => {
  signer = await createTestSigner('forge-http-key');
  dataDir = mkdtempSync(join(tmpdir(), 'pagewire-backend-'));
  jwksServer = createServer((_request, response) => {
    const hold = holdNext;
    holdNext = null;
    if (hold === null) {
      respondWithKeys(response);
      return;
    }
    hold.hit();
    void hold.release.then(() => respondWithKeys(response));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(async () => {
  await new Promise((resolve) => jwksServer.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
});

const running: RunningBackend[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((backend) => backend.close()));
});

function env(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${join(dataDir, `${randomBytes(4).toString('hex')}.db`)}`,
    PAGEWIRE_FORGE_APP_ID: TEST_APP_ID,
    PAGEWIRE_FORGE_JWKS_URL: jwksUrl,
    PAGEWIRE_MASTER_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
    ...overrides,
  };
}

async function start(overrides: Record<string, string | undefined> = {}, logs = createLogCapture()) {
  const backend = await startBackend({ env: env(overrides), logDestination: logs.stream });
  running.push(backend);
  return backend;
}

const tenant = {
  installationId: installationAri('11111111-2222-4333-8444-555555555555'),
  cloudId: 'cloud-1',
};

async function installed(url: string, token?: string): Promise<Response> {
  return fetch(`${url}/forge/v1/lifecycle.installed`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token ?? (await signer.mint(tenant))}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ id: tenant.installationId }),
  });
}

describe('startBackend', () => {
  it('listens on a free port and serves a Forge call verified against keys fetched over HTTP', async () => {
    const backend = await start();
    expect(backend.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await installed(backend.url);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { installationId: tenant.installationId } });
    expect((await fetch(`${backend.url}/readyz`)).status).toBe(200);
  });

  it('answers /healthz before any extension starts its background work (the publishing worker)', async () => {
    const logs = createLogCapture();
    let seenFromStart: number | null = null;
    const backend = await startBackend({
      env: env({ LOG_LEVEL: 'info' }),
      logDestination: logs.stream,
      extensions: [
        {
          name: 'probe',
          setup: () => ({
            async start() {
              // By now the server must listen: background work may take as long as it likes.
              const line = logs.lines().find((entry) => entry.msg === 'backend listening');
              if (line === undefined) return;
              seenFromStart = (await fetch(`${line.url as string}/healthz`)).status;
            },
          }),
        },
      ],
    });
    running.push(backend);
    expect(seenFromStart).toBe(200);
  });

  it('answers 503 jwks_unavailable, not 401, when the Forge key set cannot be fetched', async () => {
    const backend = await start({ PAGEWIRE_FORGE_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json' });
    const response = await installed(backend.url);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(((await response.json()) as { code: string }).code).toBe('jwks_unavailable');
  });

  it('throws a configuration error naming the variable, and starts nothing', async () => {
    const error = await startBackend({ env: env({ PAGEWIRE_MASTER_KEY: 'c2hvcnQ=' }) }).catch(
      (caught) => caught,
    );
    expect(hasErrorKind(error, 'config')).toBe(true);
    expect((error as Error).message).toMatch(
      /^invalid configuration: PAGEWIRE_MASTER_KEY must decode to 32 bytes/,
    );
  });

  it('in development, generates a master key into the data directory once, with a loud warning', async () => {
    const devDir = join(dataDir, 'dev');
    const logs = createLogCapture();
    const first = await start(
      { PAGEWIRE_DEV: '1', PAGEWIRE_MASTER_KEY: undefined, PAGEWIRE_DATA_DIR: devDir, LOG_LEVEL: 'info' },
      logs,
    );
    const keyFile = join(devDir, 'dev-master-key');
    expect(existsSync(keyFile)).toBe(true);
    const key = readFileSync(keyFile, 'utf8');
    expect(logs.lines().find((line) => line.level === 'warn')?.msg).toMatch(/FOR LOCAL USE ONLY/);
    expect(logs.text()).not.toContain(key.trim());
    await first.close();
    await start({ PAGEWIRE_DEV: '1', PAGEWIRE_MASTER_KEY: undefined, PAGEWIRE_DATA_DIR: devDir });
    expect(readFileSync(keyFile, 'utf8')).toBe(key);
  });

  it('drains a request in flight on close, then refuses new connections', async () => {
    const backend = await start();
    let hit!: () => void;
    const reachedKeys = new Promise<void>((resolve) => {
      hit = resolve;
    });
    let release!: () => void;
    holdNext = {
      hit,
      release: new Promise<void>((resolve) => {
        release = resolve;
      }),
    };

    const inFlight = installed(backend.url);
    await reachedKeys;
    const closed = backend.close();
    release();
    expect((await inFlight).status).toBe(200);
    await closed;
    await expect(fetch(`${backend.url}/healthz`)).rejects.toThrow();
  });
});
