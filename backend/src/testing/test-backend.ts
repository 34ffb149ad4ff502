import { randomBytes } from 'node:crypto';
import type { InvocationContext, OperationInput, OperationName } from '@pagewire/shared';
import { pino } from 'pino';
import request from 'supertest';
import { createCachedRenderer, createInProcessRenderer } from '../adf/markdown-renderer';
import type { Backend, BackendExtension } from '../backend';
import { type ComposeOptions, compose } from '../compose';
import { loadConfig } from '../config/config';
import { createLogger } from '../observability/logger';
import { startInstallationPurgeJob } from '../store/installation-purge';
import { sqliteTarget, type TestDatabase, type TestDatabaseTarget } from '../store/testing/test-databases';
import { createFakeTokenHealth, type FakeTokenHealth, GRANTED_SCOPES } from './fake-token-health';
import {
  createTestSigner,
  type FitClaimsInput,
  installationAri,
  TEST_API_BASE,
  TEST_APP_ID,
  type TestSigner,
} from './forge-tokens';
import { createLogCapture, type LogCapture } from './log-capture';

/**
 * A whole backend in-process for HTTP tests: a fresh database, FITs signed by
 * a local test key, a fake token-health check, a controllable clock and a
 * capture of every log line. Requests go through supertest against the
 * Express app (no port needed).
 */
export interface TestTenant {
  installationId: string;
  cloudId: string;
  siteUrl: string;
}

export interface TestBackend {
  backend: Backend;
  signer: TestSigner;
  health: FakeTokenHealth;
  logs: LogCapture;
  clock: { now: Date };
  http: ReturnType<typeof request>;
  tenant(name: string): TestTenant;
  /** A FIT as the tenant's resolver function would get it (no context). */
  functionFit(tenant: TestTenant, adjust?: Partial<FitClaimsInput>): Promise<string>;
  /** The envelope context a resolver builds for a user in a space. */
  contextFor(tenant: TestTenant, extra?: Partial<InvocationContext>): InvocationContext;
  /** Calls an operation the way a resolver does: function FIT + envelope. */
  call<Name extends OperationName>(
    tenant: TestTenant,
    operation: Name,
    input: OperationInput<Name> | Record<string, unknown>,
    context?: Partial<InvocationContext>,
  ): Promise<request.Response>;
  /** Creates an ingest key as a space admin and returns the secret. */
  createIngestKey(
    tenant: TestTenant,
    spaceKey: string,
    source?: string,
  ): Promise<{ id: string; key: string }>;
  /** The uninstall purge job on this backend's database and clock (tests run it with `runNow`). */
  startInstallationPurge(options: {
    graceMs: number;
    intervalMs: number;
  }): ReturnType<typeof startInstallationPurgeJob>;
  close(): Promise<void>;
}

export interface TestBackendOptions {
  mode?: 'in-house' | 'marketplace';
  environments?: string;
  database?: TestDatabaseTarget;
  extensions?: BackendExtension[];
  /** Capture logs at this level (default info, so request lines are there to grep). */
  logLevel?: 'info' | 'debug' | 'silent';
  /** What `blocks.get` renders Markdown with; by default the macro gets no rendering. */
  renderMarkdown?: ComposeOptions['renderMarkdown'];
  /**
   * Ingest limits as config variables (`PAGEWIRE_INGEST_LIMIT_*`); off unless
   * given, since tests write far faster than any source. The buckets refill by
   * the test clock (`clock.now`).
   */
  ingestLimits?: { perKey?: string; perInstallation?: string; wrongKeys?: string };
  /** Reuse one signer across tests: RSA key generation is the slowest part of a start. */
  signer?: TestSigner;
}

