import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBenchPrograms } from './support/build';
import { BACKEND_MAIN, type ChildServer, spawnBackend, spawnSeededEmulator } from './support/child-servers';
import {
  forgeCallerFor,
  forgeHeaders,
  ingestBlock,
  installAndCreateIngestKey,
  macroContext,
  statusBlock,
  withFreshFits,
} from './support/forge-calls';
import { type MeasuredRun, measureRun } from './support/load-generator';
import { median, round } from './support/percentiles';
import { timeBackendToReady } from './support/ready-timer';

/**
 * Before and after for a fix: two builds of the backend measured side by
 * side, interleaved round by round so that other work on the shared machine
 * lands on both, on what the fixes so far changed: CPU time per `blocks.get`
 * (and requests/s) and the time from spawn to `/readyz` on a fresh file.
 *
 *   node --import tsx bench/compare-builds.ts --before <dir>/backend/dist/main.js [--after <main.js>]
 *       [--rounds 5] [--rate <requests/s>] [--out result.json]
 *
 * Without `--rate`, each run is closed loop at 16 connections (as fast as the
 * build answers). With it, a fixed open-loop load both builds can carry: CPU
 * per request then compares the same work at the same batching (a server
 * answering fewer requests a second writes fewer lines and answers per
 * system call, so on a machine other work slows down its CPU per request
 * rises with it; in one closed-loop comparison at load average 12 the same
 * build measured 1,135 and 2,668 µs in two rounds).
 *
 * `--after` defaults to this checkout's build. Make the "before" build from a
 * copy of the tree with the fix reverted (docs/BENCHMARKS.md shows how).
 */
const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    rate: { type: 'string' },
    out: { type: 'string' },
  },
});
if (values.before === undefined) {
  process.stderr.write(
    'usage: compare-builds --before <main.js> [--after <main.js>] [--rounds N] [--out file]\n',
  );
  process.exit(2);
}
const rounds = Number(values.rounds);
const rate = values.rate === undefined ? undefined : Number(values.rate);
const builds = {
  before: resolve(values.before),
  after: values.after === undefined ? BACKEND_MAIN : resolve(values.after),
};
if (values.after === undefined) await buildBenchPrograms();

const loadAtStart = loadavg()[0]!;
const workDir = mkdtempSync(join(tmpdir(), 'pagewire-compare-'));
const { emulator, dev, site } = await spawnSeededEmulator({ siteName: 'compare', burstPerSecond: null });
const servers: ChildServer[] = [];
try {
  const caller = await forgeCallerFor(dev, site);
  const started: Record<'before' | 'after', ChildServer> = {} as never;
  for (const name of ['before', 'after'] as const) {
    const server = await spawnBackend({
      databaseUrl: `sqlite:${join(workDir, `${name}.db`)}`,
      emulatorUrl: emulator.url,
      appId: site.appId,
      main: builds[name],
    });
    servers.push(server);
    started[name] = server;
    const key = await installAndCreateIngestKey(server.url, caller);
    await ingestBlock(server.url, key, 'deploys', statusBlock(42));
  }
  const body = JSON.stringify({
    context: macroContext(site, site.space.homepageId ?? '1', 'macro-0001'),
    input: { key: 'deploys' },
  });
  const variants = [
    { method: 'POST' as const, path: '/forge/v1/blocks.get', headers: forgeHeaders(caller), body },
  ];

  const runs: Record<'before' | 'after', MeasuredRun[]> = { before: [], after: [] };
  const starts: Record<'before' | 'after', number[]> = { before: [], after: [] };
  for (let round = 1; round <= rounds; round++) {
    // Alternate which build goes first, so neither always follows the other.
    const order = round % 2 === 1 ? (['before', 'after'] as const) : (['after', 'before'] as const);
    for (const name of order) {
      process.stderr.write(`round ${round}/${rounds}: ${name}\n`);
      // Every request carries a FIT never used before (the backend refuses a replay): enough for
      // the fastest run so far with room to spare, or 3,000 requests/s before the first. The
      // emulator signs each one (about a millisecond of CPU), so minting for four times what a
      // run can use made minting, not measuring, most of a comparison's time.
      const seen = [...runs.before, ...runs.after].map((run) => run.requestsPerSecond * 1.5);
      const fastest = rate ?? (seen.length === 0 ? 3_000 : Math.max(...seen));
      runs[name].push(
        await measureRun(started[name], {
          url: started[name].url,
          connections: 16,
          durationSeconds: 5,
          warmupSeconds: 2,
          variants: await withFreshFits(dev, variants, () => site.installationId, fastest * 7),
          ...(rate === undefined ? {} : { overallRate: rate }),
        }),
      );
      starts[name].push(
        await timeBackendToReady(builds[name], `sqlite:${join(workDir, `fresh-${name}-${round}.db`)}`),
      );
    }
  }
  const summarise = (name: 'before' | 'after') => ({
    build: builds[name],
    cpuMicrosPerRequest: round(median(runs[name].map((run) => run.cpuMicrosPerRequest)), 0),
    // Other work on the machine only ever adds to it: the least of the rounds is the steadiest figure.
    leastCpuMicrosPerRequest: round(Math.min(...runs[name].map((run) => run.cpuMicrosPerRequest)), 0),
    requestsPerSecond: round(median(runs[name].map((run) => run.requestsPerSecond)), 0),
    p99Ms: round(median(runs[name].map((run) => run.latencyMs.p99))),
    coldStartMs: round(median(starts[name]), 0),
  });
  const summary = { before: summarise('before'), after: summarise('after') };
  const result = {
    rounds,
    loadAverage: { start: round(loadAtStart), end: round(loadavg()[0]!) },
    load: rate === undefined ? 'closed loop, 16 connections' : `${rate} requests/s, open loop`,
    ...summary,
    afterOverBefore: {
      cpuMicrosPerRequest: round(summary.after.cpuMicrosPerRequest / summary.before.cpuMicrosPerRequest, 3),
      leastCpuMicrosPerRequest: round(
        summary.after.leastCpuMicrosPerRequest / summary.before.leastCpuMicrosPerRequest,
        3,
      ),
      requestsPerSecond: round(summary.after.requestsPerSecond / summary.before.requestsPerSecond, 3),
      coldStartMs: round(summary.after.coldStartMs / summary.before.coldStartMs, 3),
    },
    runs,
    starts,
  };
  if (values.out !== undefined) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify({ ...result, runs: undefined, starts: undefined }, null, 2)}\n`);
} finally {
  for (const server of servers) await server.stop();
  await emulator.stop();
  rmSync(workDir, { recursive: true, force: true });
}
