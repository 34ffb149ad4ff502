import { afterEach, describe, expect, it } from 'vitest';
import { collectUrls, parseMarkdown } from '../source/markdown-source';
import { createFakeIngest, type FakeIngest } from '../testing/fake-ingest';
import { createFixtureTree, type FixtureTree, pngBytes } from '../testing/fixture-tree';
import { publishTree } from './publish-tree';
import type { PublishOptions, PublishReport } from './publish-types';

let fixture: FixtureTree | undefined;
afterEach(() => fixture?.remove());

function options(root: string, extra: Partial<PublishOptions> = {}): PublishOptions {
  return {
    root,
    tree: 'docs',
    spaceKey: 'ENG',
    parentPageId: undefined,
    dryRun: false,
    onHumanEdit: 'skip',
    onOrphan: 'report',
    labels: [],
    ...extra,
  };
}

async function publish(
  fake: FakeIngest,
  extra: Partial<PublishOptions> = {},
  previous: Record<string, string> = {},
) {
  return publishTree(
    { backendUrl: fake.backendUrl, key: fake.key, fetch: fake.fetch },
    options(fixture!.root, extra),
    {
      progress() {},
      previousText: (path) => previous[path] ?? null,
    },
  );
}

function byPath(report: PublishReport) {
  return Object.fromEntries(report.files.map((file) => [file.path, file]));
}

/** The link and image targets of Markdown as a parser reads them (the printer may escape what needs it). */
function urlsOf(markdown: string | undefined): { links: string[]; images: string[] } {
  const { links, images } = collectUrls(parseMarkdown(markdown ?? ''));
  return { links: links.map((site) => site.url), images: images.map((site) => site.url) };
}

function puts(fake: FakeIngest): string[] {
  return fake.requests.filter(
    (request) => request.startsWith('PUT /ingest/v1/pages/') && !request.includes('/attachments/'),
  );
}

