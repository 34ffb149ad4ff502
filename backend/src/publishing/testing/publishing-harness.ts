import {
  ALL_CONFLUENCE_SCOPES,
  type DevApiClient,
  type PageSnapshot,
  type RequestLogEntry,
  type SeededSite,
} from '@pagewire/devkit';
import { declareEmulator } from '@pagewire/devkit/testing';
import {
  type JobView,
  type PageIngestBodyInput,
  pageIngestBodySchema,
  terminalJobStates,
} from '@pagewire/shared';
import { createAdfValidator } from '@pagewire/shared/adf-validator';
import { pino } from 'pino';
import { afterEach } from 'vitest';
import type { IngestPrincipal } from '../../auth/ingest-key';
import type { PublishingConfig } from '../../config/publishing-config';
import type { ConfluenceEndpoint } from '../../confluence/endpoint-scopes';
import { createPacer } from '../../confluence/pacer';
import type { BlockEvents } from '../../domain/block-events';
import { migrations } from '../../store/migrations';
import { createRepositories, type Repositories } from '../../store/repositories';
import { sqliteTarget, type TestDatabase, type TestDatabaseTarget } from '../../store/testing/test-databases';
import { createConfluenceClientResolver } from '../confluence-client-resolver';
import type { ConfluenceClientResolver, PublishTarget } from '../confluence-gateway';
import { createPublishingService, type PublishingService } from '../publishing-service';

/** One validator for every harness in a test file, as a process has one: its schema compiles once. */
const adfValidator = createAdfValidator();

/** Test settings: short leases and backoff so retries happen within a test's patience. */
export const fastPublishingConfig: Partial<PublishingConfig> = {
  concurrency: 4,
  leaseMs: 5_000,
  heartbeatMs: 1_000,
  pollMs: 50,
  maxAttempts: 12,
  retryBaseMs: 50,
  retryMaxMs: 1_000,
  // Tests flush the homepage index by hand (service.flushPageIndex, or stop)
  // so that no background write lands between a test's "before" and "after".
  indexFlushMs: 3_600_000,
};

export interface HarnessOptions {
  dev: DevApiClient;
  emulatorUrl: string;
  /** Reuse a site (a second backend on the same Confluence); a fresh one is seeded otherwise. */
  site?: SeededSite;
  database?: TestDatabaseTarget;
  /** Reuse a database (a second backend on the same queue); a fresh one is opened otherwise. */
  databaseHandle?: TestDatabase;
  config?: Partial<PublishingConfig>;
  /** Configure the space's scoped API token (the only credential that can add labels). */
  apiToken?: boolean;
  /** The scopes that token holds (seed the site with the same `tokenScopes`); ALL_CONFLUENCE_SCOPES by default. */
  apiTokenScopes?: readonly string[];
  /** Called before each Confluence call the engine makes: lets a test act "between read and write". */
  beforeCall?: (operation: ConfluenceEndpoint, target: PublishTarget) => Promise<void> | void;
  fetch?: typeof fetch;
  owner?: string;
  /** Block changes published here queue snapshot refreshes, as the blocks use case does. */
  blockEvents?: BlockEvents;
}

export interface PublishingHarness {
  site: SeededSite;
  service: PublishingService;
  /** The Confluence access the service publishes with (for operations that call Confluence themselves). */
  clientFor: ConfluenceClientResolver;
  repositories: Repositories;
  database: TestDatabase;
  principal: IngestPrincipal;
  /** Queues a page as the ingest route would (defaults filled in by the contract's schema). */
  publish(
    externalId: string,
    body: Omit<PageIngestBodyInput, 'spaceKey'> & { spaceKey?: string },
  ): Promise<string>;
  job(jobId: string): Promise<JobView>;
  /** Polls until the job reaches a final state (or the deadline passes). */
  settle(jobId: string, timeoutMs?: number): Promise<JobView>;
  /** Pages of the site other than the space homepage, with every version. */
  pages(): Promise<PageSnapshot[]>;
  requestsSince(seq: number): Promise<RequestLogEntry[]>;
  lastRequestSeq(): Promise<number>;
  dispose(options?: { keepDatabase?: boolean }): Promise<void>;
}

