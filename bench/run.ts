import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCHMARKS } from './support/benchmark';
import { rewriteBenchmarksDoc } from './support/benchmarks-doc';
import { buildBenchPrograms } from './support/build';
import { REPO_ROOT } from './support/child-servers';
import { type BenchmarkResult, benchmarkResultSchema } from './support/results';

/**
 * `npm run bench`: every benchmark, one after the other, each in its own
 * process (a clean heap and no timers left over from the one before), then
 * the tables in docs/BENCHMARKS.md rewritten from the JSON they wrote.
 *
 *   npm run bench                      the full run → bench/results/*.json and docs/BENCHMARKS.md
 *   npm run bench -- --quick           small sizes, short runs → a temporary directory; the docs are untouched
 *   npm run bench -- --only read-path,cold-start
 *   npm run bench -- --cpu-prof <dir>  profile every backend the benchmarks start (node --cpu-prof)
 *   --results-dir <dir>, --docs <file> put the JSON and the rewritten document elsewhere
 *   --backend <main.js>                start another build of the backend (a before/after comparison)
 */

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'results-dir': { type: 'string' },
    docs: { type: 'string' },
    'cpu-prof': { type: 'string' },
    backend: { type: 'string' },
  },
});
const quick = values.quick ?? false;
const selected =
  values.only === undefined ? [...BENCHMARKS] : values.only.split(',').map((name) => name.trim());
for (const name of selected) {
  if (!(BENCHMARKS as readonly string[]).includes(name)) {
    process.stderr.write(`unknown benchmark "${name}"; there are: ${BENCHMARKS.join(', ')}\n`);
    process.exit(2);
  }
}
const resultsDir = resolve(
  values['results-dir'] ??
    (quick ? join(tmpdir(), 'pagewire-bench-quick') : join(REPO_ROOT, 'bench', 'results')),
);
// A quick run proves the benchmarks work; its figures never replace the committed ones unless asked.
const docsPath = values.docs ?? (quick ? undefined : join(REPO_ROOT, 'docs', 'BENCHMARKS.md'));
const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;

function runOne(name: string): Promise<number | null> {
  const args = ['--import', 'tsx', join(REPO_ROOT, 'bench', `${name}.ts`), '--no-build'];
  args.push('--out', join(resultsDir, `${name}.json`));
  if (quick) args.push('--quick');
  if (values['cpu-prof'] !== undefined) args.push('--cpu-prof', resolve(values['cpu-prof']));
  if (values.backend !== undefined) args.push('--backend', resolve(values.backend));
  args.push('--runner-command', command);
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((done) => child.once('exit', (code) => done(code)));
}

mkdirSync(resultsDir, { recursive: true });
process.stderr.write(`building the backend bundle and the baseline server\n`);
await buildBenchPrograms();

const failed: string[] = [];
const results: BenchmarkResult[] = [];
for (const name of selected) {
  process.stderr.write(`\n== ${name}${quick ? ' (quick)' : ''}\n`);
  const file = join(resultsDir, `${name}.json`);
  rmSync(file, { force: true });
  const code = await runOne(name);
  if (code !== 0 || !existsSync(file)) {
    failed.push(name);
    continue;
  }
  const parsed = benchmarkResultSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success || parsed.data.quick !== quick) {
    process.stderr.write(`${file} is not a well-formed result of this run\n`);
    failed.push(name);
    continue;
  }
  results.push(parsed.data);
}

if (docsPath !== undefined && results.length > 0) {
  // Every result on file, not only this run's: `--only` refreshes some tables and the machine
  // table still describes all the figures the document shows.
  const shown = BENCHMARKS.flatMap((name) => {
    const fresh = results.find((result) => result.benchmark === name);
    if (fresh !== undefined) return [fresh];
    const file = join(resultsDir, `${name}.json`);
    if (!existsSync(file)) return [];
    const parsed = benchmarkResultSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success && parsed.data.quick === quick ? [parsed.data] : [];
  });
  const document = readFileSync(docsPath, 'utf8');
  writeFileSync(docsPath, rewriteBenchmarksDoc(document, shown, command));
  process.stderr.write(`\nrewrote the tables in ${docsPath}\n`);
}
process.stderr.write(`results in ${resultsDir}\n`);
if (failed.length > 0) {
  process.stderr.write(`FAILED: ${failed.join(', ')}\n`);
  process.exit(1);
}