export async function startTestBackend(options: TestBackendOptions = {}): Promise<TestBackend> {
  const target = options.database ?? sqliteTarget;
  const database: TestDatabase = await target.open({ migrations: false });
  const clock = { now: new Date('2026-11-28T10:00:00.000Z') };
  const now = () => clock.now;
  const signer = options.signer ?? (await createTestSigner('forge-test-key-1', TEST_API_BASE));
  const health = createFakeTokenHealth(now);
  const logs = createLogCapture();
  const config = loadConfig({
    DATABASE_URL: database.url,
    PAGEWIRE_FORGE_APP_ID: TEST_APP_ID,
    PAGEWIRE_MASTER_KEY: randomBytes(32).toString('base64'),
    PAGEWIRE_ATLASSIAN_API_BASE: TEST_API_BASE,
    PAGEWIRE_MODE: options.mode ?? 'in-house',
    PAGEWIRE_FORGE_ENVIRONMENTS: options.environments,
    LOG_LEVEL: options.logLevel ?? 'info',
    PAGEWIRE_INGEST_LIMIT_PER_KEY: options.ingestLimits?.perKey ?? 'off',
    PAGEWIRE_INGEST_LIMIT_PER_INSTALLATION: options.ingestLimits?.perInstallation ?? 'off',
    PAGEWIRE_INGEST_LIMIT_WRONG_KEYS: options.ingestLimits?.wrongKeys ?? 'off',
  });
  const logger =
    options.logLevel === 'silent'
      ? pino({ level: 'silent' })
      : createLogger({ level: config.logLevel, destination: logs.stream });
  // With sqlite::memory:, the test database handle and the backend are separate databases;
  // the backend migrates its own. On PostgreSQL both see the same fresh schema.
  const backend = await compose(config, {
    logger,
    checkApiTokenHealth: health.check,
    requiredApiTokenScopes: GRANTED_SCOPES,
    forgeKeys: signer.keys,
    now,
    monotonicNowMs: () => clock.now.getTime(),
    // The bare core unless a test asks for modules (the publishing engine, a recording scheduler).
    extensions: options.extensions ?? [],
    // Markdown renders on the test's thread; the macro gets a rendering only when a test wires one.
    markdownRenderer: createCachedRenderer(createInProcessRenderer()),
    renderMarkdown: options.renderMarkdown ?? null,
    backgroundJobs: false,
  });
  await backend.start();
  const http = request(backend.app);

  const tenants = new Map<string, TestTenant>();
  const harness: TestBackend = {
    backend,
    signer,
    health,
    logs,
    clock,
    http,
    tenant(name) {
      let tenant = tenants.get(name);
      if (tenant === undefined) {
        const suffix = `${name.padEnd(8, '0').slice(0, 8)}-0000-4000-8000-${String(tenants.size + 1).padStart(12, '0')}`;
        tenant = {
          installationId: installationAri(suffix),
          cloudId: `cloud-${name}`,
          siteUrl: `https://${name}.atlassian.net`,
        };
        tenants.set(name, tenant);
      }
      return tenant;
    },
    functionFit(tenant, adjust = {}) {
      return signer.mint(
        { installationId: tenant.installationId, cloudId: tenant.cloudId, ...adjust },
        { now: clock.now },
      );
    },
    contextFor(tenant, extra = {}) {
      return {
        cloudId: tenant.cloudId,
        accountId: 'user-1',
        siteUrl: tenant.siteUrl,
        spaceKey: 'ENG',
        spaceId: '98304',
        ...extra,
      };
    },
    async call(tenant, operation, input, context = {}) {
      return http
        .post(`/forge/v1/${operation}`)
        .set('authorization', `Bearer ${await harness.functionFit(tenant)}`)
        .send({ context: harness.contextFor(tenant, context), input });
    },
    async createIngestKey(tenant, spaceKey, source = 'ci') {
      const response = await harness.call(
        tenant,
        'ingestKeys.create',
        { source },
        { spaceKey, isSpaceAdmin: true },
      );
      if (response.status !== 200)
        throw new Error(`could not create an ingest key: ${response.status} ${response.text}`);
      return { id: response.body.data.id as string, key: response.body.data.key as string };
    },
    startInstallationPurge({ graceMs, intervalMs }) {
      return startInstallationPurgeJob({
        db: backend.context.db,
        installations: backend.context.repositories.installations,
        graceMs,
        now,
        logger: backend.context.logger,
        intervalMs,
      });
    },
    async close() {
      await backend.close();
      await database.dispose();
    },
  };
  return harness;
}
