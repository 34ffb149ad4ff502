import { afterAll, describe, expect, it } from 'vitest';
import { createMarkdownRenderPool } from './markdown-render-pool';
import {
  ContentTooComplexError,
  createCachedRenderer,
  createInProcessRenderer,
  type MarkdownRenderer,
} from './markdown-renderer';
import { convertMarkdownToAdf } from './markdown-to-adf';

/** `*` runs that never resolve: micromark spends minutes on 100 KB of them (measured 227 s). */
const UNCLOSED_EMPHASIS = `${'*'.repeat(50_000)}x${'*'.repeat(50_000)}`;
/** Deep enough to overflow the converter's stack, fast enough to get there within any budget. */
const STACK_OVERFLOW = `${'>'.repeat(3_000)} x`;

const pool = createMarkdownRenderPool({ workers: 1, timeoutMs: 1_500 });
afterAll(async () => {
  await pool.close();
});

describe('the Markdown render pool', () => {
  it('renders on a worker thread exactly what the converter renders in process', async () => {
    const markdown =
      '# Status\n\n> all good\n\n- [x] deployed\n- [ ] announced\n\n| a | b |\n|---|---|\n| 1 | 2 |\n';
    expect(await pool.render(markdown)).toEqual(convertMarkdownToAdf(markdown));
  });

  it('fails a render that runs over its time budget, then renders the next one on a fresh worker', async () => {
    const hostile = pool.render(UNCLOSED_EMPHASIS);
    const next = pool.render('after the storm');
    await expect(hostile).rejects.toMatchObject({ name: 'ContentTooComplexError', reason: 'time_budget' });
    expect((await next).document.content).toHaveLength(1);
  });

  it('fails a render that overflows the stack as too complex, not as an internal error', async () => {
    // A budget no busy machine runs out of: this is about the stack, not the clock.
    const patient = createMarkdownRenderPool({ workers: 1, timeoutMs: 120_000 });
    try {
      await expect(patient.render(STACK_OVERFLOW)).rejects.toMatchObject({
        name: 'ContentTooComplexError',
        reason: 'stack',
      });
      expect((await patient.render('still here')).document.content).toHaveLength(1);
    } finally {
      await patient.close();
    }
  });

  it('refuses new renders once closed', async () => {
    const closing = createMarkdownRenderPool({ workers: 1, timeoutMs: 1_000 });
    await closing.render('warm up');
    await closing.close();
    await expect(closing.render('late')).rejects.toThrow(/shutting down/);
  });
});

describe('the in-process renderer', () => {
  it('classes a stack overflow as content too complex', async () => {
    await expect(createInProcessRenderer().render(STACK_OVERFLOW)).rejects.toBeInstanceOf(
      ContentTooComplexError,
    );
  });
});

describe('the render cache', () => {
  function countingRenderer(): MarkdownRenderer & { calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      async render(markdown) {
        calls.push(markdown);
        if (markdown.startsWith('hostile')) throw new ContentTooComplexError('time_budget');
        if (markdown.startsWith('flaky')) throw new Error('worker crashed');
        return convertMarkdownToAdf(markdown);
      },
      async close() {},
    };
  }

  it('renders the same Markdown once, and answers repeats from the cache', async () => {
    const inner = countingRenderer();
    const cached = createCachedRenderer(inner);
    const first = await cached.render('hello');
    expect(await cached.render('hello')).toBe(first);
    expect(inner.calls).toEqual(['hello']);
  });

  it('remembers a render that was too complex, so the next view does not spend the budget again', async () => {
    const inner = countingRenderer();
    const cached = createCachedRenderer(inner);
    await expect(cached.render('hostile body')).rejects.toBeInstanceOf(ContentTooComplexError);
    await expect(cached.render('hostile body')).rejects.toBeInstanceOf(ContentTooComplexError);
    expect(inner.calls).toEqual(['hostile body']);
  });

  it('does not remember a failure that was not the content’s fault', async () => {
    const inner = countingRenderer();
    const cached = createCachedRenderer(inner);
    await expect(cached.render('flaky')).rejects.toThrow('worker crashed');
    await expect(cached.render('flaky')).rejects.toThrow('worker crashed');
    expect(inner.calls).toHaveLength(2);
  });

  it('forgets the least recently used rendering past its entry limit', async () => {
    const inner = countingRenderer();
    const cached = createCachedRenderer(inner, { maxEntries: 2, maxChars: 1_000 });
    await cached.render('a');
    await cached.render('b');
    await cached.render('a');
    await cached.render('c');
    await cached.render('a');
    await cached.render('b');
    expect(inner.calls).toEqual(['a', 'b', 'c', 'b']);
  });
});
