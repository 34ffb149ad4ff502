import { compose } from './compose';
import { loadConfig } from './config/config';
import { hasErrorKind } from './error-kinds';
import { type RunningBackend, serveBackend } from './http/server';
import { createLogger } from './observability/logger';

/**
 * The process entry point: configuration from the environment, a ready line
 * on stdout, graceful shutdown on SIGTERM/SIGINT. A configuration problem is
 * one line on stderr and exit code 1, never a stack trace.
 */
async function main(): Promise<void> {
  let running: RunningBackend;
  try {
    const config = loadConfig(process.env);
    const logger = createLogger({ level: config.logLevel });
    // The whole product: the core plus the publishing engine, which compose mounts by default.
    running = await serveBackend(await compose(config, { env: process.env, logger }), config, logger);
  } catch (error) {
    if (hasErrorKind(error, 'config')) {
      process.stderr.write(`pagewire backend: ${(error as Error).message}\n`);
    } else {
      process.stderr.write(
        `pagewire backend: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
    process.exit(1);
  }
  process.stdout.write(`backend listening on ${running.url}\n`);

  const shutDown = (signal: string) => {
    process.stderr.write(`pagewire backend: ${signal} received, shutting down\n`);
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`pagewire backend: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutDown('SIGTERM'));
  process.once('SIGINT', () => shutDown('SIGINT'));
}

void main();
