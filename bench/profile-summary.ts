import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/**
 * Reads a V8 CPU profile (`node --cpu-prof`, or `--cpu-prof <dir>` on any
 * benchmark, which profiles the backend) and prints where the time went: the
 * heaviest functions by self time, and self time and inclusive time per
 * package or source folder. That is the flame graph's content in a form that
 * fits in docs/BENCHMARKS.md; load the file in Chrome DevTools or speedscope
 * for the picture.
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top 25]
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** Which package or source folder a frame belongs to: the unit a fix would land in. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return '(garbage collector)';
    if (functionName === '(idle)' || functionName === '(program)') return functionName;
    return '(native)';
  }
  const nodeModules = url.lastIndexOf('/node_modules/');
  if (nodeModules >= 0) {
    const rest = url.slice(nodeModules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const source = /\/(backend|shared|devkit|bench)\/(?:src\/)?(?:dist\/)?(.*)$/.exec(url);
  if (source !== null) return `${source[1]}/${source[2]!.split('/').slice(0, -1).join('/') || '.'}`;
  return url;
}

export function summariseProfile(profile: CpuProfile, top: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // Sample durations: timeDeltas[i] is the time before sample i.
  const selfMicros = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let index = 0; index < samples.length; index++) {
    const next = deltas[index + 1] ?? 0;
    selfMicros.set(samples[index]!, (selfMicros.get(samples[index]!) ?? 0) + Math.max(0, next));
  }
  const total = [...selfMicros.values()].reduce((sum, value) => sum + value, 0);
  const idle = [...selfMicros.entries()]
    .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
    .reduce((sum, [, value]) => sum + value, 0);
  const busy = total - idle;

  const functionSelf = new Map<string, number>();
  const areaSelf = new Map<string, number>();
  const areaInclusive = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id)!;
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') continue;
    const area = areaOf(frame.url, frame.functionName);
    const name = `${frame.functionName || '(anonymous)'}  ${area}:${frame.lineNumber + 1}`;
    functionSelf.set(name, (functionSelf.get(name) ?? 0) + micros);
    areaSelf.set(area, (areaSelf.get(area) ?? 0) + micros);
    // Inclusive: every distinct area on the stack of this sample gets its time once.
    const seen = new Set<string>();
    for (let cursor: number | undefined = id; cursor !== undefined; cursor = parent.get(cursor)) {
      const each = byId.get(cursor)!.callFrame;
      if (each.functionName === '(root)') continue;
      seen.add(areaOf(each.url, each.functionName));
    }
    for (const each of seen) areaInclusive.set(each, (areaInclusive.get(each) ?? 0) + micros);
  }

  const pct = (micros: number) => `${((100 * micros) / busy).toFixed(1).padStart(5)}%`;
  const rank = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  const lines = [
    `busy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s sampled (${pct(busy)} of busy time shown below)`,
    '',
    'self time by function:',
    ...rank(functionSelf).map(([name, micros]) => `  ${pct(micros)}  ${name}`),
    '',
    'self time by package / folder:',
    ...rank(areaSelf).map(([name, micros]) => `  ${pct(micros)}  ${name}`),
    '',
    'inclusive time by package / folder (a frame anywhere on the stack):',
    ...rank(areaInclusive).map(([name, micros]) => `  ${pct(micros)}  ${name}`),
  ];
  return lines.join('\n');
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});
if (positionals.length !== 1) {
  process.stderr.write('usage: profile-summary <file.cpuprofile> [--top N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as CpuProfile;
process.stdout.write(`${summariseProfile(profile, Number(values.top))}\n`);
