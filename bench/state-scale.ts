import { join } from 'node:path';
import { createDevApiClient, PAGEWIRE_APP_ID } from '@pagewire/devkit';
import {
  type BenchContext,
  type BenchmarkDefinition,
  type BenchOutcome,
  isMainModule,
  runBenchmarkCli,
} from './support/benchmark';
import { spawnBackend, spawnEmulator } from './support/child-servers';
import { forgeHeaders, withFreshFits } from './support/forge-calls';
import { failedAnswers, type LoadSpec, type MeasuredRun, measureRun } from './support/load-generator';
import { median, round } from './support/percentiles';
import { figure } from './support/results';
import { SEEDED_SPACE_KEY, seededBlockKey, seedState } from './support/seed-state';
import { createTenants, type EmulatedTenant } from './support/tenants';

/**
 * Benchmark 4, scale of state: the backend holding 100,000 blocks of 1,000
 * installations against the same backend holding 100 blocks of 10, both read
 * with `blocks.get` by every tenant in random order at the same concurrency.
 * The claim is that the state's size costs neither memory nor latency.
 */
export const stateScale: BenchmarkDefinition = {
  name: 'state-scale',
  title: 'Scale of state: 100,000 blocks across 1,000 installations',
  async run(context: BenchContext): Promise<BenchOutcome> {
    const settings = context.quick
      ? {
          large: { tenants: 20, blocks: 100 },
          small: { tenants: 4, blocks: 10 },
          variants: 200,
          connections: 4,
          seconds: 0.5,
          warmupSeconds: 0.25,
          rounds: 1,
        }
      : {
          large: { tenants: 1000, blocks: 100 },
          small: { tenants: 10, blocks: 10 },
          variants: 4000,
          connections: 16,
          seconds: 10,
          warmupSeconds: 3,
          rounds: 2,
        };

    const emulator = await spawnEmulator();
    const stops: Array<() => Promise<void>> = [() => emulator.stop()];
    try {
      const dev = createDevApiClient(emulator.url);
      await dev.setLimits({ burstPerSecond: null, quotaPointsPerHour: null });
      context.log(`creating ${settings.large.tenants + settings.small.tenants} tenants in the emulator`);
      const largeTenants = await createTenants(dev, settings.large.tenants, 'large');
      const smallTenants = await createTenants(dev, settings.small.tenants, 'small');

      const largeDb = `sqlite:${join(context.workDir, 'large.db')}`;
      const smallDb = `sqlite:${join(context.workDir, 'small.db')}`;
      context.log(`seeding ${settings.large.tenants * settings.large.blocks} blocks`);
      const seedStarted = performance.now();
      await seedState({
        databaseUrl: largeDb,
        tenants: largeTenants,
        blocksPerTenant: settings.large.blocks,
        log: context.log,
      });
      const seedSeconds = (performance.now() - seedStarted) / 1000;
      await seedState({
        databaseUrl: smallDb,
        tenants: smallTenants,
        blocksPerTenant: settings.small.blocks,
      });

      const start = async (databaseUrl: string) => {
        const server = await spawnBackend({
          databaseUrl,
          emulatorUrl: emulator.url,
          appId: PAGEWIRE_APP_ID,
          main: context.backendMain,
          ...(context.cpuProfileDir === undefined ? {} : { cpuProfileDir: context.cpuProfileDir }),
        });
        stops.unshift(() => server.stop());
        return server;
      };
      const small = await start(smallDb);
      const large = await start(largeDb);
      const idleRss = { small: small.rssBytes(), large: large.rssBytes() };

      // The backend accepts each FIT once: every request carries one never sent before, from a
      // pool per variant minted before the run for as many requests as it can make.
      let fastest = 4_000;
      const spec = async (url: string, variants: TenantRead[], overallRate?: number): Promise<LoadSpec> => ({
        url,
        connections: settings.connections,
        durationSeconds: settings.seconds,
        warmupSeconds: settings.warmupSeconds,
        variants: await withFreshFits(
          dev,
          variants,
          (variant) => variant.installationId,
          (overallRate ?? fastest) * (settings.seconds + settings.warmupSeconds),
        ),
        ...(overallRate === undefined ? {} : { overallRate }),
      });
      const measured = async (...args: Parameters<typeof measureRun>) => {
        const run = await measureRun(...args);
        fastest = Math.max(fastest, run.requestsPerSecond * 1.5);
        return run;
      };
      const smallVariants = readsOf(
        smallTenants,
        settings.small.blocks,
        settings.small.tenants * settings.small.blocks,
      );
      const largeVariants = readsOf(largeTenants, settings.large.blocks, settings.variants);

      // Capacity first (closed loop), then latency at one fixed offered load for both:
      // a p99 at saturation measures queueing and the scheduler, not what the state costs.
      const smallRuns: MeasuredRun[] = [];
      const largeRuns: MeasuredRun[] = [];
      for (let round = 1; round <= settings.rounds; round++) {
        context.log(`round ${round}/${settings.rounds}: small state, closed loop`);
        smallRuns.push(await measured(small, await spec(small.url, smallVariants)));
        context.log(`round ${round}/${settings.rounds}: large state, closed loop`);
        largeRuns.push(await measured(large, await spec(large.url, largeVariants)));
      }
      const fixedRate = Math.max(1, Math.round(median(smallRuns.map((run) => run.requestsPerSecond)) / 2));
      const smallFixed: MeasuredRun[] = [];
      const largeFixed: MeasuredRun[] = [];
      for (let round = 1; round <= settings.rounds; round++) {
        context.log(`round ${round}/${settings.rounds}: both at ${fixedRate} requests/s`);
        smallFixed.push(await measureRun(small, await spec(small.url, smallVariants, fixedRate)));
        largeFixed.push(await measureRun(large, await spec(large.url, largeVariants, fixedRate)));
      }
      const rss = {
        small: { idle: idleRss.small, peak: small.peakRssBytes(), after: small.rssBytes() },
        large: { idle: idleRss.large, peak: large.peakRssBytes(), after: large.rssBytes() },
      };
      const p99 = {
        small: median(smallFixed.map((run) => run.latencyMs.p99)),
        large: median(largeFixed.map((run) => run.latencyMs.p99)),
      };
      const p99Saturated = {
        small: median(smallRuns.map((run) => run.latencyMs.p99)),
        large: median(largeRuns.map((run) => run.latencyMs.p99)),
      };
      const cpu = {
        small: median(smallRuns.map((run) => run.cpuMicrosPerRequest)),
        large: median(largeRuns.map((run) => run.cpuMicrosPerRequest)),
      };
      const rps = {
        small: median(smallRuns.map((run) => run.requestsPerSecond)),
        large: median(largeRuns.map((run) => run.requestsPerSecond)),
      };
      const allRuns = [...smallRuns, ...largeRuns, ...smallFixed, ...largeFixed];
      // The fixed load is half the small state's capacity, so nothing should be owed at the end.
      const failures = failedAnswers(allRuns) + allRuns.reduce((sum, run) => sum + run.timeouts, 0);
      // Binary megabytes, as the kernel counts RSS (kB in /proc are KiB); the goal is read as 250 MiB.
      const mib = (bytes: number) => round(bytes / 1024 ** 2, 1);
      const largeBlocks = settings.large.tenants * settings.large.blocks;
      return {
        parameters: {
          large: { installations: settings.large.tenants, blocksPerInstallation: settings.large.blocks },
          small: { installations: settings.small.tenants, blocksPerInstallation: settings.small.blocks },
          distinctReadsInRotation: { small: smallVariants.length, large: largeVariants.length },
          connections: settings.connections,
          fixedRate: 'half the small state’s closed-loop requests/s, for both',
          secondsPerRun: settings.seconds,
          warmupSecondsPerRun: settings.warmupSeconds,
          rounds: settings.rounds,
          blockKinds: 'status, metrics, table and Markdown in turn (Markdown rendered to ADF per read)',
        },
        figures: [
          figure({
            key: 'large_peak_rss_mib',
            label: `Backend peak RSS holding ${largeBlocks.toLocaleString('en')} blocks, under load (${Math.round(rss.large.peak / 1e6)} MB in SI units)`,
            value: mib(rss.large.peak),
            unit: 'MiB',
            kind: 'absolute',
            goal: { op: '<=', value: 250 },
          }),
          figure({
            key: 'p99_ratio',
            label: `blocks.get p99 at ${fixedRate} requests/s, large state over small state`,
            value: round(p99.large / p99.small, 3),
            unit: '×',
            kind: 'ratio',
            goal: { op: '<=', value: 1.5 },
          }),
          figure({
            key: 'cpu_per_request_ratio',
            label: 'CPU time per blocks.get, large state over small state',
            value: round(cpu.large / cpu.small, 3),
            unit: '×',
            kind: 'ratio',
          }),
          figure({
            key: 'rps_ratio',
            label: 'blocks.get requests/s, large state over small state',
            value: round(rps.large / rps.small, 3),
            unit: '×',
            kind: 'ratio',
          }),
          figure({
            key: 'peak_rss_ratio',
            label: 'Peak RSS, large state over small state',
            value: round(rss.large.peak / rss.small.peak, 3),
            unit: '×',
            kind: 'ratio',
          }),
          figure({
            key: 'failed_requests',
            label: 'Requests not answered 2xx (all runs)',
            value: failures,
            unit: 'requests',
            kind: 'count',
            goal: { op: '==', value: 0 },
          }),
          figure({
            key: 'small_p99_ms',
            label: `Small state p99 at ${fixedRate} requests/s`,
            value: round(p99.small),
            unit: 'ms',
            kind: 'absolute',
          }),
          figure({
            key: 'large_p99_ms',
            label: `Large state p99 at ${fixedRate} requests/s`,
            value: round(p99.large),
            unit: 'ms',
            kind: 'absolute',
          }),
          figure({
            key: 'small_rps',
            label: 'Small state requests/s (closed loop)',
            value: Math.round(rps.small),
            unit: 'req/s',
            kind: 'absolute',
          }),
          figure({
            key: 'large_rps',
            label: 'Large state requests/s (closed loop)',
            value: Math.round(rps.large),
            unit: 'req/s',
            kind: 'absolute',
          }),
          figure({
            key: 'small_cpu_us_per_request',
            label: 'Small state CPU time per blocks.get',
            value: Math.round(cpu.small),
            unit: 'µs',
            kind: 'absolute',
          }),
          figure({
            key: 'large_cpu_us_per_request',
            label: 'Large state CPU time per blocks.get',
            value: Math.round(cpu.large),
            unit: 'µs',
            kind: 'absolute',
          }),
          figure({
            key: 'large_idle_rss_mib',
            label: 'Large state RSS after start, before load',
            value: mib(rss.large.idle),
            unit: 'MiB',
            kind: 'absolute',
          }),
          figure({
            key: 'small_peak_rss_mib',
            label: 'Small state peak RSS, under load',
            value: mib(rss.small.peak),
            unit: 'MiB',
            kind: 'absolute',
          }),
          figure({
            key: 'seed_seconds',
            label: `Seeding ${largeBlocks.toLocaleString('en')} blocks (set-up, through the repositories)`,
            value: round(seedSeconds, 1),
            unit: 's',
            kind: 'absolute',
          }),
        ],
        details: {
          rss,
          fixedRate,
          p99,
          p99Saturated,
          rps,
          cpu,
          smallRuns,
          largeRuns,
          smallFixed,
          largeFixed,
        },
        notes: [
          'Both backends run side by side; rounds alternate small and large so other work on the machine lands on both.',
          'RSS is read from /proc/<pid>/status (VmRSS now, VmHWM for the peak).',
        ],
      };
    } finally {
      for (const stop of stops) await stop();
    }
  },
};

