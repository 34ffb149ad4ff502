import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { type LoadResult, type LoadSpec, loadSpecSchema } from './load-generator';
import { percentile } from './percentiles';

/**
 * The load generator's own process (started by `generateLoad`), so the server
 * being measured never shares an event loop with the client measuring it.
 *
 *   node --import tsx bench/support/load-worker.ts <spec.json>
 *
 * Prints one JSON line (`LoadResult`) on stdout.
 */
const specPath = process.argv[2];
if (specPath === undefined) {
  process.stderr.write('usage: load-worker <spec.json>\n');
  process.exit(2);
}
const spec: LoadSpec = loadSpecSchema.parse(JSON.parse(readFileSync(specPath, 'utf8')));

function latencySummary(latencies: number[]): LoadResult['latencyMs'] {
  return {
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: percentile(latencies, 100),
  };
}

// One cursor per variant over its fresh tokens, shared by every connection.
const fitCursors = spec.variants.map(() => 0);

/** The headers of the variant's next request: its next never-used FIT when it has a pool. */
function headersFor(variantIndex: number): Record<string, string> {
  const variant = spec.variants[variantIndex] as LoadSpec['variants'][number];
  const fits = variant.fits;
  if (fits === undefined) return variant.headers;
  const cursor = fitCursors[variantIndex]!;
  if (cursor >= fits.length) return variant.headers;
  fitCursors[variantIndex] = cursor + 1;
  return { ...variant.headers, authorization: `Bearer ${fits[cursor]}` };
}

function options(durationSeconds: number): autocannon.Options {
  return {
    url: spec.url,
    connections: spec.connections,
    duration: durationSeconds,
    // Each connection cycles through the variants (pre-shuffled by the caller).
    requests: spec.variants.map((variant, index) => ({
      method: variant.method,
      path: variant.path,
      headers: variant.headers,
      ...(variant.body === undefined ? {} : { body: variant.body }),
      ...(variant.fits === undefined
        ? {}
        : { setupRequest: (request: autocannon.Request) => ({ ...request, headers: headersFor(index) }) }),
    })),
  };
}

async function measureClosedLoop(
  durationSeconds: number,
  record: boolean,
): Promise<Omit<LoadResult, 'warmupOk'>> {
  // autocannon's own histogram keeps whole milliseconds; sub-millisecond
  // latencies are what this server answers in, so every response time is kept
  // exactly here and the percentiles are computed from those.
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let ok = 0;
  const startedAt = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options(durationSeconds), (error, finished) => {
      if (error) reject(error);
      else resolve(finished);
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1;
      if (statusCode >= 200 && statusCode < 300) {
        ok += 1;
        if (record) latencies.push(responseTime);
      }
    });
  });
  const seconds = (performance.now() - startedAt) / 1000;
  return {
    seconds,
    requests: result.requests.total,
    ok,
    requestsPerSecond: ok / seconds,
    latencyMs: latencySummary(latencies),
    statusCounts,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/**
 * A fixed load, open loop: request *i* is due at start + i / rate whether or
 * not earlier answers have come back, and its latency runs from when it was
 * due, so a slow answer cannot hold back the next arrivals (no coordinated
 * omission). autocannon's `overallRate` is not this: each connection fires as
 * fast as the server answers until it has made its quota for the second, then
 * waits for the next one, so every second starts with a burst at full
 * concurrency and the latencies are those of a saturated server.
 */
async function measureOpenLoop(
  rate: number,
  durationSeconds: number,
  record: boolean,
): Promise<Omit<LoadResult, 'warmupOk'>> {
  const origin = new URL(spec.url).origin;
  const pool = new Pool(origin, { connections: spec.connections, pipelining: 1 });
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  let sent = 0;
  let lastAnswerAt = 0;
  let abandoned = false;
  const inFlight = new Set<Promise<void>>();
  const total = Math.round(rate * durationSeconds);
  const startedAt = performance.now();

  const send = (index: number): void => {
    const dueAt = startedAt + (index * 1000) / rate;
    const variantIndex = index % spec.variants.length;
    const variant = spec.variants[variantIndex] as LoadSpec['variants'][number];
    const request = pool
      .request({
        origin,
        method: variant.method,
        path: variant.path,
        headers: headersFor(variantIndex),
        body: variant.body,
      })
      .then(async (response) => {
        await response.body.dump();
        const answeredAt = performance.now();
        lastAnswerAt = Math.max(lastAnswerAt, answeredAt);
        statusCounts[response.statusCode] = (statusCounts[response.statusCode] ?? 0) + 1;
        if (response.statusCode >= 200 && response.statusCode < 300) {
          ok += 1;
          if (record) latencies.push(answeredAt - dueAt);
        }
      })
      .catch(() => {
        // Destroying the pool after the drain deadline fails what is still owed: those are
        // the run's timeouts, counted once there, not also as connection errors (they were,
        // which is how an overloaded run reported 11,178 "errors", docs/BENCHMARKS.md).
        if (!abandoned) errors += 1;
      });
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  };

  // A timer wakes about every millisecond and sends whatever has come due
  // since; the latency of a request sent late by the timer counts from when
  // it was due.
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - startedAt) * rate) / 1000) + 1);
    while (sent < due) send(sent++);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  // Answers still owed after the schedule ends get ten seconds (drainSeconds), then count as timeouts.
  const drained = Promise.all([...inFlight]);
  const timedOut = await Promise.race([
    drained.then(() => false),
    new Promise<boolean>((resolve) =>
      setTimeout(() => resolve(true), (spec.drainSeconds ?? 10) * 1000).unref(),
    ),
  ]);
  const timeouts = timedOut ? inFlight.size : 0;
  abandoned = true;
  await pool.destroy();
  const seconds = (Math.max(lastAnswerAt, startedAt + durationSeconds * 1000) - startedAt) / 1000;
  return {
    seconds,
    requests: sent,
    ok,
    requestsPerSecond: ok / seconds,
    latencyMs: latencySummary(latencies),
    statusCounts,
    errors,
    timeouts,
  };
}

function measure(durationSeconds: number, record: boolean): Promise<Omit<LoadResult, 'warmupOk'>> {
  return spec.overallRate === undefined
    ? measureClosedLoop(durationSeconds, record)
    : measureOpenLoop(spec.overallRate, durationSeconds, record);
}

const warmup = spec.warmupSeconds > 0 ? await measure(spec.warmupSeconds, false) : null;
const result: LoadResult = { ...(await measure(spec.durationSeconds, true)), warmupOk: warmup?.ok ?? 0 };
process.stdout.write(`${JSON.stringify(result)}\n`);