export async function createPublishingHarness(options: HarnessOptions): Promise<PublishingHarness> {
  const { dev } = options;
  const site = options.site ?? (await dev.seedSite());
  const database =
    options.databaseHandle ??
    (await (options.database ?? sqliteTarget).open({
      migrations: migrations,
    }));
  const repositories = createRepositories(database.database.db);
  await repositories.installations.record(
    {
      installationId: site.installationId,
      cloudId: site.cloudId,
      apiBaseUrl: dev.gatewayUrl(site.cloudId),
      environmentType: 'DEVELOPMENT',
    },
    new Date(),
  );
  const appToken = await dev.mintAppToken({ installationId: site.installationId, ttlSeconds: 4 * 3600 });
  const resolve = createConfluenceClientResolver({
    mode: 'in-house',
    sources: {
      async appToken() {
        return { token: appToken.token, expiresAt: new Date(appToken.expiresAt) };
      },
      async apiToken() {
        return options.apiToken
          ? {
              email: site.admin.email,
              token: site.scopedToken,
              grantedScopes: options.apiTokenScopes ?? ALL_CONFLUENCE_SCOPES,
            }
          : null;
      },
      async markApiTokenUsed() {},
    },
    installations: repositories.installations,
    allowedApiBase: options.emulatorUrl,
    pacer: createPacer(),
    // Retries inside the client wait seconds in production; a test keeps them short.
    retry: { baseDelayMs: 20, maxBackoffMs: 200 },
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const clientFor: ConfluenceClientResolver = {
    forJob() {
      const job = resolve.forJob();
      return {
        async clientFor(target, endpoint) {
          await options.beforeCall?.(endpoint, target);
          return job.clientFor(target, endpoint);
        },
      };
    },
  };
  const service = createPublishingService({
    database: database.database,
    repositories,
    clientFor,
    logger: pino({ level: 'silent' }),
    config: { ...fastPublishingConfig, ...options.config },
    adfValidator,
    ...(options.owner === undefined ? {} : { owner: options.owner }),
  });
  // What the blocks use case does on a changed block (use-cases/blocks.ts), for tests that publish events by hand.
  options.blockEvents?.subscribe(async (event) => {
    await service.snapshots.refreshBlock({
      installationId: event.installationId,
      spaceKey: event.spaceKey,
      blockKey: event.key,
      source: event.source,
    });
  });
  const principal: IngestPrincipal = {
    keyId: 'test-key',
    installationId: site.installationId,
    spaceKey: site.space.key,
    source: 'ci',
  };

  let disposed = false;
  const harness: PublishingHarness = {
    site,
    service,
    repositories,
    database,
    principal,
    clientFor,
    async publish(externalId, body) {
      const parsed = pageIngestBodySchema.parse({ spaceKey: site.space.key, ...body });
      return (await service.acceptPage(principal, externalId, parsed)).id;
    },
    async job(jobId) {
      const view = await service.findJob(principal, jobId);
      if (view === null) throw new Error(`no job ${jobId}`);
      return view;
    },
    async settle(jobId, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const view = await harness.job(jobId);
        if (terminalJobStates.has(view.state)) return view;
        if (Date.now() > deadline)
          throw new Error(`job ${jobId} still ${view.state}: ${JSON.stringify(view)}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async pages() {
      return (await dev.pages(site.cloudId)).filter((page) => page.id !== site.space.homepageId);
    },
    async requestsSince(seq) {
      return (await dev.requests({ cloudId: site.cloudId })).filter((entry) => entry.seq > seq);
    },
    async lastRequestSeq() {
      const all = await dev.requests();
      return all.at(-1)?.seq ?? 0;
    },
    async dispose({ keepDatabase = false } = {}) {
      // A test may end a harness early (a backend that lost its database); the suite's cleanup then skips it.
      if (disposed) return;
      disposed = true;
      await service.stop();
      if (!keepDatabase && options.databaseHandle === undefined) await database.dispose();
    },
  };
  return harness;
}

export interface PublishingHarnesses {
  /** The file's emulator (set once its `beforeAll` ran). */
  readonly dev: DevApiClient;
  readonly emulatorUrl: string;
  /** A harness on the file's emulator (not started), disposed after the test. */
  open(options?: Partial<HarnessOptions>): Promise<PublishingHarness>;
}

/**
 * What every publishing suite declares: one emulator per file, harnesses on
 * it disposed after each test, and its faults and rate limits back to the
 * emulator's defaults (100 requests/s, 65,000 points/h) so no test inherits
 * another's weather.
 */
export function declarePublishingHarnesses(): PublishingHarnesses {
  const env = declareEmulator();
  const opened: PublishingHarness[] = [];
  afterEach(async () => {
    await env.dev.clearFaults();
    await env.dev.setLimits({ burstPerSecond: 100, quotaPointsPerHour: 65_000 });
    while (opened.length > 0) await opened.pop()!.dispose();
  });
  return {
    get dev() {
      return env.dev;
    },
    get emulatorUrl() {
      return env.emulator.url;
    },
    async open(options = {}) {
      const harness = await createPublishingHarness({
        dev: env.dev,
        emulatorUrl: env.emulator.url,
        ...options,
      });
      opened.push(harness);
      return harness;
    },
  };
}

/** Writes to pages (create, update, delete) in a request log: what "no write" and "one write" count. */
/**
 * Waits until the harness's queue holds nothing due or in hand (snapshot jobs
 * have no public id to wait for); fails after 20 s.
 */
export async function drainQueue(harness: PublishingHarness): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const items = await harness.service.queue.countWorkByState();
    if ((items.ready ?? 0) === 0 && (items.leased ?? 0) === 0) return;
    if (Date.now() > deadline) throw new Error(`queue not drained: ${JSON.stringify(items)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function pageWrites(requests: readonly RequestLogEntry[]): RequestLogEntry[] {
  return requests.filter(
    (entry) => entry.method !== 'GET' && /\/wiki\/api\/v2\/pages(\/\d+)?$/.test(entry.path),
  );
}

/** Every write of any kind (pages, properties, labels). */
export function anyWrites(requests: readonly RequestLogEntry[]): RequestLogEntry[] {
  return requests.filter((entry) => entry.method !== 'GET');
}
