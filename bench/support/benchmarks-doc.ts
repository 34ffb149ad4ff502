import type { BenchmarkResult, Figure, Goal } from './results';

/**
 * docs/BENCHMARKS.md keeps prose written by hand and tables the runner owns.
 * The runner's parts sit between markers:
 *
 *   <!-- bench:machine -->…<!-- /bench:machine -->
 *   <!-- bench:<name> -->…<!-- /bench:<name> -->
 *
 * Everything outside the markers is left exactly as it is. A marker missing
 * from the document is an error: the document and the runner must agree on
 * what there is to show.
 */
export class MissingMarkerError extends Error {
  override readonly name = 'MissingMarkerError';
}

const goalText: Record<Goal['op'], string> = { '>=': '≥', '<=': '≤', '<': '<', '>': '>', '==': '=' };

function formatValue(item: Figure): string {
  const value = Number.isInteger(item.value) ? item.value.toLocaleString('en') : String(item.value);
  return item.unit === '' ? value : `${value} ${item.unit}`;
}

function verdict(item: Figure): string {
  if (item.met === undefined) return '';
  return item.met ? 'met' : '**missed**';
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|');
}

export function renderResultSection(result: BenchmarkResult): string {
  const withGoal = result.figures.filter((item) => item.goal !== undefined);
  const claims = result.figures.filter((item) => item.goal === undefined && item.kind !== 'absolute');
  const absolute = result.figures.filter((item) => item.goal === undefined && item.kind === 'absolute');
  const lines: string[] = [
    `Measured ${result.finishedAt.slice(0, 16).replace('T', ' ')} UTC in ${result.seconds} s by \`${result.command}\`` +
      ` (commit ${result.machine.commit}; 1-minute load average ${result.machine.loadAverageAtStart.toFixed(2)}` +
      ` at the start, ${result.machine.loadAverageAtEnd.toFixed(2)} at the end)${result.quick ? ', **quick mode**' : ''}.`,
    '',
  ];
  if (withGoal.length > 0) {
    lines.push('| goal | figure | kind | value | verdict |', '| --- | --- | --- | --- | --- |');
    for (const item of withGoal) {
      const goal = item.goal!;
      lines.push(
        `| ${goalText[goal.op]} ${goal.value}${item.unit === '' ? '' : ` ${item.unit}`} | ${escapeCell(item.label)} | ${item.kind} | ${formatValue(item)} | ${verdict(item)} |`,
      );
    }
    lines.push('');
  }
  if (claims.length > 0) {
    lines.push('| other ratios and counts | value |', '| --- | --- |');
    for (const item of claims) lines.push(`| ${escapeCell(item.label)} | ${formatValue(item)} |`);
    lines.push('');
  }
  if (absolute.length > 0) {
    lines.push('| absolute, for the record (not the claim) | value |', '| --- | --- |');
    for (const item of absolute) lines.push(`| ${escapeCell(item.label)} | ${formatValue(item)} |`);
    lines.push('');
  }
  lines.push(`Raw results: \`bench/results/${result.benchmark}.json\`.`);
  return lines.join('\n');
}

export function renderMachineSection(results: readonly BenchmarkResult[], command: string): string {
  const first = results[0];
  if (first === undefined) return 'No results yet.';
  const machine = first.machine;
  const loads = results.map((result) => result.machine.loadAverageAtStart);
  const started = results.map((result) => result.startedAt).sort()[0]!;
  const finished = results
    .map((result) => result.finishedAt)
    .sort()
    .at(-1)!;
  return [
    '| | |',
    '| --- | --- |',
    `| machine | ${machine.cpuModel}, ${machine.cpuCount} cores, ${machine.memoryGiB} GiB, ${machine.os} |`,
    `| Node | ${machine.node} |`,
    `| run | ${started.slice(0, 16).replace('T', ' ')} – ${finished.slice(0, 16).replace('T', ' ')} UTC, commit ${[...new Set(results.map((result) => result.machine.commit))].join(', ')} |`,
    `| command | ${[...new Set([command, ...results.map((result) => result.command)])].map((each) => `\`${each}\``).join(', ')} |`,
    `| other work on the machine | 1-minute load average ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} when the benchmarks started (2 cores shared with other engineers' builds and tests) |`,
  ].join('\n');
}

function replaceBetween(document: string, name: string, content: string): string {
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const start = document.indexOf(open);
  const end = document.indexOf(close);
  if (start < 0 || end < start)
    throw new MissingMarkerError(`docs/BENCHMARKS.md has no ${open} … ${close} section`);
  return `${document.slice(0, start + open.length)}\n${content}\n${document.slice(end)}`;
}

export function rewriteBenchmarksDoc(
  document: string,
  results: readonly BenchmarkResult[],
  command: string,
): string {
  let next = replaceBetween(document, 'machine', renderMachineSection(results, command));
  for (const result of results) next = replaceBetween(next, result.benchmark, renderResultSection(result));
  return next;
}
