import { describe, expect, it } from 'vitest';
import { splitFrontMatter } from './front-matter';
import { dropComments, firstHeading, parseMarkdown, printMarkdown, readMarkHeaders } from './markdown-source';

describe('front matter', () => {
  it('is cut off at its fences, with the lines it took counted for warnings', () => {
    const split = splitFrontMatter('\uFEFF---\r\ntitle: Runbook\r\nlabels: a, b\r\n---\r\n# Body');
    expect(split.frontMatter).toMatchObject({ title: 'Runbook', labels: 'a, b' });
    expect(split.body).toBe('# Body');
    expect(split.bodyLineOffset).toBe(4);
  });

  it('is no front matter when the fence never closes, and an error when its YAML is broken', () => {
    expect(splitFrontMatter('---\ntitle: x\n# no end').frontMatter).toEqual({});
    expect(() => splitFrontMatter('---\ntitle: [x\n---\n')).toThrow(/not valid YAML/);
    expect(() => splitFrontMatter('---\nskip: sometimes\n---\n')).toThrow(/"skip"/);
  });
});

describe("mark's headers", () => {
  it('are the comments before the first block; later comments are not headers', () => {
    const tree = parseMarkdown(
      '<!-- Space: ENG -->\n<!-- Parent: Ops -->\n<!-- Parent: Runbooks -->\n<!-- Label: a, b -->\n\n# Deploy\n\n<!-- Title: late -->',
    );
    expect(readMarkHeaders(tree)).toEqual({ space: 'ENG', parents: ['Ops', 'Runbooks'], labels: ['a', 'b'] });
    expect(firstHeading(tree)).toBe('Deploy');
  });

  it('and every other comment are dropped, block and inline, and nothing else is', () => {
    const tree = parseMarkdown('<!-- Title: T -->\n\nKeep <!-- aside --> this.\n\n<div>html stays</div>\n');
    dropComments(tree);
    const printed = printMarkdown(tree);
    expect(printed).not.toContain('<!--');
    expect(printed).toContain('Keep  this.');
    expect(printed).toContain('<div>html stays</div>');
  });
});