describe('pagewire publish', () => {
  it('publishes every file as a page and every folder as a parent page, parents first, with their URLs', async () => {
    fixture = createFixtureTree({
      'README.md': '# Handbook\n\nWelcome.',
      'guides/index.md': '# Guides\n\nHow we work.',
      'guides/deploy.md': '# Deploy\n\nRun it.',
      'adr/001-first.md': '# ADR 1\n\nWe chose.',
    });
    const fake = createFakeIngest();
    const report = await publish(fake);
    expect(report.exitCode).toBe(0);
    const files = byPath(report);
    expect(Object.keys(files)).toEqual([
      'README.md',
      'adr',
      'adr/001-first.md',
      'guides/index.md',
      'guides/deploy.md',
    ]);
    expect(
      report.files.every((file) => file.action === 'created' && file.pageUrl?.startsWith('https://')),
    ).toBe(true);
    expect(fake.bodies.get('docs')?.title).toBe('Handbook');
    expect(fake.bodies.get('docs~guides')).toMatchObject({ title: 'Guides', parentExternalId: 'docs' });
    expect(fake.bodies.get('docs~guides~deploy')).toMatchObject({
      parentExternalId: 'docs~guides',
      origin: { tree: 'docs', path: 'guides/deploy.md' },
    });
    // The folder without an index gets a page listing its children.
    expect(fake.bodies.get('docs~adr')?.markdown).toContain('ADR 1');
    expect(urlsOf(fake.bodies.get('docs~adr')?.markdown).links).toEqual(['pagewire:page/docs~adr~001-first']);
    // Each parent's PUT went out before its children's.
    const order = puts(fake);
    expect(order.indexOf('PUT /ingest/v1/pages/docs')).toBeLessThan(
      order.indexOf('PUT /ingest/v1/pages/docs~guides'),
    );
    expect(order.indexOf('PUT /ingest/v1/pages/docs~guides')).toBeLessThan(
      order.indexOf('PUT /ingest/v1/pages/docs~guides~deploy'),
    );
  });

  it('turns relative links into links to the pages, anchors kept, and names file and line of a broken one', async () => {
    fixture = createFixtureTree({
      'a.md': '# A\n\nSee [B](sub/b.md#setup), [the sub section](sub/) and [ref][r].\n\n[r]: ./sub/b.md',
      'sub/b.md':
        '# B\n\n[back](../a.md)\n\n[gone](missing.md) and [out](../../etc/passwd.md) and [web](https://example.com)',
    });
    const fake = createFakeIngest();
    const report = await publish(fake);
    expect(urlsOf(fake.bodies.get('docs~a')?.markdown).links).toEqual([
      'pagewire:page/docs~sub~b#setup',
      'pagewire:page/docs~sub',
      'pagewire:page/docs~sub~b',
    ]);
    const b = fake.bodies.get('docs~sub~b')?.markdown ?? '';
    expect(urlsOf(b).links).toEqual(['pagewire:page/docs~a', 'https://example.com']);
    expect(b).toContain('gone and out and [web]');
    expect(byPath(report)['sub/b.md']?.warnings.map((w) => `${w.path}:${w.line} ${w.code}`)).toEqual([
      'sub/b.md:5 link_target_missing',
      'sub/b.md:5 link_outside_tree',
    ]);
    expect(report.exitCode).toBe(0);
  });

  it('sends a page after the pages it links to, so that its links need no second write', async () => {
    fixture = createFixtureTree({ 'a.md': '# A\n\n[b](b.md) and [c](c.md)', 'b.md': '# B', 'c.md': '# C' });
    const fake = createFakeIngest();
    const report = await publish(fake);
    expect(puts(fake)).toEqual([
      'PUT /ingest/v1/pages/docs~b',
      'PUT /ingest/v1/pages/docs~c',
      'PUT /ingest/v1/pages/docs~a',
    ]);
    expect(report.files.every((file) => file.warnings.length === 0)).toBe(true);
  });

  it('waits for the backend to publish a page again once the pages it links to exist, and drops the pending warning', async () => {
    fixture = createFixtureTree({ 'a.md': '# A\n\n[b](b.md)', 'b.md': '# B\n\n[a](a.md)' });
    const fake = createFakeIngest();
    const report = await publish(fake);
    expect(report.files.every((file) => file.warnings.length === 0)).toBe(true);
    expect(fake.requests).toContain('GET /ingest/v1/pages/docs~b');
    expect(fake.pages.get('docs~b')?.lastJob?.warnings).toBeUndefined();
  });

  it("reads mark's headers and front matter, and drops every other HTML comment", async () => {
    fixture = createFixtureTree({
      'parent.md': '# Platform',
      'mark.md': [
        '<!-- Space: ENG -->',
        '<!-- Parent: Platform -->',
        '<!-- Title: On-call handbook -->',
        '<!-- Label: oncall -->',
        '<!-- Label: runbook, ops -->',
        '',
        '# Rota',
        '',
        'Text <!-- an aside --> here.',
        '',
        '<!-- TODO: rewrite -->',
      ].join('\n'),
      'front.md':
        '---\ntitle: From front matter\nlabels: [adr, Decisions]\n---\n\n# Ignored heading\n\nBody.',
    });
    const fake = createFakeIngest();
    await publish(fake, { labels: ['docs'] });
    const mark = fake.bodies.get('docs~mark');
    expect(mark).toMatchObject({
      title: 'On-call handbook',
      parentExternalId: 'docs~parent',
      labels: ['oncall', 'runbook', 'ops', 'docs'],
    });
    expect(mark?.markdown).not.toContain('<!--');
    expect(mark?.markdown).toContain('Text  here.');
    expect(fake.bodies.get('docs~front')).toMatchObject({
      title: 'From front matter',
      labels: ['adr', 'decisions', 'docs'],
    });
  });

  it('uploads local images as attachments named by their path and shows the alt text of a missing one', async () => {
    fixture = createFixtureTree({
      'page.md': '# Page\n\n![Architecture](img/arch.png)\n\n![Logo](../logo.png)\n\n![gone](img/none.png)',
      'img/arch.png': pngBytes(),
    });
    const fake = createFakeIngest();
    const report = await publish(fake);
    expect(fake.attachments.get('docs~page/img_arch.png')).toMatchObject({ contentType: 'image/png' });
    const markdown = fake.bodies.get('docs~page')?.markdown ?? '';
    expect(urlsOf(markdown).images).toEqual(['pagewire:attachment/img_arch.png']);
    expect(markdown).toContain('Logo');
    expect(markdown).not.toContain('logo.png');
    expect(byPath(report)['page.md']?.warnings.map((w) => `${w.line} ${w.code}`)).toEqual([
      '5 image_outside_tree',
      '7 image_missing',
    ]);
  });

  it('sends nothing at all for files that did not change since the last successful publish', async () => {
    fixture = createFixtureTree({ 'a.md': '# A', 'b.md': '# B\n\n![x](x.png)', 'x.png': pngBytes() });
    const fake = createFakeIngest();
    await publish(fake);
    const before = fake.requests.length;
    fixture.write('a.md', '# A\n\nchanged');
    const second = await publish(fake);
    const sent = fake.requests.slice(before).filter((request) => !request.startsWith('GET'));
    expect(sent).toEqual(['PUT /ingest/v1/pages/docs~a']);
    expect(byPath(second)).toMatchObject({ 'a.md': { action: 'updated' }, 'b.md': { action: 'unchanged' } });
    // A changed image is a changed page.
    fixture.write('x.png', pngBytes(1));
    const third = await publish(fake);
    expect(byPath(third)['b.md']?.action).toBe('updated');
  });

  it('keeps the page of a renamed file, of a file moved to another folder, and of an edited rename by similarity', async () => {
    fixture = createFixtureTree({
      'guides/deploy.md': '# Deploy\n\nStep one.',
      'guides/rollback.md': '# Rollback\n\nUndo.',
      'notes.md': '# Notes\n\nline 1\nline 2\nline 3\nline 4',
    });
    const fake = createFakeIngest();
    await publish(fake);
    fixture.move('guides/deploy.md', 'guides/shipping.md');
    fixture.move('guides/rollback.md', 'ops/rollback.md');
    fixture.delete('notes.md');
    fixture.write('journal.md', '# Notes\n\nline 1\nline 2\nline 3\nline 5');
    const report = await publish(fake, {}, { 'notes.md': '# Notes\n\nline 1\nline 2\nline 3\nline 4' });
    const files = byPath(report);
    expect(files['guides/shipping.md']).toMatchObject({
      externalId: 'docs~guides~deploy',
      renamedFrom: 'guides/deploy.md',
      action: 'unchanged',
    });
    expect(files['ops/rollback.md']).toMatchObject({
      externalId: 'docs~guides~rollback',
      renamedFrom: 'guides/rollback.md',
      action: 'moved',
    });
    expect(fake.bodies.get('docs~guides~rollback')?.parentExternalId).toBe('docs~ops');
    expect(files['journal.md']).toMatchObject({ externalId: 'docs~notes', renamedFrom: 'notes.md' });
    expect(report.orphans).toEqual([]);
    // The new paths are on record: the next run changes nothing.
    const again = await publish(fake);
    expect(again.files.every((file) => file.action === 'unchanged')).toBe(true);
  });

  it('reports pages whose file is gone, archives them with --on-orphan archive children first, and never when a file failed', async () => {
    fixture = createFixtureTree({ 'keep.md': '# Keep', 'old/a.md': '# Old A', 'old/b.md': '# Old B' });
    const fake = createFakeIngest();
    await publish(fake);
    fixture.delete('old');
    const reported = await publish(fake);
    expect(reported.orphans.map((o) => `${o.path} ${o.action}`).sort()).toEqual([
      'old orphan',
      'old/a.md orphan',
      'old/b.md orphan',
    ]);
    expect(reported.exitCode).toBe(0);

    fixture.write('keep.md', '# Keep\n\nchanged');
    fake.failNext('docs~keep', 'confluence_unavailable');
    const refused = await publish(fake, { onOrphan: 'archive' });
    expect(refused.orphans.every((o) => o.action === 'archive-refused')).toBe(true);
    expect(refused.exitCode).toBe(1);
    expect(fake.requests.some((r) => r.endsWith('/archive'))).toBe(false);

    const archived = await publish(fake, { onOrphan: 'archive' });
    expect(archived.orphans.map((o) => o.action)).toEqual(['archived', 'archived', 'archived']);
    const order = fake.requests.filter((r) => r.endsWith('/archive'));
    expect(order.at(-1)).toBe('POST /ingest/v1/pages/docs~old/archive');
    expect(fake.pages.get('docs~old')?.status).toBe('archived');
    expect((await publish(fake, { onOrphan: 'archive' })).orphans).toEqual([]);
  });

  it('plans each file on --dry-run and writes nothing, not even the images', async () => {
    fixture = createFixtureTree({ 'a.md': '# A\n\n![x](x.png)', 'x.png': pngBytes() });
    const fake = createFakeIngest();
    const report = await publish(fake, { dryRun: true });
    expect(byPath(report)['a.md']?.action).toBe('create');
    expect(fake.pages.size).toBe(0);
    expect(fake.attachments.size).toBe(0);
    await publish(fake);
    fake.humanEdit('docs~a');
    fixture.write('a.md', '# A\n\nnew');
    expect(byPath(await publish(fake, { dryRun: true }))['a.md']?.action).toBe('skip-human-edit');
  });

  it('ends with exit code 3 when a page was left alone because a person edited it, and 1 when a page failed', async () => {
    fixture = createFixtureTree({ 'a.md': '# A', 'b.md': '# B' });
    const fake = createFakeIngest();
    await publish(fake);
    fake.humanEdit('docs~a');
    fixture.write('a.md', '# A\n\nv2');
    const skipped = await publish(fake);
    expect(byPath(skipped)['a.md']?.action).toBe('skipped-human-edit');
    expect(skipped.exitCode).toBe(3);
    const overwritten = await publish(fake, { onHumanEdit: 'overwrite' });
    expect(byPath(overwritten)['a.md']?.action).toBe('updated');
    fixture.write('b.md', '# B\n\nv2');
    fake.failNext('docs~b', 'confluence_unavailable');
    const failed = await publish(fake);
    expect(byPath(failed)['b.md']).toMatchObject({
      action: 'failed',
      error: { code: 'confluence_unavailable' },
    });
    expect(failed.exitCode).toBe(1);
  });

  it('fails a file with bad front matter or another space, and publishes the rest', async () => {
    fixture = createFixtureTree({
      'bad.md': '---\ntitle: [unclosed\n---\n# Bad',
      'other.md': '<!-- Space: OPS -->\n# Other',
      'good.md': '# Good',
    });
    const fake = createFakeIngest();
    const report = await publish(fake);
    expect(byPath(report)).toMatchObject({
      'bad.md': { action: 'failed', error: { code: 'front_matter_invalid' } },
      'other.md': { action: 'failed', error: { code: 'space_mismatch' } },
      'good.md': { action: 'created' },
    });
    expect(report.exitCode).toBe(1);
  });

  it('pins a page to the externalId in its front matter, wherever the file moves', async () => {
    fixture = createFixtureTree({ 'a.md': '---\nexternalId: handbook-home\n---\n# Home' });
    const fake = createFakeIngest();
    await publish(fake);
    fixture.move('a.md', 'b/c.md');
    fixture.write('b/c.md', '---\nexternalId: handbook-home\n---\n# Home, rewritten entirely');
    const report = await publish(fake);
    expect(byPath(report)['b/c.md']).toMatchObject({ externalId: 'handbook-home', action: 'updated' });
    expect(report.orphans).toEqual([]);
  });
});
