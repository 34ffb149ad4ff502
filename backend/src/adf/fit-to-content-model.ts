import type { AdfMark, AdfNode } from '@pagewire/shared';
import { paragraph, text } from '@pagewire/shared/adf-builders';

/**
 * Where ADF allows which blocks (from the vendored `full.json`): a heading is
 * not allowed inside a blockquote, a table not inside a list item, and so on.
 * Content converted for the document level is fitted into these sets when it
 * lands in a container, so nothing is dropped: it changes form instead.
 */
export const allowedBlocks = {
  doc: new Set([
    'paragraph',
    'heading',
    'codeBlock',
    'bulletList',
    'orderedList',
    'taskList',
    'blockquote',
    'rule',
    'panel',
    'table',
    'mediaSingle',
    'expand',
  ]),
  listItem: new Set(['paragraph', 'bulletList', 'orderedList', 'taskList', 'codeBlock', 'mediaSingle']),
  blockquote: new Set(['paragraph', 'bulletList', 'orderedList', 'codeBlock', 'mediaSingle']),
  panel: new Set([
    'paragraph',
    'heading',
    'bulletList',
    'orderedList',
    'taskList',
    'codeBlock',
    'rule',
    'mediaSingle',
  ]),
  tableCell: new Set([
    'paragraph',
    'heading',
    'bulletList',
    'orderedList',
    'taskList',
    'codeBlock',
    'rule',
    'panel',
    'blockquote',
    'mediaSingle',
  ]),
  expand: new Set([
    'paragraph',
    'heading',
    'bulletList',
    'orderedList',
    'taskList',
    'codeBlock',
    'rule',
    'panel',
    'blockquote',
    'table',
    'mediaSingle',
  ]),
} as const;

/**
 * Makes blocks fit a container whose ADF content model is narrower than the
 * document's (a heading in a quote, a table in a list item). Each block that is
 * not allowed changes form instead of disappearing: a heading becomes a bold
 * paragraph, a quote or panel gives up its frame, a table becomes one line per
 * row. The reader still sees every word.
 */
export function fitToContentModel(blocks: readonly AdfNode[], allowed: ReadonlySet<string>): AdfNode[] {
  const fitted: AdfNode[] = [];
  for (const block of blocks) {
    if (allowed.has(block.type)) {
      fitted.push(block);
      continue;
    }
    switch (block.type) {
      case 'heading':
        fitted.push(paragraph((block.content ?? []).map(emphasise)));
        break;
      case 'blockquote':
      case 'panel':
      case 'expand':
        fitted.push(...fitToContentModel(block.content ?? [], allowed));
        break;
      case 'table':
        for (const row of block.content ?? []) {
          const cells = (row.content ?? []).map((cell) => plainTextOf(cell));
          fitted.push(paragraph([text(`| ${cells.join(' | ')} |`)]));
        }
        break;
      case 'rule':
        fitted.push(paragraph([text('———')]));
        break;
      case 'taskList':
        fitted.push(...taskListAsParagraphs(block));
        break;
      case 'bulletList':
      case 'orderedList':
        (block.content ?? []).forEach((item, index) => {
          const marker = block.type === 'bulletList' ? '•' : `${index + 1}.`;
          fitted.push(paragraph([text(`${marker} ${plainTextOf(item)}`)]));
        });
        break;
      default: {
        const words = plainTextOf(block);
        if (words.length > 0) fitted.push(paragraph([text(words)]));
      }
    }
  }
  return fitted;
}

function taskListAsParagraphs(list: AdfNode): AdfNode[] {
  const lines: AdfNode[] = [];
  for (const child of list.content ?? []) {
    if (child.type === 'taskList') {
      lines.push(...taskListAsParagraphs(child));
      continue;
    }
    const box = child.attrs?.state === 'DONE' ? '☑' : '☐';
    lines.push(paragraph([text(`${box} `), ...(child.content ?? [])]));
  }
  return lines;
}

function emphasise(node: AdfNode): AdfNode {
  if (node.type !== 'text') return node;
  const marks: AdfMark[] = node.marks ?? [];
  // `code` may only be combined with `link`; such text keeps its own look.
  if (marks.some((mark) => mark.type === 'code' || mark.type === 'strong')) return node;
  return { ...node, marks: [...marks, { type: 'strong' }] };
}

/** The words of an ADF subtree, blocks separated by spaces. */
export function plainTextOf(node: AdfNode): string {
  if (node.type === 'text') return node.text ?? '';
  if (node.type === 'hardBreak') return ' ';
  if (node.type === 'status') return String(node.attrs?.text ?? '');
  if (node.type === 'mediaSingle' || node.type === 'media') {
    const media = node.type === 'media' ? node : node.content?.[0];
    return String(media?.attrs?.alt ?? media?.attrs?.url ?? '');
  }
  const parts = (node.content ?? []).map(plainTextOf).filter((part) => part.length > 0);
  const inline = node.type === 'paragraph' || node.type === 'heading' || node.type === 'taskItem';
  return parts.join(inline ? '' : ' ').trim();
}
