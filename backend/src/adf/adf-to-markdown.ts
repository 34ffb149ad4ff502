import type { AdfDocument, AdfMark, AdfNode } from '@pagewire/shared';
import type {
  AlignType,
  BlockContent,
  List,
  ListItem,
  Paragraph,
  PhrasingContent,
  Root,
  Table,
  TableCell,
  TableRow,
} from 'mdast';
import { type ContainerDirective, directiveToMarkdown, type TextDirective } from 'mdast-util-directive';
import { gfmToMarkdown } from 'mdast-util-gfm';
import { type Options as ToMarkdownOptions, toMarkdown } from 'mdast-util-to-markdown';
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
  statusColor,
  statusText,
} from './adf-readable';
import { blockToText } from './adf-to-text';

/**
 * ADF → GitHub-flavoured Markdown, the inverse of Pagewire's own Markdown → ADF
 * mapping (`adf/markdown-to-adf.ts`): for any Markdown that mapping
 * produces, Markdown → ADF → Markdown → ADF gives the same document (a property
 * test holds this). The ADF is mapped here to an mdast tree; printing it,
 * including every escape that keeps text from turning into syntax, is
 * `mdast-util-to-markdown`'s job with its GFM and directive extensions.
 *
 * Nodes without a Markdown form are never dropped (docs/EXPORT.md#adf-to-markdown
 * lists each form): panels and expands use the `:::` container directives and a
 * status the `:status[…]{color=…}` text directive that Pagewire reads back;
 * mentions, emoji, dates, smart links, media and decisions become readable text
 * or links; macros become a fenced `adf` block with the node's JSON. Formatting
 * marks Markdown lacks (underline, colour, sub/superscript, alignment) keep
 * their text and lose the styling.
 */
export function adfToMarkdown(document: AdfDocument): string {
  const root: Root = { type: 'root', children: blocks(document.content ?? []) };
  return toMarkdown(root, printOptions);
}

/** Built once: the extensions are plain data, the same for every document. */
const printOptions: ToMarkdownOptions = {
  bullet: '-',
  bulletOther: '*',
  emphasis: '*',
  strong: '*',
  fence: '`',
  fences: true,
  rule: '-',
  listItemIndent: 'one',
  extensions: [gfmToMarkdown(), directiveToMarkdown()],
};

type Block = BlockContent | ContainerDirective;

const panelNames = new Set(['info', 'note', 'tip', 'warning', 'error', 'success']);

function blocks(nodes: readonly AdfNode[]): Block[] {
  return nodes.flatMap(block);
}

function block(node: AdfNode): Block[] {
  const content = node.content ?? [];
  switch (node.type) {
    case 'paragraph':
      return content.length > 0 ? [paragraphOf(inline(content))] : [];
    case 'heading': {
      const level = Math.min(6, Math.max(1, Number(node.attrs?.level ?? 1))) as 1 | 2 | 3 | 4 | 5 | 6;
      return [{ type: 'heading', depth: level, children: inline(content) }];
    }
    case 'codeBlock': {
      const language = node.attrs?.language;
      return [
        {
          type: 'code',
          lang: typeof language === 'string' && language ? language : null,
          value: textOf(content),
        },
      ];
    }
    case 'rule':
      return [{ type: 'thematicBreak' }];
    case 'blockquote':
      return [{ type: 'blockquote', children: blocks(content) as BlockContent[] }];
    case 'bulletList':
    case 'orderedList':
      return [listOf(node)];
    case 'taskList':
      return [taskListOf(node)];
    case 'decisionList':
      return [decisionListOf(node)];
    case 'table':
      return tableOf(node);
    case 'panel':
      return [panelOf(node)];
    case 'expand':
    case 'nestedExpand':
      return [expandOf(node)];
    case 'mediaSingle':
    case 'mediaGroup':
      return mediaBlocks(node);
    case 'blockCard':
    case 'embedCard':
      return [paragraphOf(cardInline(node))];
    case 'extension':
      return [adfFence(node)];
    case 'bodiedExtension':
    case 'multiBodiedExtension':
      // The macro's settings as JSON, then its body (each frame's, in order) as Markdown.
      return [adfFence({ ...node, content: undefined }), ...blocks(content)];
    case 'layoutSection':
    case 'layoutColumn':
      // Columns read top to bottom, left column first: a layout is a visual arrangement only.
      return blocks(content);
    default:
      return unknownBlock(node);
  }
}

