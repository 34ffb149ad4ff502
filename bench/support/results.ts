import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { z } from 'zod';
import { REPO_ROOT } from './child-servers';

/**
 * What every benchmark writes to `bench/results/<name>.json`. A figure is a
 * claim only when it is a ratio against a baseline measured in the same run,
 * or a count; absolute times are kept for the record (`kind: 'absolute'`).
 */
export const goalSchema = z.object({
  op: z.enum(['>=', '<=', '<', '>', '==']),
  value: z.number(),
});
export type Goal = z.infer<typeof goalSchema>;

export const figureSchema = z.object({
  /** Stable identifier (snake_case), for tools reading the JSON. */
  key: z.string().regex(/^[a-z][a-z0-9_]*$/),
  label: z.string().min(1),
  value: z.number().refine(Number.isFinite, 'must be a finite number'),
  unit: z.string(),
  kind: z.enum(['ratio', 'count', 'absolute']),
  goal: goalSchema.optional(),
  met: z.boolean().optional(),
});
export type Figure = z.infer<typeof figureSchema>;

export const machineSchema = z.object({
  cpuModel: z.string(),
  cpuCount: z.number().int().positive(),
  memoryGiB: z.number().positive(),
  os: z.string(),
  node: z.string(),
  /** 1-minute load average when the benchmark started and ended: other work on the machine. */
  loadAverageAtStart: z.number().nonnegative(),
  loadAverageAtEnd: z.number().nonnegative(),
  commit: z.string(),
});
export type Machine = z.infer<typeof machineSchema>;

export const benchmarkResultSchema = z.object({
  benchmark: z.string().regex(/^[a-z][a-z0-9-]*$/),
  title: z.string(),
  quick: z.boolean(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  seconds: z.number().nonnegative(),
  command: z.string(),
  machine: machineSchema,
  parameters: z.record(z.string(), z.unknown()),
  figures: z.array(figureSchema).min(1),
  details: z.record(z.string(), z.unknown()),
  notes: z.array(z.string()),
});
export type BenchmarkResult = z.infer<typeof benchmarkResultSchema>;

export function meets(value: number, goal: Goal): boolean {
  switch (goal.op) {
    case '>=':
      return value >= goal.value;
    case '<=':
      return value <= goal.value;
    case '<':
      return value < goal.value;
    case '>':
      return value > goal.value;
    case '==':
      return value === goal.value;
  }
}

export function figure(input: Omit<Figure, 'met'>): Figure {
  return input.goal === undefined ? input : { ...input, met: meets(input.value, input.goal) };
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' });
    return head.trim();
  } catch {
    return 'unknown';
  }
}

export function describeMachine(loadAverageAtStart: number): Machine {
  const cores = cpus();
  return {
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    cpuCount: cores.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${process.platform} ${release()}`,
    node: process.version,
    loadAverageAtStart,
    loadAverageAtEnd: loadavg()[0]!,
    commit: gitCommit(),
  };
}
