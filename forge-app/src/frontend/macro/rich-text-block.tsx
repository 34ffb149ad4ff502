import { AdfRenderer, type DocNode } from '@forge/react';
import type { AdfDocument, AdfNode } from '@pagewire/shared';

/**
 * ADF blocks and Markdown blocks both render through UI Kit's AdfRenderer,
 * Atlassian's own renderer, so they look like the rest of the page. Markdown
 * arrives already rendered by the backend (`blocks.get` → `rendered`); only if
 * it is missing does the macro fall back to the Markdown source as paragraphs,
 * which stays readable without shipping a Markdown parser to the browser.
 */
export function RichTextBlock({ document }: { document: AdfDocument }) {
  return <AdfRenderer document={document as unknown as DocNode} />;
}

export function markdownFallbackDocument(markdown: string): AdfDocument {
  const paragraphs = markdown
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph.length > 0);
  return {
    version: 1,
    type: 'doc',
    content: paragraphs.map((paragraph) => ({
      type: 'paragraph',
      content: paragraph
        .split('\n')
        .filter((line) => line.trim().length > 0)
        .flatMap((line, index): AdfNode[] => {
          const text: AdfNode = { type: 'text', text: line };
          return index === 0 ? [text] : [{ type: 'hardBreak' }, text];
        }),
    })),
  };
}
