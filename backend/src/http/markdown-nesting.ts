import { MAX_MARKDOWN_NESTING_DEPTH, measureMarkdownNesting } from '@pagewire/shared';
import { ProblemError } from './problem-error';

/**
 * Refuses Markdown whose block quotes and lists nest deeper than
 * `MAX_MARKDOWN_NESTING_DEPTH` on a line, at ingest, with a 400 that names
 * the limit: the parser's time grows with the square of that depth (80,000
 * `>` took 82 s), and from about 2,000 levels it overflows the stack. What
 * this linear scan cannot see (nesting by indentation alone, pathological
 * emphasis) is bounded later by the renderer's time budget.
 */
export function refuseDeepMarkdown(markdown: string, path: string): void {
  const depth = measureMarkdownNesting(markdown, MAX_MARKDOWN_NESTING_DEPTH);
  if (depth > MAX_MARKDOWN_NESTING_DEPTH) {
    throw new ProblemError(
      'too_deeply_nested',
      `The Markdown nests block quotes or lists more than ${MAX_MARKDOWN_NESTING_DEPTH} levels deep; Pagewire accepts at most ${MAX_MARKDOWN_NESTING_DEPTH}.`,
      { errors: [{ path, message: `nests more than ${MAX_MARKDOWN_NESTING_DEPTH} levels deep` }] },
    );
  }
}
