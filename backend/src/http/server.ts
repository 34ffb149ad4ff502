import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from 'pino';

/** How long a SIGTERM waits for requests in flight before cutting connections. */
const DRAIN_TIMEOUT_MS = 10_000;

/** What a composed backend offers to be served: its app, and its start and close (backend.ts `Backend`). */
export interface Servable {
  readonly app: Express;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface RunningBackend {
  /** `http://<host>:<port>`, connectable (a wildcard listen address is given as 127.0.0.1). */
  url: string;
  /** Graceful: stop accepting, drain requests in flight, then close the backend (jobs, database). */
  close(): Promise<void>;
}

function connectableUrl(server: Server): string {
  const address = server.address() as AddressInfo;
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Serves a composed backend on `host:port` and starts its background work
 * once it listens (no amount of queued work can delay the first /healthz).
 * When it cannot listen, the backend is closed and the error thrown.
 */
export async function serveBackend(
  backend: Servable,
  where: { port: number; host: string },
  logger: Logger,
): Promise<RunningBackend> {
  const server = createServer(backend.app);
  // Forge gives UI calls 25 s and triggers 5 s; nothing legitimate takes longer than this.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  try {
    await listen(server, where.port, where.host);
  } catch (error) {
    await backend.close();
    throw error;
  }
  const url = connectableUrl(server);
  logger.info({ url }, 'backend listening');
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
        logger.info('shut down');
        // Standard output is written asynchronously (observability/logger.ts): the last lines are out before this resolves.
        await new Promise<void>((resolve) => logger.flush(() => resolve()));
      })();
      return closing;
    },
  };
}
