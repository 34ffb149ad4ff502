import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCHMARKS } from './support/benchmark';
import { REPO_ROOT } from './support/child-servers';
import { benchmarkResultSchema } from './support/results';

/**
 * Runs `npm run bench -- --quick` for real (every benchmark, small sizes,
 * short runs) and checks that each one ran and wrote a well-formed result,
 * and that the runner rewrote the tables of a copy of docs/BENCHMARKS.md.
 * The numbers themselves are never checked: tests do not assert timings.
 */
let workDir: string;
let exitCode: number | null;
let output = '';

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'pagewire-bench-test-'));
  copyFileSync(join(REPO_ROOT, 'docs', 'BENCHMARKS.md'), join(workDir, 'BENCHMARKS.md'));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO_ROOT, 'bench', 'run.ts'),
      '--quick',
      '--results-dir',
      join(workDir, 'results'),
      '--docs',
      join(workDir, 'BENCHMARKS.md'),
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  exitCode = await new Promise((resolve) => child.once('exit', resolve));
}, 300_000);

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('npm run bench -- --quick', () => {
  it('runs every benchmark to the end', () => {
    expect(exitCode, output.slice(-4000)).toBe(0);
  });

  it.each(BENCHMARKS)('writes a well-formed quick result for %s', (name) => {
    const raw: unknown = JSON.parse(readFileSync(join(workDir, 'results', `${name}.json`), 'utf8'));
    const result = benchmarkResultSchema.parse(raw);
    expect(result.benchmark).toBe(name);
    expect(result.quick).toBe(true);
    // Every goal has a verdict, and the claim is a ratio or a count unless it is labelled absolute.
    for (const item of result.figures) {
      if (item.goal !== undefined) expect(typeof item.met).toBe('boolean');
    }
    expect(result.figures.some((item) => item.kind !== 'absolute')).toBe(true);
  });

  it('rewrites the tables of the benchmarks document and nothing else', () => {
    const original = readFileSync(join(REPO_ROOT, 'docs', 'BENCHMARKS.md'), 'utf8');
    const rewritten = readFileSync(join(workDir, 'BENCHMARKS.md'), 'utf8');
    const outsideMarkers = (text: string) =>
      text.replace(/<!-- bench:([a-z-]+) -->[\s\S]*?<!-- \/bench:\1 -->/g, '');
    expect(outsideMarkers(rewritten)).toBe(outsideMarkers(original));
    for (const name of BENCHMARKS) {
      const section = new RegExp(`<!-- bench:${name} -->([\\s\\S]*?)<!-- /bench:${name} -->`).exec(rewritten);
      expect(section?.[1]).toContain('**quick mode**');
      expect(section?.[1]).toContain(`bench/results/${name}.json`);
    }
    expect(rewritten).toContain('| Node | v');
  });
});
