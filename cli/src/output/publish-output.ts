import type { FileOutcome, FileWarning, OrphanOutcome, PublishReport } from '../publishing/publish-types';

export type OutputFormat = 'text' | 'json' | 'github';

/** Where a format writes: stdout for results, stderr for progress, a file for GitHub's job summary. */
export interface OutputSink {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Appends to `$GITHUB_STEP_SUMMARY` (absent outside GitHub Actions). */
  appendSummary?: (markdown: string) => void;
}

function where(warning: FileWarning): string {
  return warning.line === undefined ? warning.path : `${warning.path}:${warning.line}`;
}

function fileLine(file: FileOutcome): string {
  const moved = file.renamedFrom === undefined ? '' : ` (from ${file.renamedFrom})`;
  const url = file.pageUrl === undefined ? '' : `  ${file.pageUrl}`;
  const error = file.error === undefined ? '' : `  ${file.error.code}: ${file.error.detail}`;
  return `${file.action.padEnd(18)} ${file.path}${moved}${url}${error}`;
}

function orphanLine(orphan: OrphanOutcome): string {
  const why =
    orphan.action === 'archive-refused'
      ? '  not archived: a file failed in this run'
      : orphan.error === undefined
        ? ''
        : `  ${orphan.error.code}: ${orphan.error.detail}`;
  return `${orphan.action.padEnd(18)} ${orphan.path} (file gone)${orphan.pageUrl === undefined ? '' : `  ${orphan.pageUrl}`}${why}`;
}

export function summaryCounts(report: PublishReport): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const file of report.files) counts[file.action] = (counts[file.action] ?? 0) + 1;
  for (const orphan of report.orphans) counts[orphan.action] = (counts[orphan.action] ?? 0) + 1;
  return counts;
}

function summaryLine(report: PublishReport): string {
  const counts = Object.entries(summaryCounts(report))
    .map(([action, count]) => `${count} ${action}`)
    .join(', ');
  return `${report.dryRun ? 'dry run (nothing written): ' : ''}${report.files.length} files in tree ${report.tree}, space ${report.spaceKey}: ${counts || 'nothing to do'}`;
}

/** Plain lines: one per file, its warnings under it, the orphans, a summary. */
export function renderText(report: PublishReport): string {
  const lines: string[] = [];
  if (report.error !== undefined) lines.push(`error: ${report.error.code}: ${report.error.detail}`);
  for (const file of report.files) {
    lines.push(fileLine(file));
    for (const warning of file.warnings)
      lines.push(`  ${where(warning)}: warning ${warning.code}: ${warning.message}`);
  }
  for (const orphan of report.orphans) lines.push(orphanLine(orphan));
  lines.push(summaryLine(report));
  return `${lines.join('\n')}\n`;
}

export function renderJson(report: PublishReport): string {
  return `${JSON.stringify({ ...report, summary: summaryCounts(report) }, null, 2)}\n`;
}

/** GitHub's workflow commands: escaped as the runner expects (`%`, CR, LF; and `:`/`,` in properties). */
function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}
function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

export function renderGithubAnnotations(report: PublishReport, rootPrefix: string): string {
  const lines: string[] = [];
  const file = (path: string) => escapeProperty(`${rootPrefix}${path}`);
  for (const outcome of report.files) {
    for (const warning of outcome.warnings) {
      const line = warning.line === undefined ? '' : `,line=${warning.line}`;
      lines.push(
        `::warning file=${file(warning.path)}${line},title=${escapeProperty(warning.code)}::${escapeData(warning.message)}`,
      );
    }
    if (outcome.action === 'failed') {
      lines.push(
        `::error file=${file(outcome.path)},title=${escapeProperty(outcome.error?.code ?? 'failed')}::${escapeData(outcome.error?.detail ?? 'failed')}`,
      );
    }
    if (outcome.action === 'skipped-human-edit' || outcome.action === 'skip-human-edit') {
      lines.push(
        `::warning file=${file(outcome.path)},title=human_edit::${escapeData(`left alone: edited in Confluence since the last publish (${outcome.pageUrl ?? outcome.externalId})`)}`,
      );
    }
  }
  if (report.error !== undefined)
    lines.push(`::error title=${escapeProperty(report.error.code)}::${escapeData(report.error.detail)}`);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** The job summary: one row per file that did something (unchanged files are counted, not listed) and per orphan. */
export function renderGithubSummary(report: PublishReport): string {
  const lines = [
    `### pagewire publish: ${cell(report.tree)}${report.dryRun ? ' (dry run)' : ''}`,
    '',
    summaryLine(report),
    '',
  ];
  const rows = report.files.filter((file) => file.action !== 'unchanged');
  if (rows.length + report.orphans.length > 0) {
    lines.push('| file | outcome | page | notes |', '| --- | --- | --- | --- |');
    for (const file of rows) {
      const page = file.pageUrl === undefined ? cell(file.title) : `[${cell(file.title)}](${file.pageUrl})`;
      const notes = [
        ...(file.renamedFrom === undefined ? [] : [`from ${file.renamedFrom}`]),
        ...(file.error === undefined ? [] : [`${file.error.code}: ${file.error.detail}`]),
        ...(file.warnings.length === 0 ? [] : [`${file.warnings.length} warning(s)`]),
      ].join('; ');
      lines.push(`| ${cell(file.path)} | ${file.action} | ${page} | ${cell(notes)} |`);
    }
    for (const orphan of report.orphans) {
      const page =
        orphan.pageUrl === undefined ? cell(orphan.title) : `[${cell(orphan.title)}](${orphan.pageUrl})`;
      lines.push(`| ${cell(orphan.path)} | ${orphan.action} | ${page} | file gone |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function writeReport(
  report: PublishReport,
  format: OutputFormat,
  sink: OutputSink,
  rootPrefix: string,
): void {
  if (format === 'json') {
    sink.stdout(renderJson(report));
    return;
  }
  sink.stdout(renderText(report));
  if (format === 'github') {
    sink.stdout(renderGithubAnnotations(report, rootPrefix));
    sink.appendSummary?.(renderGithubSummary(report));
  }
}
