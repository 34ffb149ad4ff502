import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
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

function options(durationSeconds: number): autocannon.Options {
  return {
    url: spec.url,
    connections: spec.connections,
    duration: durationSeconds,
    ...(spec.overallRate === undefined ? {} : { overallRate: spec.overallRate }),
    // Each connection cycles through the variants (pre-shuffled by the caller).
    requests: spec.variants.map((variant) => ({
      method: variant.method,
      path: variant.path,
      headers: variant.headers,
      ...(variant.body === undefined ? {} : { body: variant.body }),
    })),
  };
}

async function measure(durationSeconds: number, record: boolean): Promise<Omit<LoadResult, 'warmupOk'>> {
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
    latencyMs: {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: percentile(latencies, 100),
    },
    statusCounts,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

const warmup = spec.warmupSeconds > 0 ? await measure(spec.warmupSeconds, false) : null;
const result: LoadResult = { ...(await measure(spec.durationSeconds, true)), warmupOk: warmup?.ok ?? 0 };
process.stdout.write(`${JSON.stringify(result)}\n`);
