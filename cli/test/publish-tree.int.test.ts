import { execFileSync } from 'node:child_process';
import type { PageSnapshot } from '@pagewire/devkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPublish } from '../src/commands/publish-command';
import type { FileOutcome, PublishReport } from '../src/publishing/publish-types';
import { createFixtureTree, type FixtureTree, pngBytes } from '../src/testing/fixture-tree';
import { type PublishingStack, startPublishingStack } from './publishing-stack';

/**
 * `pagewire publish` against the real backend and the devkit's Confluence:
 * a 20-file tree three levels deep, with cross-links, three images and a
 * file written for mark; then a rename, a move, a person's edit in
 * Confluence, a deleted file, and the orphan archived. Each step checks what
 * a reader of the space would see.
 */
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';

function adr(n: number): string {
  return `# ADR ${n}\n\nDecision ${n}: we keep docs in Git.\n\n## Context\n\nWhy ${n}.`;
}

const FILES: Record<string, string | Uint8Array> = {
  'README.md':
    '# Handbook\n\nStart with [deploying](guides/deploy.md#rollout) and [the first decision](adr/0001-use-pagewire.md).',
  'glossary.md': '# Glossary\n\n- **SLO**: a target.',
  'faq.md': '# FAQ\n\nAsk in #docs.',
  'contributing.md': '# Contributing\n\nEdit in Git.\n\nSee [the monorepo guide](../../outside.md).',
  'guides/index.md': '# Guides\n\nHow we work.',
  'guides/deploy.md':
    '# Deploy\n\n![Pipeline](../img/pipeline.png)\n\nThe database is in [ops](../ops/db.md).\n\n## Rollout\n\nCanary first.',
  'guides/rollback.md': '# Rollback\n\nUndo the last deploy:\n\n1. find it\n2. revert it\n3. ship it',
  'guides/oncall.md':
    '<!-- Title: On-call rota -->\n<!-- Label: oncall -->\n<!-- Reviewed: 2026-11 -->\n\n# Rota\n\nWeekly.',
  'guides/advanced/canary.md': '# Canary\n\n![Canary](../../img/canary.svg)',
  'guides/advanced/flags.md': '# Flags\n\nBack to [deploy](../deploy.md).',
  'adr/0001-use-pagewire.md': `${adr(1)}\n\n![Decision](../img/decision.gif)`,
  'adr/0002-markdown.md': adr(2),
  'adr/0003-trees.md': adr(3),
  'adr/0004-links.md': adr(4),
  'adr/0005-images.md': adr(5),
  'ops/index.md': '# Operations',
  'ops/db.md': '# Database\n\nPostgres 16.',
  'ops/cache.md': '# Cache\n\nRedis.',
  'ops/queues/kafka.md': '# Kafka\n\nTopics.',
  'ops/queues/rabbit.md': '# RabbitMQ\n\nQueues.',
  'img/pipeline.png': pngBytes(),
  'img/canary.svg': SVG,
  'img/decision.gif': GIF,
};

let stack: PublishingStack;
let fixture: FixtureTree;

beforeAll(async () => {
  stack = await startPublishingStack();
  fixture = createFixtureTree(FILES, 'handbook');
  // A Git work tree, as in CI: renames are found by similarity against the committed text.
  const git = (...args: string[]) => execFileSync('git', ['-C', fixture.root, ...args], { stdio: 'ignore' });
  git('init', '-q');
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'docs');
}, 60_000);
afterAll(async () => {
  fixture?.remove();
  await stack?.close();
});

async function publish(...flags: string[]): Promise<PublishReport> {
  const out: string[] = [];
  const io = {
    stdout: (text: string) => void out.push(text),
    stderr: () => {},
    stderrStream: { isTTY: false, write: () => true },
    fetch: globalThis.fetch,
    cwd: fixture.root,
  };
  const env = { backendUrl: stack.backendUrl, ingestKey: stack.ingestKey, githubStepSummary: undefined };
  const code = await runPublish(
    ['.', '--space', stack.site.space.key, '--output', 'json', ...flags],
    env,
    io,
  );
  const report = JSON.parse(out.join('')) as PublishReport;
  expect(report.exitCode).toBe(code);
  return report;
}

function file(report: PublishReport, path: string): FileOutcome {
  const found = report.files.find((outcome) => outcome.path === path);
  if (found === undefined) throw new Error(`${path} is not in the report`);
  return found;
}

/**
 * The sequence number of the site's last Confluence request once the backend
 * has gone quiet (its space-index flush runs 2 s after a write), so that what
 * comes after is the next run's doing.
 */
async function quietSeq(): Promise<number> {
  let last = -1;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    const seq = (await stack.dev.requests({ cloudId: stack.site.cloudId })).at(-1)?.seq ?? 0;
    if (seq === last) return seq;
    last = seq;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
  }
  throw new Error('the backend kept calling Confluence for 30 s after the run');
}

async function pages(): Promise<PageSnapshot[]> {
  return stack.dev.pages(stack.site.cloudId);
}

function pageIdOf(outcome: FileOutcome): string {
  return outcome.pageUrl!.slice(outcome.pageUrl!.lastIndexOf('/') + 1);
}

const ids: Record<string, string> = {};