function paragraphOf(children: PhrasingContent[]): Paragraph {
  return { type: 'paragraph', children };
}

function textOf(nodes: readonly AdfNode[]): string {
  return nodes.map((node) => node.text ?? '').join('');
}

function listOf(node: AdfNode): List {
  const ordered = node.type === 'orderedList';
  const list: List = {
    type: 'list',
    ordered,
    spread: false,
    children: (node.content ?? []).map((item) => listItemOf(blocks(item.content ?? []))),
  };
  if (ordered) list.start = Number(node.attrs?.order ?? 1);
  return list;
}

function listItemOf(children: Block[], checked?: boolean): ListItem {
  const item: ListItem = { type: 'listItem', spread: false, children: children as BlockContent[] };
  if (checked !== undefined) item.checked = checked;
  return item;
}

/**
 * ADF nests a task list as a sibling that follows the item it belongs under;
 * Markdown nests it inside that item.
 */
function taskListOf(node: AdfNode): List {
  const items: ListItem[] = [];
  for (const child of node.content ?? []) {
    if (child.type === 'taskList') {
      let previous = items.at(-1);
      if (!previous) {
        previous = listItemOf([], false);
        items.push(previous);
      }
      previous.children.push(taskListOf(child));
      continue;
    }
    const children = inline(child.content ?? []);
    items.push(listItemOf(children.length > 0 ? [paragraphOf(children)] : [], child.attrs?.state === 'DONE'));
  }
  return { type: 'list', ordered: false, spread: false, children: items };
}

function decisionListOf(node: AdfNode): List {
  const items = (node.content ?? []).map((item) =>
    listItemOf([
      paragraphOf([{ type: 'text', value: `${decisionPrefix(item)} ` }, ...inline(item.content ?? [])]),
    ]),
  );
  return { type: 'list', ordered: false, spread: false, children: items };
}

function panelOf(node: AdfNode): ContainerDirective {
  const type = String(node.attrs?.panelType ?? 'info');
  // A custom panel (own colour and icon) has no directive of its own; `note` is the neutral one.
  const name = panelNames.has(type) ? type : 'note';
  return { type: 'containerDirective', name, children: blocks(node.content ?? []) as BlockContent[] };
}

function expandOf(node: AdfNode): ContainerDirective {
  const children = blocks(node.content ?? []) as BlockContent[];
  const title = expandTitle(node);
  if (title) {
    children.unshift({
      type: 'paragraph',
      data: { directiveLabel: true },
      children: [{ type: 'text', value: title }],
    });
  }
  return { type: 'containerDirective', name: 'expand', children };
}

function mediaBlocks(node: AdfNode): Block[] {
  const out: Block[] = [];
  for (const child of node.content ?? []) {
    if (child.type === 'media') {
      const url = mediaUrl(child);
      const alt = typeof child.attrs?.alt === 'string' ? child.attrs.alt : null;
      out.push(
        paragraphOf(
          url ? [{ type: 'image', url, alt }] : [{ type: 'text', value: `[media: ${mediaLabel(child)}]` }],
        ),
      );
    } else if (child.type === 'caption') {
      const words = inline(child.content ?? []);
      if (words.length > 0) out.push(paragraphOf([{ type: 'emphasis', children: words }]));
    } else {
      out.push(...block(child));
    }
  }
  return out;
}

/** The documented fenced form for what Markdown cannot hold: the node's ADF, verbatim, as JSON. */
function adfFence(node: AdfNode): Block {
  return { type: 'code', lang: 'adf', value: JSON.stringify(node, null, 2) };
}

