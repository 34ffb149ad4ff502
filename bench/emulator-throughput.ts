/**
 * How many simple authenticated GETs a second the devkit emulator answers on
 * one core (issue #3 asks for at least 5,000, so that benchmarks of Pagewire
 * measure Pagewire and not its test double).
 *
 *   node --import tsx bench/emulator-throughput.ts [--seconds 10] [--connections 50]
 *
 * The emulator runs in its own process (it is single-threaded, so that is one
 * core); autocannon drives it from this one. Rate limits are switched off for
 * the run; everything else (Basic-token parsing, scope check, permission check,
 * rate-limit bookkeeping, the request log) stays on the path being measured.
 * Not part of `npm test`: benchmarks never run inside tests.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { basicAuthorization, createDevApiClient } from '../devkit/src/index';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);

const cli = fileURLToPath(new URL('../devkit/src/cli/emulator-cli.ts', import.meta.url));
const emulator = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});

try {
  emulator.stdout.setEncoding('utf8');
  let banner = '';
  while (!banner.includes('\n')) banner += ((await once(emulator.stdout, 'data')) as [string])[0];
  const url = banner.trim().split(' ').at(-1)!;

  const dev = createDevApiClient(url);
  await dev.setLimits({ burstPerSecond: null, quotaPointsPerHour: null });
  const site = await dev.seedSite({ name: 'bench' });
  const target = `${site.gatewayUrl}/wiki/api/v2/spaces/${site.space.id}`;
  const authorization = basicAuthorization(site.admin.email, site.scopedToken);

  // Warm the JIT so the measured window is steady state.
  await autocannon({ url: target, connections, duration: 2, headers: { authorization } });
  const result = await autocannon({
    url: target,
    connections,
    duration: seconds,
    headers: { authorization },
  });

  const summary = {
    scenario: 'GET /wiki/api/v2/spaces/{id} with a scoped API token through the gateway',
    connections,
    seconds,
    requestsPerSecond: {
      average: result.requests.average,
      p50: result.requests.p50,
      min: result.requests.min,
    },
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
  console.log(JSON.stringify(summary, null, 2));
  console.log(
    `${Math.round(result.requests.average)} requests/s on average (target ≥ 5000); ` +
      `p99 latency ${result.latency.p99} ms; ${result.non2xx} non-2xx`,
  );
} finally {
  emulator.kill('SIGTERM');
  await once(emulator, 'exit');
}
