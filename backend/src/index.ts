import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Backend, type BackendExtension, createBackend } from './backend';
import { loadConfig } from './config/config';
import { createPacer } from './confluence/pacer';
import { checkApiTokenHealth, REQUIRED_API_TOKEN_SCOPES } from './credentials/token-health';
import { createExportExtension } from './export/export-extension';
import { createLogger } from './observability/logger';
import { createMarkdownRenderPool } from './publishing/adf/markdown-render-pool';
import { createCachedRenderer } from './publishing/adf/markdown-renderer';
import { createPublishingExtension } from './publishing/publishing-extension';

export type { Backend, BackendContext, BackendExtension, ExtensionInstance } from './backend';
export { ConfigError, loadConfig } from './config/config';

/** How long a SIGTERM waits for requests in flight before cutting connections. */
const DRAIN_TIMEOUT_MS = 10_000;

export interface StartBackendOptions {
  /** The only place configuration is read from (main.ts passes `process.env`; tests their own record). */
  env: Record<string, string | undefined>;
  /** Where JSON logs go; stdout by default. */
  logDestination?: NodeJS.WritableStream;
  /**
   * Parts of the backend built on the core. Defaults to the publishing engine
   * (whole pages and block snapshots) and the export, i.e. the whole product; `[]` starts the
   * bare core.
   */
  extensions?: readonly BackendExtension[];
}

export interface RunningBackend {
  /** `http://<host>:<port>`, connectable (a wildcard listen address is given as 127.0.0.1). */
  url: string;
  /** Graceful: stop accepting, drain requests in flight, stop jobs, close the database. */
  close(): Promise<void>;
}

function connectableUrl(server: Server): string {
  const address = server.address() as AddressInfo;
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * The publishing engine and the export, calling Confluence through one pacer:
 * on SQLite (one process) a shared in-memory one, on PostgreSQL the pacer
 * store both extensions draw on (one budget per credential across replicas).
 */
function defaultExtensions(env: StartBackendOptions['env'], databaseUrl: string): BackendExtension[] {
  const pacer = databaseUrl.startsWith('sqlite:') ? createPacer() : undefined;
  const shared = pacer === undefined ? {} : { pacer };
  // The export's Markdown/text formatter (backend/src/adf) is passed here once it lands; until then format=adf only.
  return [createPublishingExtension({ env, ...shared }), createExportExtension(shared)];
}

/**
 * Starts the backend on the configured host and port. Throws a `ConfigError`
 * (one line naming the variable) when the configuration is not usable.
 */
export async function startBackend(options: StartBackendOptions): Promise<RunningBackend> {
  const config = loadConfig(options.env);
  const logger = createLogger({ level: config.logLevel, destination: options.logDestination });
  const apiBase = config.atlassianApiBase.href.replace(/\/+$/, '');
  // Markdown blocks reach the macro as ADF from the same converter, on the same
  // worker threads, that write snapshots and pages; one cache keyed by content.
  const markdownRenderer = createCachedRenderer(
    createMarkdownRenderPool({ ...config.render, logger: logger.child({ component: 'markdown-render' }) }),
  );
  let backend: Backend;
  try {
    backend = await createBackend({
      config,
      logger,
      checkApiTokenHealth: (input) => checkApiTokenHealth({ apiBase }, input),
      requiredApiTokenScopes: REQUIRED_API_TOKEN_SCOPES,
      markdownRenderer,
      extensions: options.extensions ?? defaultExtensions(options.env, config.databaseUrl),
    });
  } catch (error) {
    await markdownRenderer.close();
    throw error;
  }

  const server = createServer(backend.app);
  // Forge gives UI calls 25 s and triggers 5 s; nothing legitimate takes longer than this.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await backend.close();
    await markdownRenderer.close();
    throw error;
  }
  const url = connectableUrl(server);
  logger.info({ url }, 'backend listening');
  // Only now the publishing worker starts claiming jobs: whatever is queued, /healthz already answers.
  await backend.start();

  let closing: Promise<void> | null = null;
  return {
    url,
    close() {
      closing ??= (async () => {
        logger.info('shutting down: draining requests in flight');
        const drained = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), DRAIN_TIMEOUT_MS);
        timer.unref();
        await drained;
        clearTimeout(timer);
        await backend.close();
        await markdownRenderer.close();
        logger.info('shut down');
        // Standard output is written asynchronously (observability/logger.ts): the last lines are out before this resolves.
        await new Promise<void>((resolve) => logger.flush(() => resolve()));
      })();
      return closing;
    },
  };
}
