import type { AdfDocument } from '@pagewire/shared';
import { type AdfValidator, createAdfValidator } from '@pagewire/shared/adf-validator';
import { type Express, Router } from 'express';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import {
  createFitVerifier,
  createForgeJwks,
  type FitKeys,
  type FitVerifier,
} from './auth/forge-invocation-token';
import { createFitReplayStore } from './auth/forge-invocation-token-replay';
import { createIngestAuthenticator } from './auth/ingest-key';
import {
  createRateLimitedIngestAuthenticator,
  type RateLimitedIngestAuthenticator,
} from './auth/ingest-rate-limit';
import type { Config } from './config/config';
import { type BackgroundJob, startApiTokenRecheckJob } from './credentials/api-token-recheck-job';
import { type ApiTokenService, createApiTokenService } from './credentials/api-token-service';
import { type AppTokenStore, createAppTokenStore } from './credentials/app-token-store';
import type { ApiTokenHealthCheck, CredentialSources } from './credentials/credential-ports';
import { loadOrCreateDevMasterKey } from './credentials/dev-master-key';
import { createSecretBox, type SecretBox } from './credentials/secret-box';
import { createUndecryptableSecretsCheck, UNDECRYPTABLE_ACTION } from './credentials/undecryptable-secrets';
import {
  type BlockEvents,
  createBlockEvents,
  createPlacementEvents,
  type PlacementEvents,
} from './domain/block-events';
import { createSettingsEvents, type SettingsEvents } from './domain/settings-events';
import { createApp } from './http/app';
import { createForgeRouter } from './http/forge-router';
import { createHealthRouter } from './http/health-router';
import { createIngestBlocksRouter } from './http/ingest-blocks-router';
import { createIngestRouter } from './http/ingest-router';
import { createJsonBodyMiddleware } from './http/json-body-middleware';
import { createOpenApiRouter } from './http/openapi/openapi-router';
import { createOperationHandlers, type OperationHandlers } from './http/operations';
import { createMetrics, type Metrics } from './observability/metrics';
import {
  createCachedRenderer,
  createInProcessRenderer,
  type MarkdownRenderer,
} from './publishing/adf/markdown-renderer';
import { type Database, openDatabase } from './store/database';
import { startInstallationPurgeJob } from './store/installation-purge';
import { coreMigrations, type NamedMigration } from './store/migrations';
import { migrateToLatest, pendingMigrations } from './store/migrator';
import { createRepositories, type Repositories } from './store/repositories';
import type { CoreTables } from './store/schema';

/**
 * What another part of the backend (the publishing engine) gets to build on:
 * the same database and migration runner, the repositories, the credential
 * sources, block-change events, the ingest authenticator for its own routes,
 * logs and metrics. See docs/BACKEND.md, "Extending the backend".
 */
export interface BackendContext {
  readonly config: Config;
  readonly database: Database;
  readonly db: Kysely<CoreTables>;
  readonly repositories: Repositories;
  readonly credentialSources: CredentialSources;
  /** Seals and opens secrets at rest with the master key (an extension's own secrets get their own binding kind). */
  readonly secretBox: SecretBox;
  /** Verifies Forge invocation tokens, for an extension's own Forge endpoint (the content-event trigger). */
  readonly fitVerifier: FitVerifier;
  readonly blockEvents: BlockEvents;
  readonly settingsEvents: SettingsEvents;
  readonly placementEvents: PlacementEvents;
  readonly ingestAuthenticator: RateLimitedIngestAuthenticator;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now: () => Date;
  /** Markdown→ADF off the HTTP thread, under a time budget (the render pool), shared by everything that renders. */
  readonly markdownRenderer: MarkdownRenderer;
  /** JSON body parsing with the backend's 415/413 behaviour, for an extension's own routes. */
  jsonBody(limitBytes: number): ReturnType<typeof createJsonBodyMiddleware>;
}

export interface BackendExtension {
  readonly name: string;
  /** Applied after the core migrations, in the same recorded, ordered run; names must sort after them. */
  readonly migrations?: readonly NamedMigration[];
  /** Its tables keyed by `installation_id`: emptied for an installation when the uninstall purge removes it. */
  readonly tenantTables?: readonly string[];
  setup(context: BackendContext): Promise<ExtensionInstance> | ExtensionInstance;
}

export interface ExtensionInstance {
  /** Mounted after the core routers, before the 404 handler. */
  readonly router?: Router;
  /**
   * Starts background work (the publishing worker). Called by `Backend.start`
   * after the HTTP server listens, so no amount of queued work can delay the
   * first answer to /healthz.
   */
  start?(): Promise<void> | void;
  /** Forge operations the extension answers (the publishing engine's `pages.*`), replacing the core's placeholders. */
  readonly operations?: Partial<OperationHandlers>;
  /** Stopped before the database closes (drain a queue, stop a worker). */
  close?(): Promise<void>;
}

