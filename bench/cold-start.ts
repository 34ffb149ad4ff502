import { join } from 'node:path';
import {
  type BenchContext,
  type BenchmarkDefinition,
  type BenchOutcome,
  isMainModule,
  runBenchmarkCli,
} from './support/benchmark';
import { BARE_SERVER_MAIN } from './support/child-servers';
import { median, round } from './support/percentiles';
import { timeBackendToReady, timeToReady } from './support/ready-timer';
import { figure } from './support/results';
import { seedState } from './support/seed-state';

/**
 * Benchmark 5, cold start: from `spawn` to the first `200` on `/readyz`, for
 * the backend on a fresh SQLite file (every migration runs) and on an
 * existing file holding 100,000 blocks, against the bare Express server
 * started the same way (node, one bundled file, express from node_modules).
 * `/readyz` is polled every 2 ms on a port chosen beforehand, so the figure
 * does not depend on when a log line arrives.
 */
export const coldStart: BenchmarkDefinition = {
  name: 'cold-start',
  title: 'Cold start: process start to /readyz 200',
  async run(context: BenchContext): Promise<BenchOutcome> {
    const settings = context.quick
      ? { trials: 1, tenants: 20, blocks: 100 }
      : { trials: 7, tenants: 1000, blocks: 100 };
    const existing = join(context.workDir, 'existing.db');
    context.log(`seeding ${settings.tenants * settings.blocks} blocks`);
    await seedState({
      databaseUrl: `sqlite:${existing}`,
      tenants: Array.from({ length: settings.tenants }, (_, index) => ({
        installationId: `ari:cloud:ecosystem::installation/00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
        cloudId: `cloud-${index}`,
        apiBaseUrl: `http://127.0.0.1:9/ex/confluence/cloud-${index}`,
      })),
      blocksPerTenant: settings.blocks,
    });

    // One untimed start on the seeded file: a deployment's file has every migration applied already.
    await timeBackendToReady(context.backendMain, `sqlite:${existing}`);

    const bare: number[] = [];
    const fresh: number[] = [];
    const seeded: number[] = [];
    for (let trial = 1; trial <= settings.trials; trial++) {
      context.log(`trial ${trial}/${settings.trials}`);
      bare.push(
        await timeToReady(['--enable-source-maps', BARE_SERVER_MAIN], {
          HOST: '127.0.0.1',
          BARE_RESPONSE_JSON: '{}',
        }),
      );
      const freshFile = join(context.workDir, `fresh-${trial}.db`);
      fresh.push(await timeBackendToReady(context.backendMain, `sqlite:${freshFile}`));
      seeded.push(await timeBackendToReady(context.backendMain, `sqlite:${existing}`));
    }
    const ms = { bare: median(bare), fresh: median(fresh), seeded: median(seeded) };
    const blocks = (settings.tenants * settings.blocks).toLocaleString('en');
    return {
      parameters: {
        trials: settings.trials,
        existingFile: { installations: settings.tenants, blocksPerInstallation: settings.blocks },
        readinessPollMs: 2,
        order: 'bare, fresh, existing in each trial; medians reported',
      },
      figures: [
        figure({
          key: 'fresh_over_bare',
          label: 'Start to ready on a fresh SQLite file, over the bare Express server',
          value: round(ms.fresh / ms.bare, 2),
          unit: '×',
          kind: 'ratio',
        }),
        figure({
          key: 'existing_over_bare',
          label: `Start to ready on a file with ${blocks} blocks, over the bare Express server`,
          value: round(ms.seeded / ms.bare, 2),
          unit: '×',
          kind: 'ratio',
        }),
        figure({
          key: 'existing_over_fresh',
          label: `Start to ready with ${blocks} blocks, over a fresh file`,
          value: round(ms.seeded / ms.fresh, 2),
          unit: '×',
          kind: 'ratio',
        }),
        figure({
          key: 'bare_ms',
          label: 'Bare Express server',
          value: round(ms.bare, 1),
          unit: 'ms',
          kind: 'absolute',
        }),
        figure({
          key: 'fresh_ms',
          label: 'Backend, fresh SQLite file',
          value: round(ms.fresh, 1),
          unit: 'ms',
          kind: 'absolute',
        }),
        figure({
          key: 'existing_ms',
          label: `Backend, existing file with ${blocks} blocks`,
          value: round(ms.seeded, 1),
          unit: 'ms',
          kind: 'absolute',
        }),
      ],
      details: { bareMs: bare, freshMs: fresh, existingMs: seeded },
      notes: ['The OS page cache is warm: the seeded file was just written and read once.'],
    };
  },
};

if (isMainModule(import.meta.url)) await runBenchmarkCli(coldStart);
