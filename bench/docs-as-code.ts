import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestLogEntry } from '@pagewire/devkit';
import {
  type BenchContext,
  type BenchmarkDefinition,
  type BenchOutcome,
  isMainModule,
  runBenchmarkCli,
} from './support/benchmark';
import { REPO_ROOT } from './support/child-servers';
import { round } from './support/percentiles';
import { collectRequests, type PublishingStack, startPublishingStack } from './support/publishing-stack';
import { figure } from './support/results';

/**
 * Benchmark 9, docs as code (docs/DOCS-AS-CODE.md): `pagewire publish` of a
 * 500-file Markdown tree (10 folders, each an `index.md` and 49 pages linking
 * to their neighbours) at a 50 requests/s Confluence burst limit, then again
 * after 5 files changed. The CLI runs as a user runs it (`node
 * cli/bin/pagewire.js publish`, its own process) against the production
 * backend bundle and the emulator; every Confluence request is counted from
 * the emulator's log.
 */
interface Workload {
  folders: number;
  pagesPerFolder: number;
  changed: number;
  burstPerSecond: number;
}

const FULL: Workload = { folders: 10, pagesPerFolder: 50, changed: 5, burstPerSecond: 50 };
const QUICK: Workload = { folders: 2, pagesPerFolder: 4, changed: 2, burstPerSecond: 50 };

function pagePath(folder: number, page: number): string {
  return page === 0 ? `area-${folder}/index.md` : `area-${folder}/page-${page}.md`;
}

function pageMarkdown(folder: number, page: number, workload: Workload, revision: number): string {
  const next = (page % (workload.pagesPerFolder - 1)) + 1;
  return [
    page === 0 ? `# Area ${folder}` : `# Area ${folder} page ${page}`,
    '',
    `Revision ${revision}. Owned by team ${folder}; see [the next page](page-${next}.md#usage) and [the area](index.md).`,
    '',
    '## Usage',
    '',
    '- step one: check the dashboard',
    '- step two: page the on-call',
    `- step three: file ticket ${folder * 1000 + page}`,
    '',
    '| region | healthy |',
    '| --- | --- |',
    '| eu-west | yes |',
    '| us-east | yes |',
  ].join('\n');
}

function writeTree(root: string, workload: Workload): string[] {
  const paths: string[] = [];
  for (let folder = 1; folder <= workload.folders; folder++) {
    mkdirSync(join(root, `area-${folder}`), { recursive: true });
    for (let page = 0; page < workload.pagesPerFolder; page++) {
      writeFileSync(join(root, pagePath(folder, page)), pageMarkdown(folder, page, workload, 1));
      paths.push(pagePath(folder, page));
    }
  }
  return paths;
}

interface CliRun {
  seconds: number;
  exitCode: number | null;
  report: {
    files: Array<{ path: string; action: string }>;
    summary: Record<string, number>;
    timings: { planMs: number; sendMs: number; waitMs: number };
  };
  requests: RequestLogEntry[];
}

async function runCli(stack: PublishingStack, root: string, afterSeq: number): Promise<CliRun> {
  const collector = collectRequests(stack.dev, stack.site.cloudId, { afterSeq });
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [
      join(REPO_ROOT, 'cli', 'bin', 'pagewire.js'),
      'publish',
      root,
      '--space',
      stack.site.space.key,
      '--output',
      'json',
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, PAGEWIRE_BACKEND_URL: stack.backend.url, PAGEWIRE_INGEST_KEY: stack.ingestKey },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const exitCode = await new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const seconds = (Date.now() - started) / 1000;
  const requests = await collector.stop();
  return { seconds, exitCode, report: JSON.parse(Buffer.concat(chunks).toString('utf8')), requests };
}

