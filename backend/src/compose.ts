import type { AdfDocument } from '@pagewire/shared';
import { type AdfValidator, createAdfValidator } from '@pagewire/shared/adf-validator';
import { Router } from 'express';
import type { Logger } from 'pino';
import { adfToMarkdown } from './adf/adf-to-markdown';
import { adfToText } from './adf/adf-to-text';
import { createMarkdownRenderPool } from './adf/markdown-render-pool';
import { createCachedRenderer, type MarkdownRenderer } from './adf/markdown-renderer';
import { createFitVerifier, createForgeJwks, type FitKeys } from './auth/forge-invocation-token';
import { createFitReplayStore } from './auth/forge-invocation-token-replay';
import { createIngestAuthenticator } from './auth/ingest-key';
import { createRateLimitedIngestAuthenticator } from './auth/ingest-rate-limit';
import type { Backend, BackendContext, BackendExtension, ExtensionInstance } from './backend';
import type { Config } from './config/config';
import { createPacer } from './confluence/pacer';
import { startApiTokenRecheckJob } from './credentials/api-token-recheck-job';
import { type ApiTokenService, createApiTokenService } from './credentials/api-token-service';
import { type AppTokenStore, createAppTokenStore } from './credentials/app-token-store';
import type { ApiTokenHealthCheck, CredentialSources } from './credentials/credential-ports';
import { loadOrCreateDevMasterKey } from './credentials/dev-master-key';
import { createSecretBox, type SecretBox } from './credentials/secret-box';
import { checkApiTokenHealth, REQUIRED_API_TOKEN_SCOPES } from './credentials/token-health';
import { createUndecryptableSecretsCheck, UNDECRYPTABLE_ACTION } from './credentials/undecryptable-secrets';
import { createBlockEvents } from './domain/block-events';
import type { BackgroundJob } from './domain/periodic-job';
import { createSettingsEvents } from './domain/settings-events';
import { createExportExtension, type ExportModule } from './export/export-extension';
import { createApp } from './http/app';
import { createForgeRouter } from './http/forge-router';
import { createHealthRouter } from './http/health-router';
import { createIngestBlocksRouter } from './http/ingest-blocks-router';
import { createIngestRouter } from './http/ingest-router';
import { createJsonBodyMiddleware } from './http/json-body-middleware';
import { createOpenApiRouter } from './http/openapi/openapi-router';
import { createOperationHandlers, type OperationHandlers } from './http/operations';
import { createLogger } from './observability/logger';
import { createMetrics } from './observability/metrics';
import { createPublishingExtension } from './publishing/publishing-extension';
import { openDatabase } from './store/database';
import { startInstallationPurgeJob } from './store/installation-purge';
import { migrations as allMigrations, type NamedMigration } from './store/migrations';
import { migrateToLatest, pendingMigrations } from './store/migrator';
import { createRepositories } from './store/repositories';
import { createUseCases, type UseCases } from './use-cases';
import { createDeferredWork, type DeferredWork } from './use-cases/deferred-work';
import { noSnapshots } from './use-cases/ports';
import type { ReconcileAnnouncerPort } from './webhooks/page-mirror-port';
import { createWebhooksExtension } from './webhooks/webhooks-extension';

export type { Backend, BackendContext, BackendExtension, ExtensionInstance } from './backend';

/** What a caller may choose about the backend beyond its config; each default is what production runs. */
export interface ComposeOptions {
  /** The env record the config came from: the publishing engine reads its `PAGEWIRE_PUBLISH_*` knobs there. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where JSON logs go (stdout by default); ignored when `logger` is given. */
  logDestination?: NodeJS.WritableStream;
  logger?: Logger;
  /** Feature modules on the core; the publishing engine by default. `[]`: the bare core. */
  extensions?: readonly BackendExtension[];
  /** The API-token check (tests: a fake) and the scopes the settings page asks for. */
  checkApiTokenHealth?: ApiTokenHealthCheck;
  requiredApiTokenScopes?: readonly string[];
  /** Overrides the remote Forge key set (unit tests sign FITs with local keys). */
  forgeKeys?: FitKeys;
  now?: () => Date;
  /** The clock the ingest rate limits refill by; `performance.now` by default. */
  monotonicNowMs?: () => number;
  /** A renderer the caller owns (tests: in process); by default compose starts and closes the render pool. */
  markdownRenderer?: MarkdownRenderer;
  /** What `blocks.get` renders Markdown with; by default the renderer; null: no rendering for the macro. */
  renderMarkdown?: ((markdown: string) => Promise<AdfDocument>) | null;
  /** A compiled ADF validator to share (tests); by default one is compiled on first use. */
  adfValidator?: AdfValidator;
  /** Whether to run the API-token re-check and uninstall purge timers (default true). */
  backgroundJobs?: boolean;
}

