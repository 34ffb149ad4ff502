import { createHash } from 'node:crypto';
import { ERROR_KINDS, hasErrorKind } from '../error-kinds';
import { convertMarkdownToAdf, type MarkdownConversion } from './markdown-to-adf';

/**
 * Markdown→ADF as the rest of the backend sees it: asynchronous, because in
 * the running backend it happens on a worker thread (markdown-render-pool.ts)
 * under a time budget, never on the thread that answers HTTP.
 */
export interface MarkdownRenderer {
  /** Rejects with a `ContentTooComplexError` when this Markdown cannot be rendered within the limits. */
  render(markdown: string): Promise<MarkdownConversion>;
  close(): Promise<void>;
}

export type TooComplexReason = 'time_budget' | 'stack' | 'memory';

/**
 * Rendering this Markdown ran over its time budget, overflowed the stack or
 * ran out of the worker's memory. It is a property of the content: the same
 * Markdown fails the same way next time, so it is never retried (a publishing
 * job fails with `content_too_complex`) and the failure is cached.
 */
export class ContentTooComplexError extends Error {
  override readonly name = 'ContentTooComplexError';
  readonly [ERROR_KINDS] = ['render', 'content-too-complex'] as const;
  constructor(readonly reason: TooComplexReason) {
    super(describeReason(reason));
  }
}

function describeReason(reason: TooComplexReason): string {
  switch (reason) {
    case 'time_budget':
      return 'the Markdown took longer to render than the time budget allows (usually very deep nesting or thousands of unclosed emphasis markers)';
    case 'stack':
      return 'the Markdown nests too deeply to render';
    case 'memory':
      return 'rendering the Markdown ran out of memory';
  }
}

export function isContentTooComplexError(error: unknown): error is ContentTooComplexError {
  return hasErrorKind(error, 'content-too-complex');
}

/**
 * Renders on the calling thread. For tests and tools only: a hostile body
 * blocks the thread for as long as it takes. A stack overflow still counts as
 * content that is too complex, exactly as it does in the pool.
 */
export function createInProcessRenderer(): MarkdownRenderer {
  return {
    async render(markdown) {
      try {
        return convertMarkdownToAdf(markdown);
      } catch (error) {
        if (error instanceof RangeError) throw new ContentTooComplexError('stack');
        throw error;
      }
    },
    async close() {},
  };
}

export interface RenderCacheLimits {
  maxEntries: number;
  /** Total Markdown characters the cached renderings stand for (the ADF is a few times larger). */
  maxChars: number;
}

export const DEFAULT_RENDER_CACHE_LIMITS: RenderCacheLimits = { maxEntries: 2_000, maxChars: 4_000_000 };

type CachedOutcome =
  | { ok: true; conversion: MarkdownConversion }
  | { ok: false; error: ContentTooComplexError };

/**
 * Keeps renderings by a hash of the Markdown, failures included: the same
 * Markdown gives the same document, and a body that blew the time budget once
 * would blow it again, so neither is worth a second render (a hostile Markdown
 * block used to re-render, and fail after ~2 s, on every macro view). Least
 * recently used first out, bounded in count and in the text it stands for.
 */
export function createCachedRenderer(
  renderer: MarkdownRenderer,
  limits: RenderCacheLimits = DEFAULT_RENDER_CACHE_LIMITS,
): MarkdownRenderer {
  const entries = new Map<string, { outcome: CachedOutcome; chars: number }>();
  let chars = 0;

  function remember(key: string, outcome: CachedOutcome, size: number): void {
    // A failure is remembered whatever the size: its cost is the key, and forgetting it costs a whole budget.
    const cost = outcome.ok ? size : 0;
    if (cost > limits.maxChars / 4) return;
    while (entries.size > 0 && (entries.size >= limits.maxEntries || chars + cost > limits.maxChars)) {
      const [oldestKey, oldest] = entries.entries().next().value!;
      entries.delete(oldestKey);
      chars -= oldest.chars;
    }
    entries.set(key, { outcome, chars: cost });
    chars += cost;
  }

  return {
    async render(markdown) {
      const key = createHash('sha256').update(markdown).digest('base64url');
      const hit = entries.get(key);
      if (hit !== undefined) {
        entries.delete(key);
        entries.set(key, hit);
        if (hit.outcome.ok) return hit.outcome.conversion;
        throw hit.outcome.error;
      }
      try {
        const conversion = await renderer.render(markdown);
        remember(key, { ok: true, conversion }, markdown.length);
        return conversion;
      } catch (error) {
        if (isContentTooComplexError(error)) remember(key, { ok: false, error }, markdown.length);
        throw error;
      }
    },
    close: () => renderer.close(),
  };
}
