import { describe, expect, it } from 'vitest';
import { MAX_MARKDOWN_NESTING_DEPTH, measureJsonDepth, measureMarkdownNesting } from './nesting';

function nestedArrays(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) value = [value];
  return value;
}

describe('measureJsonDepth', () => {
  it('counts objects and arrays inside one another', () => {
    expect(measureJsonDepth(1)).toBe(0);
    expect(measureJsonDepth({})).toBe(1);
    expect(measureJsonDepth({ a: [{ b: 1 }], c: 2 })).toBe(3);
  });

  it('measures a value nested far deeper than the call stack allows a recursive walk', () => {
    expect(measureJsonDepth(nestedArrays(200_000))).toBe(200_000);
  });

  it('stops counting once the limit is exceeded', () => {
    expect(measureJsonDepth(nestedArrays(10_000), 128)).toBe(129);
  });
});

describe('measureMarkdownNesting', () => {
  it('counts block quotes and list items that open a line', () => {
    expect(measureMarkdownNesting('plain text\n')).toBe(0);
    expect(measureMarkdownNesting('> quote\n> > deeper\n')).toBe(2);
    expect(measureMarkdownNesting('- a\n  - b\n    1. c\n')).toBe(1);
    expect(measureMarkdownNesting('- > 1. text')).toBe(3);
    expect(measureMarkdownNesting('>'.repeat(80_000))).toBe(80_000);
  });

  it('does not count emphasis, rules written without spaces or numbers that are not list markers', () => {
    expect(measureMarkdownNesting('*emphasis* and **strong**\n***\n2026 was a year\n3.14 is pi')).toBe(0);
  });

  it('ignores lines inside fenced code blocks', () => {
    const markdown = ['```', '>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>', '```', '> after'].join('\n');
    expect(measureMarkdownNesting(markdown)).toBe(1);
  });

  it('lets a real document through and stops early on a hostile one', () => {
    const readme = '# Title\n\n> note\n\n- one\n  - two\n\n```sh\n> prompt\n```\n';
    expect(measureMarkdownNesting(readme)).toBeLessThanOrEqual(MAX_MARKDOWN_NESTING_DEPTH);
    expect(measureMarkdownNesting('> '.repeat(100_000), MAX_MARKDOWN_NESTING_DEPTH)).toBe(
      MAX_MARKDOWN_NESTING_DEPTH + 1,
    );
  });
});
