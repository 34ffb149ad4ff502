import { ALL_CONFLUENCE_SCOPES, type DevApiClient, type SeededSite } from '@pagewire/devkit';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { createPacer, type Pacer } from '../../confluence/pacer';
import { createConfluenceClientResolver } from '../../publishing/confluence-client-resolver';
import type { ConfluenceClientResolver } from '../../publishing/confluence-gateway';
import { migrations } from '../../store/migrations';
import { createRepositories, type Repositories } from '../../store/repositories';
import type { ExportTables } from '../../store/schema';
import { sqliteTarget, type TestDatabase } from '../../store/testing/test-databases';
import type { ChangeAnnouncer, MirrorTarget } from '../page-mirror';
import { createMirrorRepository, type MirrorRepository } from '../store/mirror-repository';
import { createSyncRepository, type SyncRepository } from '../store/sync-repository';
import { createSyncEngine, type SyncEngine } from '../sync-engine';

export interface ExportHarness {
  site: SeededSite;
  target: MirrorTarget;
  database: TestDatabase;
  repositories: Repositories;
  spaces: SyncRepository;
  mirror: MirrorRepository;
  engine: SyncEngine;
  clock: { now: Date };
  /** The resolver the engine uses (app token, the emulator's gateway). */
  clientFor: ConfluenceClientResolver;
  /** Turns export on for the seeded space (queues the backfill). */
  enable(options?: { includeRestricted?: boolean }): Promise<void>;
  /** Runs due syncs as worker `owner` until none is due. */
  drain(owner?: string): Promise<number>;
  /** A second engine on the same database (another process after a crash). */
  engineWith(options: { clientFor?: ConfluenceClientResolver; leaseMs?: number }): SyncEngine;
  dispose(): Promise<void>;
}

/**
 * The export's sync engine on a fresh SQLite database against the devkit
 * emulator, credentials from the installation's app token: what the
 * integration tests and the export benchmark drive.
 */
export async function createExportHarness(options: {
  dev: DevApiClient;
  emulatorUrl: string;
  site?: SeededSite;
  /** The space's scoped API token stands in when the app token cannot. */
  apiToken?: boolean;
  pacer?: Pacer;
  readConcurrency?: number;
  listLimit?: number;
  /** Told of the changes the reconcile records (the webhooks, in the product). */
  announcer?: ChangeAnnouncer;
}): Promise<ExportHarness> {
  const { dev } = options;
  const site = options.site ?? (await dev.seedSite());
  const database = await sqliteTarget.open({ migrations: migrations });
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
  const clientFor = createConfluenceClientResolver({
    mode: 'in-house',
    sources: {
      async appToken() {
        return { token: appToken.token, expiresAt: new Date(appToken.expiresAt) };
      },
      async apiToken() {
        return options.apiToken
          ? { email: site.admin.email, token: site.scopedToken, grantedScopes: ALL_CONFLUENCE_SCOPES }
          : null;
      },
      async markApiTokenUsed() {},
    },
    installations: repositories.installations,
    allowedApiBase: options.emulatorUrl,
    pacer: options.pacer ?? createPacer(),
    retry: { baseDelayMs: 20, maxBackoffMs: 200 },
  });
  const db = database.database.db;
  const spaces = createSyncRepository(db);
  const mirror = createMirrorRepository(db);
  const clock = { now: new Date() };
  const engineWith = (overrides: { clientFor?: ConfluenceClientResolver; leaseMs?: number }) =>
    createSyncEngine({
      spaces,
      mirror,
      clientFor: overrides.clientFor ?? clientFor,
      activity: repositories.activity,
      logger: pino({ level: 'silent' }),
      now: () => clock.now,
      reconcileMs: 15 * 60_000,
      ...(overrides.leaseMs === undefined ? {} : { leaseMs: overrides.leaseMs }),
      ...(options.readConcurrency === undefined ? {} : { readConcurrency: options.readConcurrency }),
      ...(options.listLimit === undefined ? {} : { listLimit: options.listLimit }),
      ...(options.announcer === undefined ? {} : { announcer: options.announcer }),
    });
  const engine = engineWith({});
  const target = { installationId: site.installationId, spaceKey: site.space.key };
  return {
    site,
    target,
    database,
    repositories,
    spaces,
    mirror,
    engine,
    clock,
    clientFor,
    async enable(enableOptions = {}) {
      await spaces.configure(
        target,
        { enabled: true, includeRestricted: enableOptions.includeRestricted ?? false, spaceId: null },
        clock.now,
      );
    },
    async drain(owner = 'test-worker') {
      let ran = 0;
      while ((await engine.runNext(owner)) !== null) ran += 1;
      return ran;
    },
    engineWith,
    dispose: () => database.dispose(),
  };
}