function unknownBlock(node: AdfNode): Block[] {
  const content = node.content ?? [];
  if (content.length === 0)
    return node.text ? [paragraphOf([{ type: 'text', value: node.text }])] : [adfFence(node)];
  return content.every((child) => isInlineNode(child)) ? [paragraphOf(inline(content))] : blocks(content);
}

const inlineTypes = new Set([
  'text',
  'hardBreak',
  'mention',
  'emoji',
  'date',
  'status',
  'inlineCard',
  'mediaInline',
  'inlineExtension',
  'placeholder',
]);

function isInlineNode(node: AdfNode): boolean {
  return inlineTypes.has(node.type);
}

// ---------------------------------------------------------------- tables

/**
 * GFM tables hold one line of inline content per cell and need a header row,
 * so the first row is the header whatever its cells are, merged cells repeat
 * as empty ones, and block content in a cell joins with `<br>` (which
 * Pagewire's Markdown mapping reads back as a line break).
 */
function tableOf(node: AdfNode): Block[] {
  const rows = (node.content ?? []).filter((row) => row.type === 'tableRow');
  if (rows.length === 0) return [];
  const grid = rows.map((row) => (row.content ?? []).flatMap(expandColspan));
  const width = Math.max(1, ...grid.map((cells) => cells.length));
  const tableRows: TableRow[] = grid.map((cells) => ({
    type: 'tableRow',
    children: Array.from(
      { length: width },
      (_, column): TableCell => ({
        type: 'tableCell',
        children: cellInline(cells[column]),
      }),
    ),
  }));
  const align = Array.from({ length: width }, (_, column) => alignmentOf(grid[0]?.[column]));
  const table: Table = { type: 'table', align, children: tableRows };
  return [table];
}

function expandColspan(cell: AdfNode): (AdfNode | undefined)[] {
  const span = Math.max(1, Number(cell.attrs?.colspan ?? 1) || 1);
  return [cell, ...Array.from({ length: span - 1 }, () => undefined)];
}

function alignmentOf(cell: AdfNode | undefined): AlignType {
  const first = cell?.content?.[0];
  const mark = first?.marks?.find((candidate) => candidate.type === 'alignment');
  if (mark?.attrs?.align === 'center') return 'center';
  if (mark?.attrs?.align === 'end') return 'right';
  return null;
}

function cellInline(cell: AdfNode | undefined): PhrasingContent[] {
  if (!cell) return [];
  const out: PhrasingContent[] = [];
  for (const child of cell.content ?? []) {
    const line = cellLine(child);
    if (line.length === 0) continue;
    if (out.length > 0) out.push({ type: 'html', value: '<br>' });
    out.push(...line);
  }
  return out;
}

function cellLine(node: AdfNode): PhrasingContent[] {
  if (node.type === 'paragraph' || node.type === 'heading') return inline(node.content ?? [], true);
  if (node.type === 'codeBlock') {
    const code = textOf(node.content ?? []).replace(/\s*\n\s*/g, ' ');
    return code.length > 0 ? [{ type: 'inlineCode', value: code }] : [];
  }
  const words = blockToText(node)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  return words.flatMap((line, index): PhrasingContent[] =>
    index === 0
      ? [{ type: 'text', value: line }]
      : [
          { type: 'html', value: '<br>' },
          { type: 'text', value: line },
        ],
  );
}

// ---------------------------------------------------------------- inline

/** One inline leaf with the marks Markdown can express on it, outermost first. */
interface Atom {
  marks: AdfMark[];
  node: PhrasingContent;
}

const markdownMarks = new Set(['em', 'strong', 'strike', 'link']);

function inline(nodes: readonly AdfNode[], inTable = false): PhrasingContent[] {
  return nest(nodes.flatMap((node) => atoms(node, inTable)));
}

