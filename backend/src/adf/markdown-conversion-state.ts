import type { AdfDocument } from '@pagewire/shared';
import type { FootnoteDefinition, Nodes } from 'mdast';

/**
 * Something in the Markdown that Pagewire could not map to ADF faithfully. The
 * document itself always shows it (a warning panel with the raw source, or the
 * literal text); this list lets the job and the activity log say so too.
 */
export interface ConversionNote {
  construct: string;
  detail: string;
  line?: number;
}

export interface MarkdownConversion {
  document: AdfDocument;
  notes: ConversionNote[];
}

/** What the block and inline halves of one conversion share: the source, its definitions, the notes. */
export class ConversionState {
  readonly notes: ConversionNote[] = [];
  readonly definitions = new Map<string, { url: string; title?: string | null }>();
  readonly footnoteDefinitions = new Map<string, FootnoteDefinition>();
  /** Footnote identifiers in the order they are first referenced; the number is the position + 1. */
  readonly footnoteOrder: string[] = [];

  constructor(readonly source: string) {}

  /** The node's Markdown source, verbatim. */
  sourceOf(node: Nodes): string | undefined {
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    if (start === undefined || end === undefined) return undefined;
    return this.source.slice(start, end);
  }
}

export function plainTextOfMdast(node: Nodes): string {
  if ('value' in node && typeof node.value === 'string') return node.value;
  if ('children' in node) return node.children.map((child) => plainTextOfMdast(child as Nodes)).join('');
  return '';
}

/** A short, one-line, quoted excerpt of the source for a note. */
export function truncate(value: string, max: number): string {
  const oneLine = value.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `"${oneLine.slice(0, max - 1)}…"` : `"${oneLine}"`;
}
