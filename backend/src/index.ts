import type { BackendExtension } from './backend';
import { compose } from './compose';
import { loadConfig } from './config/config';
import { type RunningBackend, serveBackend } from './http/server';
import { createLogger } from './observability/logger';

export type { Backend, BackendContext, BackendExtension, ExtensionInstance } from './backend';
export { type ComposeOptions, compose } from './compose';
export { ConfigError, loadConfig } from './config/config';
export type { RunningBackend } from './http/server';

export interface StartBackendOptions {
  /** The only place configuration is read from (main.ts passes `process.env`; tests their own record). */
  env: Record<string, string | undefined>;
  /** Where JSON logs go; stdout by default. */
  logDestination?: NodeJS.WritableStream;
  /**
   * Parts of the backend built on the core. Defaults to the publishing engine
   * (whole pages and block snapshots), i.e. the whole product; `[]` starts the
   * bare core.
   */
  extensions?: readonly BackendExtension[];
}

/**
 * Composes the backend from `env` and serves it on the configured host and
 * port (what main.ts does, for the local stack and tests). Throws a
 * `ConfigError` (one line naming the variable) when the configuration is not usable.
 */
export async function startBackend(options: StartBackendOptions): Promise<RunningBackend> {
  const config = loadConfig(options.env);
  const logger = createLogger({ level: config.logLevel, destination: options.logDestination });
  const backend = await compose(config, { env: options.env, logger, extensions: options.extensions });
  return serveBackend(backend, config, logger);
}