function atoms(node: AdfNode, inTable: boolean): Atom[] {
  const marks = (node.marks ?? []).filter((mark) => markdownMarks.has(mark.type));
  const leaf = (value: PhrasingContent): Atom[] => [{ marks, node: value }];
  const plain = (value: string): Atom[] => (value.length > 0 ? leaf({ type: 'text', value }) : []);
  switch (node.type) {
    case 'text': {
      const value = node.text ?? '';
      if (value.length === 0) return [];
      const isCode = (node.marks ?? []).some((mark) => mark.type === 'code');
      return leaf(isCode ? { type: 'inlineCode', value } : { type: 'text', value });
    }
    case 'hardBreak':
      // A table cell is one line in GFM; `<br>` is the line break Pagewire reads back there.
      return leaf(inTable ? { type: 'html', value: '<br>' } : { type: 'break' });
    case 'mention':
      return plain(mentionText(node));
    case 'emoji':
      return plain(emojiText(node));
    case 'date':
      return plain(dateText(node));
    case 'status':
      return statusText(node) ? leaf(statusDirective(node)) : plain('[status]');
    case 'inlineCard':
      return cardInline(node).map((value) => ({ marks, node: value }));
    case 'mediaInline':
      return plain(`[media: ${mediaLabel(node)}]`);
    case 'inlineExtension':
      return plain(`[macro: ${extensionName(node)}]`);
    case 'placeholder':
      return plain(String(node.attrs?.text ?? ''));
    default:
      if (node.content) return node.content.flatMap((child) => atoms(child, inTable));
      return node.text ? plain(node.text) : leaf({ type: 'inlineCode', value: JSON.stringify(node) });
  }
}

function statusDirective(node: AdfNode): TextDirective {
  return {
    type: 'textDirective',
    name: 'status',
    attributes: { color: statusColor(node) },
    children: [{ type: 'text', value: statusText(node) }],
  };
}

function cardInline(node: AdfNode): PhrasingContent[] {
  const url = cardUrl(node);
  if (!url) return [{ type: 'text', value: cardName(node) }];
  return [{ type: 'link', url, children: [{ type: 'text', value: url }] }];
}

/**
 * Turns marked leaves into nested emphasis, strong, strikethrough and links.
 * At each step the mark shared by the longest run of neighbours becomes the
 * outer node, so `**a *b* c**` prints as one strong run, not three.
 */
function nest(items: readonly Atom[]): PhrasingContent[] {
  const out: PhrasingContent[] = [];
  let index = 0;
  while (index < items.length) {
    const current = items[index]!;
    if (current.marks.length === 0) {
      out.push(current.node);
      index += 1;
      continue;
    }
    let best = current.marks[0]!;
    let bestEnd = runEnd(items, index, best);
    for (const mark of current.marks.slice(1)) {
      const end = runEnd(items, index, mark);
      if (end > bestEnd) {
        best = mark;
        bestEnd = end;
      }
    }
    const inner = items
      .slice(index, bestEnd)
      .map((item) => ({ node: item.node, marks: item.marks.filter((mark) => !sameMark(mark, best)) }));
    out.push(wrap(best, nest(inner)));
    index = bestEnd;
  }
  return out;
}

function runEnd(items: readonly Atom[], start: number, mark: AdfMark): number {
  let end = start;
  while (end < items.length && items[end]!.marks.some((candidate) => sameMark(candidate, mark))) end += 1;
  return end;
}

function sameMark(a: AdfMark, b: AdfMark): boolean {
  if (a.type !== b.type) return false;
  if (a.type !== 'link') return true;
  return a.attrs?.href === b.attrs?.href && a.attrs?.title === b.attrs?.title;
}

function wrap(mark: AdfMark, children: PhrasingContent[]): PhrasingContent {
  switch (mark.type) {
    case 'em':
      return { type: 'emphasis', children };
    case 'strong':
      return { type: 'strong', children };
    case 'strike':
      return { type: 'delete', children };
    default: {
      const title = typeof mark.attrs?.title === 'string' && mark.attrs.title ? mark.attrs.title : null;
      return { type: 'link', url: String(mark.attrs?.href ?? ''), title, children };
    }
  }
}