export interface BackendDeps {
  config: Config;
  logger: Logger;
  /** `checkApiTokenHealth` with its deps bound (see index.ts). */
  checkApiTokenHealth: ApiTokenHealthCheck;
  requiredApiTokenScopes: readonly string[];
  /** Overrides the remote Forge key set (unit tests sign FITs with local keys). */
  forgeKeys?: FitKeys;
  now?: () => Date;
  /** The clock the ingest rate limits refill by; `performance.now` by default. */
  monotonicNowMs?: () => number;
  extensions?: readonly BackendExtension[];
  /**
   * The render pool (index.ts owns and closes it). Without one, Markdown is
   * rendered on the calling thread: for tests only.
   */
  markdownRenderer?: MarkdownRenderer;
  /** Overrides what `blocks.get` renders Markdown blocks with (tests); by default `markdownRenderer`, when given. */
  renderMarkdown?: (markdown: string) => Promise<AdfDocument>;
  /** A compiled ADF validator to share (tests); by default one is compiled on first use. */
  adfValidator?: AdfValidator;
  /** Whether to run the hourly API-token re-check timer (default true). */
  backgroundJobs?: boolean;
}

export interface Backend {
  readonly app: Express;
  readonly context: BackendContext;
  readonly appTokens: AppTokenStore;
  readonly apiTokens: ApiTokenService;
  readonly secretBox: SecretBox;
  /** Starts the extensions' background work; call it once the HTTP server listens. */
  start(): Promise<void>;
  /** Stops jobs and extensions, then closes the database. The HTTP server is the caller's. */
  close(): Promise<void>;
}

function masterKeysFor(config: Config, logger: Logger): { current: Buffer; previous: readonly Buffer[] } {
  if (config.masterKeys.current !== null) {
    return { current: config.masterKeys.current, previous: config.masterKeys.previous };
  }
  if (!config.dev) throw new Error('PAGEWIRE_MASTER_KEY is required outside development');
  const { key, path, created } = loadOrCreateDevMasterKey(config.dataDir);
  logger.warn(
    { path, created },
    `PAGEWIRE_MASTER_KEY is not set: secrets are encrypted with a DEVELOPMENT key ${created ? 'generated into' : 'read from'} ${path}. FOR LOCAL USE ONLY: anyone who can read that file can read every stored token. Set PAGEWIRE_MASTER_KEY (openssl rand -base64 32) anywhere else.`,
  );
  return { current: key, previous: config.masterKeys.previous };
}

