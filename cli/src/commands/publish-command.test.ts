import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliEnvironment } from '../config/cli-environment';
import { UsageError } from '../publishing/publish-types';
import { createFakeIngest, type FakeIngest } from '../testing/fake-ingest';
import { createFixtureTree, type FixtureTree } from '../testing/fixture-tree';
import { parsePublishArgs, runPublish } from './publish-command';

let fixture: FixtureTree | undefined;
afterEach(() => fixture?.remove());

function run(fake: FakeIngest, args: string[], env: Partial<CliEnvironment> = {}, tty = false) {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    stdout: (text: string) => void out.push(text),
    stderr: (text: string) => void err.push(text),
    stderrStream: { isTTY: tty, columns: 80, write: (text: string) => err.push(text) },
    fetch: fake.fetch,
    cwd: join(fixture!.root, '..'),
  };
  const environment = {
    backendUrl: fake.backendUrl,
    ingestKey: fake.key,
    githubStepSummary: undefined,
    ...env,
  };
  return runPublish(args, environment, io).then((code) => ({
    code,
    stdout: out.join(''),
    stderr: err.join(''),
  }));
}

describe('the publish command', () => {
  it('refuses unknown flags, bad values, a missing folder and a missing key as usage errors', () => {
    fixture = createFixtureTree({ 'a.md': '# A' });
    const env = { backendUrl: 'http://b.test', ingestKey: 'pwk_x', githubStepSummary: undefined };
    const io = { fetch, cwd: join(fixture.root, '..') };
    expect(() => parsePublishArgs(['docs', '--force'], env, io)).toThrow(UsageError);
    expect(() => parsePublishArgs(['docs', '--on-orphan', 'delete'], env, io)).toThrow(/report or archive/);
    expect(() => parsePublishArgs(['nowhere'], env, io)).toThrow(/not a folder/);
    expect(() => parsePublishArgs(['docs', '--parent', 'home'], env, io)).toThrow(/numeric/);
    expect(() => parsePublishArgs(['docs'], { ...env, ingestKey: undefined }, io)).toThrow(
      /PAGEWIRE_INGEST_KEY/,
    );
    expect(parsePublishArgs(['docs', '--labels', 'a, b'], env, io).options).toMatchObject({
      tree: 'docs',
      labels: ['a', 'b'],
      onOrphan: 'report',
    });
  });

  it('prints one plain line per file with its URL, and no progress bar outside a terminal', async () => {
    fixture = createFixtureTree({ 'a.md': '# A\n\n[x](nope.md)' });
    const fake = createFakeIngest();
    const result = await run(fake, ['docs', '--space', 'ENG']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^created +a\.md {2}https:\/\/acme\.atlassian\.net\/wiki\/spaces\/ENG\/pages\/\d+$/m,
    );
    expect(result.stdout).toContain('a.md:3: warning link_target_missing');
    expect(result.stderr).toBe('');
    const onTerminal = await run(fake, ['docs', '--space', 'ENG'], {}, true);
    expect(onTerminal.stderr).toContain('1/1');
  });

  it('writes one JSON document with --output json', async () => {
    fixture = createFixtureTree({ 'a.md': '# A' });
    const result = await run(createFakeIngest(), ['docs', '--space', 'ENG', '--output', 'json', '--dry-run']);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      tree: 'docs',
      dryRun: true,
      exitCode: 0,
      files: [{ path: 'a.md', action: 'create' }],
    });
  });

  it('writes annotations and a job summary table with --output github', async () => {
    fixture = createFixtureTree({ 'a.md': '# A\n\n[x](nope.md)', 'b.md': '# B' });
    const summary = join(mkdtempSync(join(tmpdir(), 'pagewire-summary-')), 'summary.md');
    const result = await run(createFakeIngest(), ['docs', '--space', 'ENG', '--output', 'github'], {
      githubStepSummary: summary,
    });
    expect(result.stdout).toContain('::warning file=docs/a.md,line=3,title=link_target_missing::');
    const table = readFileSync(summary, 'utf8');
    expect(table).toContain('| file | outcome | page | notes |');
    expect(table).toMatch(
      /\| a\.md \| created \| \[A\]\(https:\/\/acme.atlassian.net\/wiki\/spaces\/ENG\/pages\/\d+\) \| 1 warning\(s\) \|/,
    );
  });

  it('names the space in a mark header when --space is not given, and says what to do when none is', async () => {
    fixture = createFixtureTree({ 'a.md': '<!-- Space: ENG -->\n# A' });
    expect((await run(createFakeIngest(), ['docs'])).code).toBe(0);
    fixture.write('a.md', '# A');
    await expect(run(createFakeIngest(), ['docs'])).rejects.toThrow(/--space/);
  });
});
