import { describe, expect, it } from 'vitest';
import { MissingMarkerError, rewriteBenchmarksDoc } from './benchmarks-doc';
import { type BenchmarkResult, figure } from './results';

function result(name: string, value: number): BenchmarkResult {
  return {
    benchmark: name,
    title: name,
    quick: false,
    startedAt: '2026-11-28T10:00:00.000Z',
    finishedAt: '2026-11-28T10:01:00.000Z',
    seconds: 60,
    command: `node --import tsx bench/${name}.ts`,
    machine: {
      cpuModel: 'Test CPU',
      cpuCount: 2,
      memoryGiB: 4,
      os: 'linux test',
      node: 'v20.20.2',
      loadAverageAtStart: 0.5,
      loadAverageAtEnd: 0.7,
      commit: 'abc1234',
    },
    parameters: {},
    figures: [
      figure({
        key: 'ratio',
        label: 'Ours over theirs',
        value,
        unit: '×',
        kind: 'ratio',
        goal: { op: '>=', value: 0.6 },
      }),
      figure({
        key: 'absolute',
        label: 'Requests | per second',
        value: 1234,
        unit: 'req/s',
        kind: 'absolute',
      }),
    ],
    details: {},
    notes: [],
  };
}

const document = [
  '# Benchmarks',
  'Prose a person wrote.',
  '<!-- bench:machine -->',
  'old machine',
  '<!-- /bench:machine -->',
  '## One',
  'Why this matters.',
  '<!-- bench:one -->',
  'old table',
  '<!-- /bench:one -->',
  'After the table.',
].join('\n');

describe('the benchmarks document', () => {
  it('replaces the marked tables and keeps every word around them', () => {
    const rewritten = rewriteBenchmarksDoc(document, [result('one', 0.4)], 'npm run bench');
    expect(rewritten).not.toContain('old table');
    expect(rewritten).not.toContain('old machine');
    expect(rewritten).toContain('Prose a person wrote.\n<!-- bench:machine -->');
    expect(rewritten).toContain('<!-- /bench:one -->\nAfter the table.');
    expect(rewritten).toContain('| ≥ 0.6 × | Ours over theirs | ratio | 0.4 × | **missed** |');
    // A pipe in a label must not break the table.
    expect(rewritten).toContain('| Requests \\| per second | 1,234 req/s |');
    expect(rewritten).toContain('| Node | v20.20.2 |');
  });

  it('says met when the figure reaches its goal', () => {
    expect(rewriteBenchmarksDoc(document, [result('one', 0.75)], 'npm run bench')).toContain(
      '| 0.75 × | met |',
    );
  });

  it('refuses a document without a section for a benchmark it was given', () => {
    expect(() => rewriteBenchmarksDoc(document, [result('two', 1)], 'npm run bench')).toThrow(
      MissingMarkerError,
    );
  });
});