/** The composition root: builds every part from the config and wires them together. */
export async function createBackend(deps: BackendDeps): Promise<Backend> {
  const { config, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const extensions = deps.extensions ?? [];

  const keys = masterKeysFor(config, logger);
  const database = await openDatabase(config.databaseUrl);
  const stopOnFailure: Array<() => Promise<void>> = [() => database.close()];
  try {
    const migrations = [...coreMigrations, ...extensions.flatMap((extension) => extension.migrations ?? [])];
    const applied = await migrateToLatest(database, migrations);
    logger.info({ database: database.description, applied }, 'database ready');

    const metrics = createMetrics();
    const repositories = createRepositories(database.db);
    const secretBox = createSecretBox(keys);
    const appTokens = createAppTokenStore({
      repository: repositories.appTokens,
      secretBox,
      now,
      logger,
      metrics,
    });
    const apiTokens = createApiTokenService({
      mode: config.mode,
      apiTokens: repositories.apiTokens,
      installations: repositories.installations,
      activity: repositories.activity,
      secretBox,
      checkHealth: deps.checkApiTokenHealth,
      now,
      logger,
      metrics,
    });
    const credentialSources: CredentialSources = {
      appToken: (installationId) => appTokens.appToken(installationId),
      apiToken: (installationId, spaceKey) => apiTokens.apiToken(installationId, spaceKey),
      markApiTokenUsed: (installationId, spaceKey, at) =>
        apiTokens.markApiTokenUsed(installationId, spaceKey, at),
      refuseAppToken: (installationId, token) => appTokens.refuse(installationId, token),
    };
    const blockEvents = createBlockEvents();
    const settingsEvents = createSettingsEvents();
    const placementEvents = createPlacementEvents();
    // Compiled on the first ADF block, not at start (createAdfValidator is lazy).
    const adfValidator: AdfValidator = deps.adfValidator ?? createAdfValidator();
    const ingestAuthenticator = createRateLimitedIngestAuthenticator({
      authenticator: createIngestAuthenticator({ ingestKeys: repositories.ingestKeys, now }),
      limits: config.ingestLimits,
      nowMs: deps.monotonicNowMs ?? (() => performance.now()),
    });

    metrics.registerQueue('api_token_checks', () => repositories.apiTokens.countDue(now()));
    metrics.registerExpiringTokens(() => apiTokens.countExpiring());

    const verifier = createFitVerifier({
      appId: config.forge.appId,
      keys: deps.forgeKeys ?? createForgeJwks(config.forge.jwksUrl),
      environments: config.forge.environments,
      atlassianApiBase: config.atlassianApiBase,
      now,
    });
    const context: BackendContext = {
      config,
      database,
      db: database.db,
      repositories,
      credentialSources,
      secretBox,
      fitVerifier: verifier,
      blockEvents,
      settingsEvents,
      placementEvents,
      ingestAuthenticator,
      logger,
      metrics,
      now,
      markdownRenderer: deps.markdownRenderer ?? createCachedRenderer(createInProcessRenderer()),
      jsonBody: createJsonBodyMiddleware,
    };

    const instances: ExtensionInstance[] = [];
    for (const extension of extensions) {
      const instance = await extension.setup(context);
      instances.push(instance);
      if (instance.close !== undefined) stopOnFailure.unshift(() => instance.close!());
    }

    const coreHandlers = createOperationHandlers({
      repositories,
      appTokens,
      apiTokens,
      mode: config.mode,
      atlassianApiBase: config.atlassianApiBase,
      requiredApiTokenScopes: deps.requiredApiTokenScopes,
      uninstallGraceMs: config.uninstallGraceMs,
      publicUrl: config.publicUrl,
      now,
      settingsEvents,
      placementEvents,
      renderMarkdown:
        deps.renderMarkdown ??
        (deps.markdownRenderer === undefined
          ? undefined
          : async (markdown) => (await context.markdownRenderer.render(markdown)).document),
      logger,
    });
    const handlers: OperationHandlers = Object.assign(
      coreHandlers,
      ...instances.map((instance) => instance.operations ?? {}),
    );
    const allMigrations = migrations;
    const undecryptableSecrets = createUndecryptableSecretsCheck({
      apiTokens: repositories.apiTokens,
      appTokens: repositories.appTokens,
      secretBox,
      now,
    });
    const app = createApp({
      logger,
      metrics,
      routers: {
        health: createHealthRouter({
          metrics,
          logger,
          async warnings() {
            const { apiTokens: api, appTokens: app } = await undecryptableSecrets.count();
            const count = api + app;
            return count === 0
              ? []
              : [{ code: 'undecryptable_secrets' as const, count, action: UNDECRYPTABLE_ACTION }];
          },
          async readiness() {
            await database.ping();
            const pending = await pendingMigrations(database, allMigrations);
            return pending.length === 0
              ? { ready: true }
              : { ready: false, reason: `Migrations not applied yet: ${pending.join(', ')}.` };
          },
        }),
        forge: createForgeRouter({
          verifier,
          replay: createFitReplayStore(database.db, now),
          handlers,
          appTokens,
          installations: repositories.installations,
          atlassianApiBase: config.atlassianApiBase,
          metrics,
          logger,
          now,
        }),
        // Reads and deletes first: the write router answers every other method on a block with 405.
        ingest: Router().use(
          createIngestBlocksRouter({
            authenticator: ingestAuthenticator,
            blocks: repositories.blocks,
            placements: repositories.placements,
            activity: repositories.activity,
            now,
          }),
          createIngestRouter({
            authenticator: ingestAuthenticator,
            blocks: repositories.blocks,
            activity: repositories.activity,
            blockEvents,
            adfValidator,
            metrics,
            logger,
            now,
          }),
        ),
        extra: [
          createOpenApiRouter(),
          ...instances.flatMap((instance) => (instance.router === undefined ? [] : [instance.router])),
        ],
      },
    });

    const jobs: BackgroundJob[] =
      deps.backgroundJobs === false
        ? []
        : [
            startApiTokenRecheckJob({ service: apiTokens, logger }),
            startInstallationPurgeJob({
              db: database.db,
              installations: repositories.installations,
              graceMs: config.uninstallGraceMs,
              now,
              logger,
              extensionTables: extensions.flatMap((extension) => extension.tenantTables ?? []),
            }),
          ];

    return {
      app,
      context,
      appTokens,
      apiTokens,
      secretBox,
      async start() {
        for (const instance of instances) await instance.start?.();
      },
      async close() {
        await Promise.all(jobs.map((job) => job.stop()));
        for (const instance of [...instances].reverse()) await instance.close?.();
        await database.close();
      },
    };
  } catch (error) {
    for (const stop of stopOnFailure) await stop().catch(() => {});
    throw error;
  }
}
