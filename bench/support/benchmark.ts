import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildBenchPrograms } from './build';
import { BACKEND_MAIN, REPO_ROOT } from './child-servers';
import { type BenchmarkResult, benchmarkResultSchema, describeMachine, type Figure } from './results';

/** Every benchmark, in the order `npm run bench` runs them (each is `bench/<name>.ts`). */
export const BENCHMARKS = [
  'read-path',
  'state-scale',
  'cold-start',
  'publishing-rate-limit',
  'coalescing',
  'emulator-throughput',
  'export',
  'webhooks',
  'docs-as-code',
] as const;

export interface BenchContext {
  /** Small sizes and short runs: proves the benchmark works, measures nothing worth quoting. */
  readonly quick: boolean;
  /** A private temporary directory, removed afterwards (databases, specs). */
  readonly workDir: string;
  /** Where the backend writes CPU profiles when asked (`--cpu-prof`), else undefined. */
  readonly cpuProfileDir: string | undefined;
  /** The backend bundle to start: `backend/dist/main.js`, or another build given with `--backend`. */
  readonly backendMain: string;
  /** Progress on stderr (stdout carries nothing but the summary). */
  log(message: string): void;
}

export interface BenchOutcome {
  parameters: Record<string, unknown>;
  figures: Figure[];
  details: Record<string, unknown>;
  notes: string[];
}

export interface BenchmarkDefinition {
  /** kebab-case; also the results file name and the docs section marker. */
  readonly name: string;
  readonly title: string;
  run(context: BenchContext): Promise<BenchOutcome>;
}

/** True when `moduleUrl` is the script node was started with. */
export function isMainModule(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && moduleUrl === pathToFileURL(script).href;
}

/**
 * Runs one benchmark as a command:
 *
 *   node --import tsx bench/<name>.ts [--quick] [--out <file>] [--no-build] [--cpu-prof <dir>] [--backend <main.js>]
 *
 * Writes the validated result JSON (default `bench/results/<name>.json`, or a
 * temporary directory with `--quick`, so a quick run never overwrites the
 * committed figures) and prints its figures.
 */
export async function runBenchmarkCli(definition: BenchmarkDefinition): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      backend: { type: 'string' },
      /** The command a person typed (`npm run bench …`), which the runner passes down for the record. */
      'runner-command': { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  const out =
    values.out ??
    (quick
      ? join(tmpdir(), 'pagewire-bench-quick', `${definition.name}.json`)
      : join(REPO_ROOT, 'bench', 'results', `${definition.name}.json`));
  if (!values['no-build']) await buildBenchPrograms();

  const result = await runBenchmark(definition, {
    quick,
    cpuProfileDir: values['cpu-prof'],
    backendMain: values.backend === undefined ? BACKEND_MAIN : resolve(values.backend),
    command:
      values['runner-command'] ??
      ['node --import tsx', relative(REPO_ROOT, process.argv[1]!), ...process.argv.slice(2)].join(' '),
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  for (const item of result.figures) {
    const verdict = item.met === undefined ? '' : item.met ? '  (goal met)' : '  (GOAL MISSED)';
    process.stdout.write(`${item.label}: ${item.value} ${item.unit}${verdict}\n`);
  }
  process.stdout.write(`wrote ${out}\n`);
}

export async function runBenchmark(
  definition: BenchmarkDefinition,
  options: { quick: boolean; cpuProfileDir: string | undefined; backendMain: string; command: string },
): Promise<BenchmarkResult> {
  const loadAtStart = loadavg()[0]!;
  const startedAt = new Date();
  const workDir = mkdtempSync(join(tmpdir(), `pagewire-bench-${definition.name}-`));
  if (options.cpuProfileDir !== undefined) mkdirSync(options.cpuProfileDir, { recursive: true });
  try {
    const outcome = await definition.run({
      quick: options.quick,
      workDir,
      cpuProfileDir: options.cpuProfileDir,
      backendMain: options.backendMain,
      log: (message) => process.stderr.write(`[${definition.name}] ${message}\n`),
    });
    const finishedAt = new Date();
    return benchmarkResultSchema.parse({
      benchmark: definition.name,
      title: definition.title,
      quick: options.quick,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      seconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 100) / 10,
      command: options.command,
      machine: describeMachine(loadAtStart),
      ...outcome,
    });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
