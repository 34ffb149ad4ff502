/**
 * How many simple authenticated GETs a second the devkit emulator answers on
 * one core (issue #3 asks for at least 5,000, so that benchmarks of Pagewire
 * measure Pagewire and not its test double).
 *
 *   node --import tsx bench/emulator-throughput.ts [--quick]    (or as part of `npm run bench`)
 *
 * The emulator runs in its own process (it is single-threaded, so that is one
 * core); autocannon drives it from another. Rate limits are switched off for
 * the run; everything else (Basic-token parsing, scope check, permission check,
 * rate-limit bookkeeping, the request log) stays on the path being measured.
 * Written by the devkit engineer as a standalone script (commit 70309a1, ≈11,900
 * requests/s then); folded into the benchmark runner with the same scenario and figure.
 */
import { basicAuthorization } from '@pagewire/devkit';
import {
  type BenchContext,
  type BenchmarkDefinition,
  type BenchOutcome,
  isMainModule,
  runBenchmarkCli,
} from './support/benchmark';
import { spawnSeededEmulator } from './support/child-servers';
import { measureRun } from './support/load-generator';
import { round } from './support/percentiles';
import { figure } from './support/results';

export const emulatorThroughput: BenchmarkDefinition = {
  name: 'emulator-throughput',
  title: 'Devkit emulator: authenticated GETs per second on one core',
  async run(context: BenchContext): Promise<BenchOutcome> {
    const settings = context.quick
      ? { connections: 10, seconds: 0.5, warmupSeconds: 0.5 }
      : { connections: 50, seconds: 10, warmupSeconds: 2 };
    const { emulator, site } = await spawnSeededEmulator({ siteName: 'bench', burstPerSecond: null });
    try {
      const target = new URL(`${site.gatewayUrl}/wiki/api/v2/spaces/${site.space.id}`);
      const run = await measureRun(emulator, {
        url: target.origin,
        connections: settings.connections,
        durationSeconds: settings.seconds,
        warmupSeconds: settings.warmupSeconds,
        variants: [
          {
            method: 'GET',
            path: target.pathname,
            headers: { authorization: basicAuthorization(site.admin.email, site.scopedToken) },
          },
        ],
      });
      context.log(`${Math.round(run.requestsPerSecond)} requests/s`);
      return {
        parameters: {
          scenario: 'GET /wiki/api/v2/spaces/{id} with a scoped API token through the gateway',
          ...settings,
        },
        figures: [
          figure({
            key: 'requests_per_second',
            label: 'Authenticated GETs answered per second (issue #3)',
            value: Math.round(run.requestsPerSecond),
            unit: 'req/s',
            kind: 'absolute',
            goal: { op: '>=', value: 5000 },
          }),
          figure({
            key: 'failed_requests',
            label: 'Requests not answered 2xx',
            value: run.requests - run.ok + run.errors + run.timeouts,
            unit: 'requests',
            kind: 'count',
            goal: { op: '==', value: 0 },
          }),
          figure({
            key: 'p99_ms',
            label: `p99 at ${settings.connections} connections`,
            value: round(run.latencyMs.p99),
            unit: 'ms',
            kind: 'absolute',
          }),
          figure({
            key: 'cpu_us_per_request',
            label: 'Emulator CPU time per request',
            value: Math.round(run.cpuMicrosPerRequest),
            unit: 'µs',
            kind: 'absolute',
          }),
        ],
        details: { run },
        notes: ['An absolute figure by design: issue #3 sets a floor for the test double, not a ratio.'],
      };
    } finally {
      await emulator.stop();
    }
  },
};

if (isMainModule(import.meta.url)) await runBenchmarkCli(emulatorThroughput);
