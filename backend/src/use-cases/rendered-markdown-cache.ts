import type { AdfDocument } from '@pagewire/shared';
import type { Logger } from 'pino';
import { isContentTooComplexError } from '../adf/markdown-renderer';

/**
 * Rendering Markdown to ADF took ~1.1 ms of CPU for a short block, more than
 * the rest of a `blocks.get` together (bench/state-scale.ts reads Markdown
 * blocks), and its result depends on the content alone. Renderings are kept
 * by content hash, bounded both in count and in the Markdown they stand for
 * (the ADF is a few times larger), so the memory they hold stays in the low
 * tens of MB whatever the blocks are. A rendering that failed because the
 * content is too complex (over the renderer's time budget) is kept too, as
 * "no rendering": the macro then shows the Markdown as plain text, and the
 * next view does not spend another budget on it.
 */
const RENDERED_MAX_ENTRIES = 2_000;
const RENDERED_MAX_MARKDOWN_CHARS = 4_000_000;

interface RenderedEntry {
  document: AdfDocument | null;
  chars: number;
}

/** Renders by content hash, remembering results; null: show the Markdown as plain text. */
export type RenderedMarkdown = (contentHash: string, markdown: string) => Promise<AdfDocument | null>;

export function createRenderedMarkdownCache(
  render: (markdown: string) => Promise<AdfDocument>,
  logger?: Logger,
): RenderedMarkdown {
  const entries = new Map<string, RenderedEntry>();
  let chars = 0;
  return async (contentHash, markdown) => {
    const hit = entries.get(contentHash);
    if (hit !== undefined) {
      // Re-inserted so the Map's order stays least recently used first.
      entries.delete(contentHash);
      entries.set(contentHash, hit);
      return hit.document;
    }
    let document: AdfDocument | null;
    try {
      document = await render(markdown);
    } catch (error) {
      if (!isContentTooComplexError(error)) {
        // Not the content's fault (the renderer is shutting down): show plain text this once.
        logger?.warn({ err: error }, 'a Markdown block could not be rendered for the macro');
        return null;
      }
      document = null;
    }
    if (markdown.length > RENDERED_MAX_MARKDOWN_CHARS / 4) return document;
    while (
      entries.size > 0 &&
      (entries.size >= RENDERED_MAX_ENTRIES || chars + markdown.length > RENDERED_MAX_MARKDOWN_CHARS)
    ) {
      const [oldestHash, oldest] = entries.entries().next().value!;
      entries.delete(oldestHash);
      chars -= oldest.chars;
    }
    entries.set(contentHash, { document, chars: markdown.length });
    chars += markdown.length;
    return document;
  };
}
