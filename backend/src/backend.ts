import type { AdfValidator } from '@pagewire/shared/adf-validator';
import type { Express, Router } from 'express';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { MarkdownRenderer } from './adf/markdown-renderer';
import type { FitVerifier } from './auth/forge-invocation-token';
import type { RateLimitedIngestAuthenticator } from './auth/ingest-rate-limit';
import type { Config } from './config/config';
import type { ApiTokenService } from './credentials/api-token-service';
import type { AppTokenStore } from './credentials/app-token-store';
import type { CredentialSources } from './credentials/credential-ports';
import type { SecretBox } from './credentials/secret-box';
import type { BlockEvents } from './domain/block-events';
import type { SettingsEvents } from './domain/settings-events';
import type { createJsonBodyMiddleware } from './http/json-body-middleware';
import type { OperationHandlers } from './http/operations';
import type { Metrics } from './observability/metrics';
import type { Database } from './store/database';
import type { Repositories } from './store/repositories';
import type { Tables } from './store/schema';
import type { ExportSettingsPart, SnapshotScheduler } from './use-cases/ports';

/**
 * How a feature module plugs into the backend (the publishing engine; export
 * and webhooks): compose.ts migrates every area's tables (one list in store/migrations), hands it this
 * context, mounts what `setup` returns and starts and stops it with the
 * backend. See docs/BACKEND.md, "Extending the backend".
 */
export interface BackendContext {
  readonly config: Config;
  readonly database: Database;
  readonly db: Kysely<Tables>;
  readonly repositories: Repositories;
  readonly credentialSources: CredentialSources;
  /** Seals and opens secrets at rest with the master key (an extension's own secrets get their own binding kind). */
  readonly secretBox: SecretBox;
  /** Verifies Forge invocation tokens, for an extension's own Forge endpoint (the content-event trigger). */
  readonly fitVerifier: FitVerifier;
  /** A block got a new revision (after its snapshots were queued). */
  readonly blockEvents: BlockEvents;
  /** A space's settings changed (after a switch to `snapshot` queued the space's snapshots). */
  readonly settingsEvents: SettingsEvents;
  readonly ingestAuthenticator: RateLimitedIngestAuthenticator;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now: () => Date;
  /** Markdown→ADF off the HTTP thread, under a time budget (the render pool), shared by everything that renders. */
  readonly markdownRenderer: MarkdownRenderer;
  /** The process's one ADF validator (its schema compiles once, on first use), for everything that checks ADF. */
  readonly adfValidator: AdfValidator;
  /** JSON body parsing with the backend's 415/413 behaviour, for an extension's own routes. */
  jsonBody(limitBytes: number): ReturnType<typeof createJsonBodyMiddleware>;
}

export interface BackendExtension {
  readonly name: string;
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
  /**
   * Carries out the core's snapshot decisions (a new placement, a changed
   * block, a switch to the `snapshot` policy): the publishing engine. The
   * first extension that offers one gets them; without any, nothing is queued.
   */
  readonly snapshots?: SnapshotScheduler;
  /** The export module's part of `settings.get`/`settings.update` (the first module offering one). */
  readonly exportSettings?: ExportSettingsPart;
  /** Stopped before the database closes (drain a queue, stop a worker). */
  close?(): Promise<void>;
}

export interface Backend {
  readonly app: Express;
  readonly context: BackendContext;
  readonly appTokens: AppTokenStore;
  readonly apiTokens: ApiTokenService;
  readonly secretBox: SecretBox;
  /** Starts the extensions' background work; call it once the HTTP server listens. */
  start(): Promise<void>;
  /** Resolves once the work deferred past responses so far (a new placement's snapshot) has run. */
  settled(): Promise<void>;
  /** Finishes deferred work, stops jobs and extensions, closes the database and the render pool it made. */
  close(): Promise<void>;
}
