import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { type ChildServer, LOAD_WORKER_MAIN, REPO_ROOT } from './child-servers';

export const loadSpecSchema = z.object({
  url: z.url(),
  connections: z.number().int().positive(),
  durationSeconds: z.number().positive(),
  warmupSeconds: z.number().nonnegative(),
  /**
   * Requests per second, open loop (undici, evenly spaced, latency from when
   * each request was due; `connections` is the pool's size); absent: autocannon
   * as fast as the server answers at `connections` (closed loop).
   */
  overallRate: z.number().positive().optional(),
  /**
   * How long a fixed-load run waits, after its schedule ends, for answers
   * still owed before it counts them as `timeouts` (10 s when absent).
   */
  drainSeconds: z.number().positive().optional(),
  variants: z
    .array(
      z.object({
        method: z.enum(['GET', 'POST', 'PUT']),
        path: z.string().startsWith('/'),
        headers: z.record(z.string(), z.string()),
        body: z.string().optional(),
        /**
         * Forge invocation tokens, each sent once, in order, as this variant's
         * `authorization` (the backend refuses a token it has seen: every
         * request must carry a fresh one). When they run out, the variant's own
         * `authorization` header is sent again, and the backend's 401s show up
         * as failed requests.
         */
        fits: z.array(z.string()).optional(),
      }),
    )
    .min(1),
});
export type LoadSpec = z.infer<typeof loadSpecSchema>;

export interface LoadResult {
  seconds: number;
  requests: number;
  /** 2xx answers; only these count as throughput and only their latencies are kept. */
  ok: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
  /** 2xx answers during the warm-up before the measured window (for CPU time per request). */
  warmupOk: number;
}

/**
 * Loads `spec.url` (autocannon closed loop, or a fixed open-loop rate) from a separate process (bench/support/load-worker.ts)
 * and resolves to what it measured. The spec goes through a file: a thousand
 * tenants' tokens do not fit on a command line.
 */
export async function generateLoad(spec: LoadSpec): Promise<LoadResult> {
  const run = await runLoadWorker([LOAD_WORKER_MAIN], loadSpecSchema.parse(spec), {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
  });
  if (run.code !== 0) throw new Error(`the load generator failed (${run.code}):\n${run.stderr}`);
  return JSON.parse(run.stdout.trim()) as LoadResult;
}

/**
 * Runs a load worker (`node <args> <spec file>`) on `spec`, written to a
 * temporary file removed afterwards, and answers its exit code, its stdout and
 * the last 10 000 characters of its stderr. Without `env` the worker inherits
 * this process's environment.
 */
export async function runLoadWorker(
  args: readonly string[],
  spec: unknown,
  env?: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pagewire-load-'));
  try {
    const specPath = join(dir, 'spec.json');
    writeFileSync(specPath, JSON.stringify(spec));
    const child = spawn(process.execPath, [...args, specPath], {
      cwd: REPO_ROOT,
      ...(env ? { env } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-10_000);
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { code, stdout, stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Requests that were answered, but not 2xx, or failed on the connection. A
 * fixed-load run's requests still owed ten seconds after its schedule ended
 * (`timeouts`: the load was more than the server serves) are not counted here;
 * the benchmarks report them on their own.
 */
export function failedAnswers(runs: readonly LoadResult[]): number {
  let failed = 0;
  for (const run of runs) {
    for (const [status, count] of Object.entries(run.statusCounts)) {
      const code = Number(status);
      if (code < 200 || code >= 300) failed += count;
    }
    failed += run.errors;
  }
  return failed;
}

export interface MeasuredRun extends LoadResult {
  /** CPU time of the server process over the run (warm-up included) per 2xx answer. */
  cpuMicrosPerRequest: number;
}

/** `generateLoad` against `server`, with the server's CPU time per answered request. */
export async function measureRun(server: ChildServer, spec: LoadSpec): Promise<MeasuredRun> {
  const cpuBefore = server.cpuSeconds();
  const result = await generateLoad(spec);
  const cpu = server.cpuSeconds() - cpuBefore;
  return { ...result, cpuMicrosPerRequest: (cpu * 1e6) / Math.max(1, result.ok + result.warmupOk) };
}