/**
 * `count` reads of random blocks by random tenants, each as the macro on its
 * own page would ask (one page and macro per block, so placements stay put).
 */
type TenantRead = LoadSpec['variants'][number] & { installationId: string };

function readsOf(tenants: readonly EmulatedTenant[], blocksPerTenant: number, count: number): TenantRead[] {
  const reads = Array.from({ length: count }, (_, index) => {
    // Every tenant before any repeats; the order is shuffled below.
    const tenant = tenants[index % tenants.length]!;
    const block = Math.floor(Math.random() * blocksPerTenant);
    return {
      installationId: tenant.installationId,
      method: 'POST' as const,
      path: '/forge/v1/blocks.get',
      headers: forgeHeaders(tenant),
      body: JSON.stringify({
        context: {
          cloudId: tenant.cloudId,
          accountId: 'reader-1',
          spaceKey: SEEDED_SPACE_KEY,
          contentId: String(100_000 + block),
          localId: `macro-${block}`,
        },
        input: { key: seededBlockKey(block) },
      }),
    };
  });
  for (let index = reads.length - 1; index > 0; index--) {
    const other = Math.floor(Math.random() * (index + 1));
    [reads[index], reads[other]] = [reads[other]!, reads[index]!];
  }
  return reads;
}

if (isMainModule(import.meta.url)) await runBenchmarkCli(stateScale);
