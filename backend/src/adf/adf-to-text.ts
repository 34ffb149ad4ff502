import type { AdfDocument, AdfNode } from '@pagewire/shared';
import {
  cardName,
  cardUrl,
  dateText,
  decisionPrefix,
  emojiText,
  expandTitle,
  extensionName,
  mediaLabel,
  mediaUrl,
  mentionText,
  statusText,
} from './adf-readable';

/**
 * ADF → plain text for search indexes and knowledge bases: every word a reader
 * sees, with just enough layout to keep meaning: blocks apart by a blank line,
 * list items on their own lines (`- `, `1. `, `[x] `), table rows on lines
 * with cells apart by ` | `, line breaks as newlines. Nodes without words of
 * their own read as in Markdown export (`@Name`, the emoji, `[DONE]`, the
 * link's URL, `[media: …]`, `[macro: …]`), so nothing is silently left out.
 */
export function adfToText(document: AdfDocument): string {
  const text = joinBlocks(document.content ?? []);
  return text.length > 0 ? `${text}\n` : '';
}

function joinBlocks(nodes: readonly AdfNode[]): string {
  return nodes
    .map(blockToText)
    .filter((part) => part.length > 0)
    .join('\n\n');
}

/** One block's text; lines apart by `\n`, no trailing newline. */
export function blockToText(node: AdfNode): string {
  const content = node.content ?? [];
  switch (node.type) {
    case 'paragraph':
    case 'heading':
      return inlineText(content);
    case 'codeBlock':
      return content.map((child) => child.text ?? '').join('');
    case 'rule':
      return '---';
    case 'bulletList':
      return listText(content, () => '- ');
    case 'orderedList': {
      const start = Number(node.attrs?.order ?? 1);
      return listText(content, (index) => `${start + index}. `);
    }
    case 'taskList':
      return taskListText(node);
    case 'decisionList':
      return content.map((item) => `${decisionPrefix(item)} ${inlineText(item.content ?? [])}`).join('\n');
    case 'table':
      return content.map((row) => (row.content ?? []).map((cell) => cellText(cell)).join(' | ')).join('\n');
    case 'expand':
    case 'nestedExpand': {
      const title = expandTitle(node);
      const body = joinBlocks(content);
      return title ? [title, body].filter(Boolean).join('\n\n') : body;
    }
    case 'mediaSingle':
    case 'mediaGroup':
      return content
        .map((child) => (child.type === 'media' ? mediaText(child) : blockToText(child)))
        .join('\n');
    case 'blockCard':
    case 'embedCard':
      return cardUrl(node) ?? cardName(node);
    case 'extension':
      return `[macro: ${extensionName(node)}]`;
    case 'bodiedExtension':
    case 'multiBodiedExtension':
      return [`[macro: ${extensionName(node)}]`, joinBlocks(content)].filter(Boolean).join('\n\n');
    default:
      if (content.length > 0 && content.every((child) => child.type === 'text' || isInlineAtom(child))) {
        return inlineText(content);
      }
      return content.length > 0 ? joinBlocks(content) : (node.text ?? '');
  }
}

function isInlineAtom(node: AdfNode): boolean {
  return [
    'hardBreak',
    'mention',
    'emoji',
    'date',
    'status',
    'inlineCard',
    'mediaInline',
    'inlineExtension',
  ].includes(node.type);
}

function cellText(cell: AdfNode): string {
  return (cell.content ?? [])
    .map(blockToText)
    .filter((part) => part.length > 0)
    .join(' ')
    .replace(/\s*\n\s*/g, ' ');
}

function listText(items: readonly AdfNode[], marker: (index: number) => string): string {
  return items.map((item, index) => itemText(marker(index), joinItemBlocks(item.content ?? []))).join('\n');
}

/** Inside a list item the blocks sit on consecutive lines, so the list stays one list. */
function joinItemBlocks(nodes: readonly AdfNode[]): string {
  return nodes
    .map(blockToText)
    .filter((part) => part.length > 0)
    .join('\n');
}

function itemText(marker: string, body: string): string {
  const indent = ' '.repeat(marker.length);
  return body
    .split('\n')
    .map((line, index) => (index === 0 ? `${marker}${line}` : line.length > 0 ? `${indent}${line}` : line))
    .join('\n');
}

function taskListText(list: AdfNode): string {
  const lines: string[] = [];
  for (const child of list.content ?? []) {
    if (child.type === 'taskList') {
      lines.push(
        ...taskListText(child)
          .split('\n')
          .map((line) => `    ${line}`),
      );
      continue;
    }
    const box = child.attrs?.state === 'DONE' ? '[x] ' : '[ ] ';
    lines.push(itemText(box, inlineText(child.content ?? [])));
  }
  return lines.join('\n');
}

function mediaText(media: AdfNode): string {
  const url = mediaUrl(media);
  const label = mediaLabel(media);
  return url && label !== url ? `[media: ${label}] ${url}` : `[media: ${label}]`;
}

/** The words of inline content; a hard break is a newline. */
export function inlineText(nodes: readonly AdfNode[]): string {
  return nodes.map(inlineNodeText).join('');
}

function inlineNodeText(node: AdfNode): string {
  switch (node.type) {
    case 'text':
      return node.text ?? '';
    case 'hardBreak':
      return '\n';
    case 'mention':
      return mentionText(node);
    case 'emoji':
      return emojiText(node);
    case 'date':
      return dateText(node);
    case 'status':
      return `[${statusText(node) || 'status'}]`;
    case 'inlineCard':
      return cardUrl(node) ?? cardName(node);
    case 'mediaInline':
      return `[media: ${mediaLabel(node)}]`;
    case 'inlineExtension':
      return `[macro: ${extensionName(node)}]`;
    case 'placeholder':
      return String(node.attrs?.text ?? '');
    default:
      return node.content ? inlineText(node.content) : (node.text ?? '');
  }
}