/** The core the use cases, the extensions and the edges are built on. */
interface Core {
  context: BackendContext;
  appTokens: AppTokenStore;
  apiTokens: ApiTokenService;
  secretBox: SecretBox;
  migrations: NamedMigration[];
}

/**
 * The composition root: builds every part of the backend from the config and
 * wires them together, in the order they depend on each other: the core
 * (database, repositories, credentials), the feature modules on it, the use
 * cases (given the modules' snapshot scheduler), the HTTP edge, the jobs.
 * main.ts and startBackend (index.ts) serve what it returns; tests build it
 * with overrides (testing/test-backend.ts).
 */
export async function compose(config: Config, options: ComposeOptions = {}): Promise<Backend> {
  const logger =
    options.logger ?? createLogger({ level: config.logLevel, destination: options.logDestination });
  const extensions = options.extensions ?? defaultExtensions(options.env ?? {}, config.databaseUrl);
  const ownedRenderer =
    options.markdownRenderer === undefined
      ? createCachedRenderer(
          createMarkdownRenderPool({
            ...config.render,
            logger: logger.child({ component: 'markdown-render' }),
          }),
        )
      : null;
  const markdownRenderer = options.markdownRenderer ?? ownedRenderer!;
  const cleanUp: Array<() => Promise<void>> = [async () => ownedRenderer?.close()];
  try {
    const core = await openCore(config, { ...options, logger, markdownRenderer, extensions }, cleanUp);
    const instances = await setUpExtensions(extensions, core.context, cleanUp);
    const deferred = createDeferredWork({
      logger,
      onFailure: (work) => core.context.metrics.deferredWorkFailures.inc({ work }),
    });
    const useCases = composeUseCases(core, instances, deferred, options);
    const app = composeHttp(core, useCases, instances, options);
    const jobs = options.backgroundJobs === false ? [] : startCoreJobs(core, extensions);
    return {
      app,
      context: core.context,
      appTokens: core.appTokens,
      apiTokens: core.apiTokens,
      secretBox: core.secretBox,
      async start() {
        for (const instance of instances) await instance.start?.();
      },
      settled: () => deferred.settled(),
      async close() {
        await deferred.settled();
        await Promise.all(jobs.map((job) => job.stop()));
        for (const stop of cleanUp) await stop();
      },
    };
  } catch (error) {
    for (const stop of cleanUp) await stop().catch(() => {});
    throw error;
  }
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

/**
 * The database (migrated with every module's migrations), the repositories,
 * the credential stores and what the modules share. The database's close
 * goes first into `cleanUp`; the modules' closes go in before it.
 */
async function openCore(
  config: Config,
  options: ComposeOptions & {
    logger: Logger;
    markdownRenderer: MarkdownRenderer;
    extensions: readonly BackendExtension[];
  },
  cleanUp: Array<() => Promise<void>>,
): Promise<Core> {
  const { logger } = options;
  const now = options.now ?? (() => new Date());
  const keys = masterKeysFor(config, logger);
  const database = await openDatabase(config.databaseUrl);
  cleanUp.unshift(() => database.close());
  // Every table of every area, the feature modules' included: one list in store/migrations.
  const migrations = [...allMigrations];
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
  const apiBase = config.atlassianApiBase.href.replace(/\/+$/, '');
  const apiTokens = createApiTokenService({
    mode: config.mode,
    apiTokens: repositories.apiTokens,
    installations: repositories.installations,
    activity: repositories.activity,
    secretBox,
    checkHealth: options.checkApiTokenHealth ?? ((input) => checkApiTokenHealth({ apiBase }, input)),
    now,
    logger,
    metrics,
  });
  metrics.registerQueue('api_token_checks', () => repositories.apiTokens.countDue(now()));
  metrics.registerExpiringTokens(() => apiTokens.countExpiring());
  const context: BackendContext = {
    config,
    database,
    db: database.db,
    repositories,
    credentialSources: credentialSourcesOf(appTokens, apiTokens),
    blockEvents: createBlockEvents(),
    settingsEvents: createSettingsEvents(),
    ingestAuthenticator: createRateLimitedIngestAuthenticator({
      authenticator: createIngestAuthenticator({ ingestKeys: repositories.ingestKeys, now }),
      limits: config.ingestLimits,
      nowMs: options.monotonicNowMs ?? (() => performance.now()),
    }),
    logger,
    metrics,
    now,
    markdownRenderer: options.markdownRenderer,
    // The process's one ADF validator: compiled on the first ADF it checks (createAdfValidator is lazy).
    adfValidator: options.adfValidator ?? createAdfValidator(),
    jsonBody: createJsonBodyMiddleware,
    secretBox,
    // One verifier (one cached key set) for the Forge router and any module's own Forge endpoint.
    fitVerifier: createFitVerifier({
      appId: config.forge.appId,
      keys: options.forgeKeys ?? createForgeJwks(config.forge.jwksUrl),
      environments: config.forge.environments,
      atlassianApiBase: config.atlassianApiBase,
      now,
    }),
  };
  return { context, appTokens, apiTokens, secretBox, migrations };
}

function credentialSourcesOf(appTokens: AppTokenStore, apiTokens: ApiTokenService): CredentialSources {
  return {
    appToken: (installationId) => appTokens.appToken(installationId),
    apiToken: (installationId, spaceKey) => apiTokens.apiToken(installationId, spaceKey),
    markApiTokenUsed: (installationId, spaceKey, at) =>
      apiTokens.markApiTokenUsed(installationId, spaceKey, at),
    refuseAppToken: (installationId, token) => appTokens.refuse(installationId, token),
  };
}

/** Sets up each module in order; each one's close runs before the database closes, the last first. */
async function setUpExtensions(
  extensions: readonly BackendExtension[],
  context: BackendContext,
  cleanUp: Array<() => Promise<void>>,
): Promise<ExtensionInstance[]> {
  const instances: ExtensionInstance[] = [];
  for (const extension of extensions) {
    const instance = await extension.setup(context);
    instances.push(instance);
    if (instance.close !== undefined) cleanUp.unshift(() => instance.close!());
  }
  return instances;
}

function composeUseCases(
  core: Core,
  instances: readonly ExtensionInstance[],
  deferred: DeferredWork,
  options: ComposeOptions,
): UseCases {
  const { context } = core;
  const { config, repositories } = context;
  const renderer = context.markdownRenderer;
  return createUseCases({
    stores: repositories,
    appTokens: core.appTokens,
    apiTokens: core.apiTokens,
    snapshots: instances.find((instance) => instance.snapshots !== undefined)?.snapshots ?? noSnapshots,
    exportSettings: instances.find((instance) => instance.exportSettings !== undefined)?.exportSettings,
    deferred,
    blockEvents: context.blockEvents,
    settingsEvents: context.settingsEvents,
    renderMarkdown:
      options.renderMarkdown === undefined
        ? async (markdown) => (await renderer.render(markdown)).document
        : options.renderMarkdown,
    mode: config.mode,
    atlassianApiBase: config.atlassianApiBase,
    requiredApiTokenScopes: options.requiredApiTokenScopes ?? REQUIRED_API_TOKEN_SCOPES,
    publicUrl: config.publicUrl ?? null,
    uninstallGraceMs: config.uninstallGraceMs,
    now: context.now,
    logger: context.logger,
  });
}

/** The HTTP edge: health, the Forge operations, the ingest routes, the API reference and the modules' routes. */
function composeHttp(
  core: Core,
  useCases: UseCases,
  instances: readonly ExtensionInstance[],
  options: ComposeOptions,
) {
  const { config, database, logger, metrics, now } = core.context;
  const handlers: OperationHandlers = Object.assign(
    createOperationHandlers({ useCases }),
    ...instances.map((instance) => instance.operations ?? {}),
  );
  const verifier = core.context.fitVerifier;
  const authenticator = core.context.ingestAuthenticator;
  return createApp({
    logger,
    metrics,
    routers: {
      health: composeHealthRouter(core),
      forge: createForgeRouter({
        verifier,
        replay: createFitReplayStore(database.db, now),
        handlers,
        appTokens: core.appTokens,
        lifecycle: useCases.lifecycle,
        metrics,
        logger,
      }),
      // Reads and deletes first: the write router answers every other method on a block with 405.
      ingest: Router().use(
        createIngestBlocksRouter({ authenticator, blocks: useCases.blocks }),
        createIngestRouter({
          authenticator,
          blocks: useCases.blocks,
          adfValidator: core.context.adfValidator,
          metrics,
          logger,
        }),
      ),
      extra: [
        createOpenApiRouter(),
        ...instances.flatMap((instance) => (instance.router === undefined ? [] : [instance.router])),
      ],
    },
  });
}

function composeHealthRouter(core: Core) {
  const { database, repositories, metrics, logger, now } = core.context;
  const undecryptableSecrets = createUndecryptableSecretsCheck({
    apiTokens: repositories.apiTokens,
    appTokens: repositories.appTokens,
    secretBox: core.secretBox,
    now,
  });
  return createHealthRouter({
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
      const pending = await pendingMigrations(database, core.migrations);
      return pending.length === 0
        ? { ready: true }
        : { ready: false, reason: `Migrations not applied yet: ${pending.join(', ')}.` };
    },
  });
}