describe('pagewire publish against the backend and the devkit', () => {
  it('publishes the tree as pages under pages, with links resolved, images uploaded and mark headers read', async () => {
    const report = await publish();
    expect(report.exitCode).toBe(0);
    expect(report.files).toHaveLength(23);
    expect(report.files.filter((outcome) => outcome.action !== 'created')).toEqual([]);
    for (const outcome of report.files) ids[outcome.path] = pageIdOf(outcome);
    console.log(
      'DBG',
      JSON.stringify(report.files.filter((f) => f.warnings.length > 0).map((f) => [f.path, f.warnings])),
    );
    const all = await pages();
    const byId = new Map(all.map((page) => [page.id, page]));
    // Three levels under the tree's root page, which sits under the space's homepage.
    expect(byId.get(ids['guides/advanced/canary.md']!)?.parentId).toBe(ids['guides/advanced']);
    expect(byId.get(ids['guides/advanced']!)?.parentId).toBe(ids['guides/index.md']);
    expect(byId.get(ids['guides/index.md']!)?.parentId).toBe(ids['README.md']);
    expect(byId.get(ids['README.md']!)?.parentId).toBe(stack.site.space.homepageId);
    // Links point at the pages, anchors kept; the images are the pages' attachments, shown inline.
    const readme = byId.get(ids['README.md']!)?.body?.value ?? '';
    expect(readme).toContain(`/wiki/spaces/${stack.site.space.key}/pages/${ids['guides/deploy.md']}`);
    expect(readme).toContain('#rollout');
    const deploy = byId.get(ids['guides/deploy.md']!)?.body?.value ?? '';
    expect(deploy).toContain(`/pages/${ids['ops/db.md']}`);
    expect(deploy).toContain('"type":"mediaSingle"');
    expect(byId.get(ids['guides/advanced/canary.md']!)?.body?.value).toContain('"type":"media"');
    expect(byId.get(ids['adr/0001-use-pagewire.md']!)?.body?.value).toContain('"type":"media"');
    // The mark file: its title header, no comment left on the page.
    const oncall = byId.get(ids['guides/oncall.md']!);
    expect(oncall?.title).toBe('On-call rota');
    expect(oncall?.body?.value).not.toMatch(/Reviewed|<!--/);
    // The images went up (the attachments route took them) and every pending link was completed in the run.
    expect(report.files.filter((o) => o.path !== 'contributing.md' && o.warnings.length > 0)).toEqual([]);
    expect(file(report, 'contributing.md').warnings).toEqual([
      expect.objectContaining({ path: 'contributing.md', line: 5, code: 'link_outside_tree' }),
    ]);
  }, 120_000);

  it('sends nothing and asks Confluence nothing when no file changed', async () => {
    const last = await quietSeq();
    const report = await publish();
    expect(report.exitCode).toBe(0);
    expect(report.files.filter((outcome) => outcome.action !== 'unchanged')).toEqual([]);
    const since = await stack.dev.requests({ cloudId: stack.site.cloudId, since: last });
    expect(since.filter((entry) => entry.path.startsWith('/ex/confluence/'))).toEqual([]);
  }, 60_000);

  it('plans a change on --dry-run and writes nothing', async () => {
    fixture.write('glossary.md', '# Glossary\n\n- **SLO**: a target.\n- **SLA**: a promise.');
    const last = await quietSeq();
    const report = await publish('--dry-run');
    expect(file(report, 'glossary.md').action).toBe('update');
    const since = await stack.dev.requests({ cloudId: stack.site.cloudId, since: last });
    expect(since.filter((entry) => entry.method !== 'GET')).toEqual([]);
  }, 60_000);

  it('keeps history across a rename and a move, leaves a person’s edit alone, and reports the deleted file', async () => {
    fixture.move('guides/rollback.md', 'guides/undo.md');
    fixture.write(
      'guides/undo.md',
      '# Rollback\n\nUndo the last deploy:\n\n1. find it\n2. revert it\n3. ship it\n4. tell the channel',
    );
    fixture.move('adr/0005-images.md', 'guides/0005-images.md');
    fixture.delete('faq.md');
    await stack.dev.humanEdit(ids['ops/db.md']!, {
      body: { representation: 'storage', value: '<p>Postgres 17, says Ana.</p>' },
    });
    fixture.write('ops/db.md', '# Database\n\nPostgres 16.1.');
    const before = await pages();

    const report = await publish();
    expect(report.exitCode).toBe(3);
    expect(file(report, 'guides/undo.md')).toMatchObject({
      renamedFrom: 'guides/rollback.md',
      action: 'updated',
    });
    expect(pageIdOf(file(report, 'guides/undo.md'))).toBe(ids['guides/rollback.md']);
    expect(file(report, 'guides/0005-images.md')).toMatchObject({
      renamedFrom: 'adr/0005-images.md',
      action: 'moved',
    });
    expect(file(report, 'ops/db.md').action).toBe('skipped-human-edit');
    expect(report.orphans).toEqual([expect.objectContaining({ path: 'faq.md', action: 'orphan' })]);

    const after = await pages();
    expect(after).toHaveLength(before.length);
    const byId = new Map(after.map((page) => [page.id, page]));
    expect(byId.get(ids['guides/rollback.md']!)?.versions.length).toBe(2);
    expect(byId.get(ids['adr/0005-images.md']!)?.parentId).toBe(ids['guides/index.md']);
    expect(byId.get(ids['ops/db.md']!)?.body?.value).toContain('says Ana');
    expect(byId.get(ids['faq.md']!)?.status).toBe('current');
  }, 120_000);

  it('archives the orphan with --on-orphan archive, and never deletes it', async () => {
    // Archiving is v1 only and takes the classic write:confluence-content; the space's API token holds it, and the
    // backend's token-health check records it, so the credential selector sends the archive with that token.
    const report = await publish('--on-orphan', 'archive');
    expect(report.orphans).toEqual([expect.objectContaining({ path: 'faq.md', action: 'archived' })]);
    // The person's edit of ops/db.md is still left alone, so the run exits 3 (skipped human edits), not 1.
    expect(report.exitCode).toBe(3);
    const faq = (await pages()).find((page) => page.id === ids['faq.md']);
    expect(faq?.status).toBe('archived');
  }, 120_000);
});
