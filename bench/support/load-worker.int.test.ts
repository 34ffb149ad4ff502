import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './child-servers';
import { failedAnswers, type LoadResult, type LoadSpec, runLoadWorker } from './load-generator';

/**
 * The fixed-load mode of the load worker, run from source against a server
 * that answers one request at a time, 20 ms each (50 a second at most). What
 * is checked is what the benchmarks' latency figures depend on: every request
 * goes out on its schedule whatever the server does, and its latency counts
 * from when it was due, so a server slower than the load cannot hide it.
 * The bounds are lower bounds that follow from the server's serial 20 ms
 * (timers never fire early), not timings of this machine.
 */
const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serialServer(status: (index: number) => number): Promise<{ url: string; seen: () => number }> {
  let queue = Promise.resolve();
  let seen = 0;
  const server = createServer((_request, response) => {
    const index = seen++;
    queue = queue.then(
      () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            response.writeHead(status(index), { 'content-type': 'application/json' }).end('{}');
            resolve();
          }, 20),
        ),
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen: () => seen };
}

async function runWorker(spec: LoadSpec): Promise<LoadResult> {
  const run = await runLoadWorker(['--import', 'tsx', join(REPO_ROOT, 'bench/support/load-worker.ts')], spec);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout.trim()) as LoadResult;
}

function fixedLoad(url: string, rate: number): LoadSpec {
  return {
    url,
    connections: 4,
    durationSeconds: 1,
    warmupSeconds: 0,
    overallRate: rate,
    variants: [{ method: 'GET', path: '/read', headers: {} }],
  };
}

/** A server that takes every request and never answers: more load than it serves, taken to the limit. */
async function silentServer(): Promise<string> {
  const server = createServer(() => {});
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the load worker at a fixed rate', () => {
  it('sends every scheduled request to a server slower than the load and times each from when it was due', async () => {
    const server = await serialServer(() => 200);
    const result = await runWorker(fixedLoad(server.url, 100));

    expect(result.requests).toBe(100);
    expect(result.ok).toBe(100);
    expect(server.seen()).toBe(100);
    expect(failedAnswers([result])).toBe(0);
    expect(result.timeouts).toBe(0);
    // 100 answers one after another at 20 ms take at least 2 s; the last was due
    // at 0.99 s, so its latency from when it was due is at least about 1 s. A
    // closed-loop client would have waited for answers before sending and
    // reported no more than four answers' time.
    expect(result.latencyMs.max).toBeGreaterThanOrEqual(900);
    expect(result.seconds).toBeGreaterThanOrEqual(2);
    expect(result.requestsPerSecond).toBeLessThanOrEqual(50);
  }, 30_000);

  it('counts answers still owed after the drain as timeouts only, never also as failed requests', async () => {
    const url = await silentServer();
    const result = await runWorker({ ...fixedLoad(url, 20), durationSeconds: 0.5, drainSeconds: 0.5 });

    expect(result.requests).toBe(10);
    expect(result.ok).toBe(0);
    expect(result.timeouts).toBe(10);
    expect(result.errors).toBe(0);
    expect(failedAnswers([result])).toBe(0);
  }, 30_000);

  it('counts error answers as failures and keeps only the 2xx ones as throughput', async () => {
    const server = await serialServer((index) => (index % 2 === 0 ? 200 : 503));
    const result = await runWorker(fixedLoad(server.url, 20));

    expect(result.requests).toBe(20);
    expect(result.ok).toBe(10);
    expect(result.statusCounts).toEqual({ '200': 10, '503': 10 });
    expect(failedAnswers([result])).toBe(10);
  }, 30_000);
});