function startCoreJobs(core: Core, extensions: readonly BackendExtension[]): BackgroundJob[] {
  const { config, database, repositories, logger, now } = core.context;
  return [
    startApiTokenRecheckJob({ service: core.apiTokens, logger }),
    startInstallationPurgeJob({
      db: database.db,
      installations: repositories.installations,
      graceMs: config.uninstallGraceMs,
      now,
      logger,
      extensionTables: extensions.flatMap((extension) => extension.tenantTables ?? []),
    }),
  ];
}

/**
 * The whole product: the publishing engine, the export and the webhooks (fed
 * by the export's mirror); the first two call Confluence through one pacer: on SQLite (one process) a shared in-memory one, on
 * PostgreSQL the pacer store both draw on (one budget per credential across replicas).
 */
function defaultExtensions(
  env: Readonly<Record<string, string | undefined>>,
  databaseUrl: string,
): BackendExtension[] {
  const pacer = databaseUrl.startsWith('sqlite:') ? createPacer() : undefined;
  const shared = pacer === undefined ? {} : { pacer };
  // The export serves Markdown and text through the ADF mappings of backend/src/adf.
  const formatter = { markdown: adfToMarkdown, text: adfToText };
  // Content events refresh pages through the export's mirror (set once the export is set up), and the
  // changes the export's reconcile finds are announced by the webhooks (set once they are set up).
  let mirror: ExportModule | undefined;
  let announcer: ReconcileAnnouncerPort | undefined;
  const exportExtension = createExportExtension({
    ...shared,
    formatter,
    onReady: (module) => (mirror = module),
    announcer: { announce: async (change) => announcer?.announce(change) },
  });
  const webhooks = createWebhooksExtension({
    env,
    mirror: () => ({
      refreshPage: async (installationId, spaceId, pageId) =>
        mirror === undefined ? null : mirror.refreshPage(installationId, spaceId, pageId),
    }),
    onReady: (ports) => (announcer = ports.announcer),
  });
  return [createPublishingExtension({ env, ...shared }), exportExtension, webhooks];
}