/** The site's last request sequence number once no new Confluence request came for 3 s. */
async function quietSeq(stack: PublishingStack): Promise<number> {
  let last = -1;
  for (const deadline = Date.now() + 300_000; Date.now() < deadline; ) {
    const seq = (await stack.dev.requests({ cloudId: stack.site.cloudId })).at(-1)?.seq ?? 0;
    if (seq === last) return seq;
    last = seq;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
  }
  throw new Error('the backend kept calling Confluence for 5 minutes after the first run');
}

const PAGE_IN_PATH = /\/(?:pages|content)\/(\d+)/;

function pagesTouched(requests: readonly RequestLogEntry[]): Set<string> {
  const ids = new Set<string>();
  for (const entry of requests) {
    const match = PAGE_IN_PATH.exec(entry.path);
    if (match !== null) ids.add(match[1]!);
  }
  return ids;
}

function isPageWrite(entry: RequestLogEntry): boolean {
  return entry.method === 'PUT' && /\/pages\/\d+$/.test(entry.path.split('?')[0]!);
}

export const docsAsCode: BenchmarkDefinition = {
  name: 'docs-as-code',
  title: 'Docs as code: a 500-file Markdown tree at 50 requests/s, then 5 files changed',
  async run(context: BenchContext): Promise<BenchOutcome> {
    const workload = context.quick ? QUICK : FULL;
    const files = workload.folders * workload.pagesPerFolder;
    const root = join(context.workDir, 'handbook');
    writeTree(root, workload);
    const stack = await startPublishingStack(context, {
      siteName: 'docs',
      burstPerSecond: workload.burstPerSecond,
    });
    try {
      context.log(`first publish: ${files} files`);
      const first = await runCli(stack, root, 0);
      if (first.exitCode !== 0) throw new Error(`the first publish ended with exit code ${first.exitCode}`);
      // The second run starts once the backend is idle (its space-index flush, any re-publish still queued),
      // so that every request counted after it is the second run's doing.
      const afterFirst = await quietSeq(stack);
      // One page in each of the first folders, each a real edit.
      const changed = Array.from({ length: workload.changed }, (_, index) => pagePath(index + 1, index + 1));
      for (const path of changed)
        writeFileSync(
          join(root, path),
          `${readFileSync(join(root, path), 'utf8')}\n\nEdited for the second run.\n`,
        );
      context.log(`second publish: ${changed.length} files changed`);
      const second = await runCli(stack, root, afterFirst);
      if (second.exitCode !== 0)
        throw new Error(`the second publish ended with exit code ${second.exitCode}`);

      const answered = (run: CliRun) => run.requests.filter((entry) => entry.status !== 429).length;
      const throttled = (run: CliRun) => run.requests.filter((entry) => entry.status === 429).length;
      const minimum = (run: CliRun) => answered(run) / workload.burstPerSecond;
      const pagesOfChanged = pagesTouched(second.requests);
      const writes = second.requests.filter(isPageWrite).length;
      const sentSecond = second.report.files.filter((file) => file.action !== 'unchanged').length;
      const figures = [
        figure({
          key: 'first_wall_over_minimum',
          label: `First publish (${files} files): wall time over its theoretical minimum`,
          value: round(first.seconds / minimum(first), 3),
          unit: '×',
          kind: 'ratio',
          goal: { op: '<=', value: 1.25 },
        }),
        figure({
          key: 'first_429_share_percent',
          label: 'First publish: Confluence requests answered 429',
          value: round((100 * throttled(first)) / Math.max(1, first.requests.length), 2),
          unit: '%',
          kind: 'ratio',
          goal: { op: '<', value: 1 },
        }),
        figure({
          key: 'first_requests_per_page',
          label: 'First publish: Confluence requests per page (not counting 429s)',
          value: round(answered(first) / files, 3),
          unit: 'requests',
          kind: 'ratio',
        }),
        figure({
          key: 'first_wall_over_one_request_per_page',
          label: `First publish: wall time over one request per page at the limit (${round(files / workload.burstPerSecond, 1)} s)`,
          value: round(first.seconds / (files / workload.burstPerSecond), 3),
          unit: '×',
          kind: 'ratio',
        }),
        figure({
          key: 'second_pages_sent',
          label: `Second publish (${workload.changed} files changed): pages the CLI sent to the backend`,
          value: sentSecond,
          unit: 'pages',
          kind: 'count',
          goal: { op: '==', value: workload.changed },
        }),
        figure({
          key: 'second_pages_touched',
          label: 'Second publish: Confluence pages any request touched',
          value: pagesOfChanged.size,
          unit: 'pages',
          kind: 'count',
          goal: { op: '==', value: workload.changed },
        }),
        figure({
          key: 'second_page_writes',
          label: 'Second publish: page writes (new versions) in Confluence',
          value: writes,
          unit: 'writes',
          kind: 'count',
          goal: { op: '==', value: workload.changed },
        }),
        figure({
          key: 'second_confluence_requests',
          label: 'Second publish: Confluence requests in all',
          value: second.requests.length,
          unit: 'requests',
          kind: 'count',
        }),
        figure({
          key: 'second_wall_over_minimum',
          label: 'Second publish: wall time over its theoretical minimum (mostly the CLI starting up)',
          value: round(second.seconds / Math.max(minimum(second), 1 / workload.burstPerSecond), 3),
          unit: '×',
          kind: 'ratio',
        }),
        figure({
          key: 'first_send_share_percent',
          label:
            'First publish: share of the wall time spent sending the pages to the backend (one PUT each; the case for a batch endpoint)',
          value: round((100 * first.report.timings.sendMs) / (first.seconds * 1000), 2),
          unit: '%',
          kind: 'ratio',
        }),
        figure({
          key: 'first_wall_seconds',
          label: 'First publish: wall time',
          value: round(first.seconds, 1),
          unit: 's',
          kind: 'absolute',
        }),
        figure({
          key: 'first_minimum_seconds',
          label: `First publish: theoretical minimum (${answered(first)} requests at ${workload.burstPerSecond}/s)`,
          value: round(minimum(first), 1),
          unit: 's',
          kind: 'absolute',
        }),
        figure({
          key: 'second_wall_seconds',
          label: 'Second publish: wall time',
          value: round(second.seconds, 1),
          unit: 's',
          kind: 'absolute',
        }),
      ];
      return {
        parameters: {
          ...workload,
          files,
          cli: 'node cli/bin/pagewire.js publish <dir> --output json (its own process, from the TypeScript sources through tsx)',
          backend: 'the real backend (dist/main.js) on SQLite, default publishing settings',
          theoreticalMinimum: 'requests Confluence answered without a 429, divided by the burst limit',
        },
        figures,
        details: {
          first: {
            seconds: first.seconds,
            summary: first.report.summary,
            requestMix: requestMix(first.requests),
          },
          second: {
            seconds: second.seconds,
            summary: second.report.summary,
            changed,
            requestMix: requestMix(second.requests),
          },
          mark: {
            source:
              'https://github.com/kovetskiy/mark (README: flags --changes-only, --dry-run; pages found by title)',
            secondRunRequestsAtLeast: files,
            why: 'mark finds each page by its title on every run, so a run costs at least one Confluence request per file, changed or not; without --changes-only every page is updated again',
          },
        },
        notes: [
          'mark cannot run here (a Go binary, and it talks to Confluence by REST with a user token); its row is from its documented design, not measured.',
          'Pages touched counts the distinct page ids in the paths of the Confluence requests of the second run.',
        ],
      };
    } finally {
      await stack.stop();
    }
  },
};

function requestMix(requests: readonly RequestLogEntry[]): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const entry of requests) {
    const shape = entry.path
      .replace(/^\/ex\/confluence\/[^/]+/, '')
      .replace(/\/\d+/g, '/{id}')
      .split('?')[0];
    const key = `${entry.method} ${shape} ${entry.status}`;
    mix[key] = (mix[key] ?? 0) + 1;
  }
  return mix;
}

if (isMainModule(import.meta.url)) await runBenchmarkCli(docsAsCode);
