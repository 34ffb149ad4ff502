import type { AdfDocument, AdfMark, AdfNode } from '@pagewire/shared';
import {
  codeBlock,
  code as codeMark,
  doc,
  em,
  heading,
  link,
  listItem,
  type PanelType,
  panel,
  paragraph,
  rule,
  type StatusColor,
  status,
  strong,
  table,
  tableCell,
  tableRow,
  text,
} from '@pagewire/shared/adf-builders';
import type {
  BlockContent,
  DefinitionContent,
  FootnoteDefinition,
  List,
  ListItem,
  Nodes,
  Paragraph,
  PhrasingContent,
  Root,
  RootContent,
  Table,
} from 'mdast';
import type { ContainerDirective, TextDirective } from 'mdast-util-directive';
import remarkDirective from 'remark-directive';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { fitToContentModel, plainTextOf } from './fit-to-content-model';

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

/** `:::info` … `:::` and friends become ADF panels of the same name. */
const panelDirectives: Readonly<Record<string, PanelType>> = {
  info: 'info',
  note: 'note',
  tip: 'tip',
  warning: 'warning',
  error: 'error',
  success: 'success',
  // Common aliases from other Markdown dialects (GitHub alerts, Docusaurus admonitions).
  caution: 'warning',
  danger: 'error',
  important: 'note',
};

const statusColors: Readonly<Record<string, StatusColor>> = {
  neutral: 'neutral',
  grey: 'neutral',
  gray: 'neutral',
  purple: 'purple',
  blue: 'blue',
  info: 'blue',
  red: 'red',
  danger: 'red',
  yellow: 'yellow',
  warning: 'yellow',
  green: 'green',
  success: 'green',
};

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

const parser = unified().use(remarkParse).use(remarkGfm).use(remarkDirective);

/**
 * Converts Markdown (CommonMark + GFM + container directives for panels) to an
 * ADF document. Pure and deterministic: the same Markdown always gives the same
 * document, byte for byte, so the content hash only moves when the content does
 * (task lists need `localId`s; they are numbered, not random, for that reason).
 */
export function convertMarkdownToAdf(markdown: string): MarkdownConversion {
  const tree = parser.parse(markdown) as Root;
  const converter = new Converter(markdown, tree);
  return converter.run();
}

class Converter {
  private readonly notes: ConversionNote[] = [];
  private readonly definitions = new Map<string, { url: string; title?: string | null }>();
  private readonly footnoteDefinitions = new Map<string, FootnoteDefinition>();
  /** Footnote identifiers in the order they are first referenced; the number is the position + 1. */
  private readonly footnoteOrder: string[] = [];
  private taskListCount = 0;
  private taskItemCount = 0;

  constructor(
    private readonly source: string,
    private readonly tree: Root,
  ) {}

  run(): MarkdownConversion {
    this.collectDefinitions(this.tree);
    const content = this.convertBlocks(this.tree.children);
    content.push(...this.renderFootnotes());
    return { document: doc(fitToContentModel(content, allowedBlocks.doc)), notes: this.notes };
  }

  private collectDefinitions(node: Nodes): void {
    if (node.type === 'definition') {
      // mdast identifiers are already normalised (case-folded, whitespace collapsed).
      if (!this.definitions.has(node.identifier)) {
        this.definitions.set(node.identifier, { url: node.url, title: node.title });
      }
    } else if (node.type === 'footnoteDefinition') {
      if (!this.footnoteDefinitions.has(node.identifier)) this.footnoteDefinitions.set(node.identifier, node);
    }
    if ('children' in node) {
      for (const child of node.children) this.collectDefinitions(child as Nodes);
    }
  }

  private convertBlocks(nodes: ReadonlyArray<RootContent | BlockContent | DefinitionContent>): AdfNode[] {
    return nodes.flatMap((node) => this.convertBlock(node));
  }

  private convertBlock(node: RootContent | BlockContent | DefinitionContent): AdfNode[] {
    switch (node.type) {
      case 'paragraph':
        return this.convertParagraph(node);
      case 'heading': {
        const inline = this.convertInlines(node.children, []);
        return [heading(node.depth, inline)];
      }
      case 'thematicBreak':
        return [rule()];
      case 'blockquote': {
        const inner = fitToContentModel(this.convertBlocks(node.children), allowedBlocks.blockquote);
        return [{ type: 'blockquote', content: inner.length > 0 ? inner : [paragraph()] }];
      }
      case 'list':
        return this.convertList(node);
      case 'code':
        return [codeBlock(node.value, node.lang ?? undefined)];
      case 'html':
        return this.unsupportedBlock('HTML', node.value, node.position?.start.line, 'html');
      case 'table':
        return [this.convertTable(node)];
      case 'containerDirective':
        return this.convertContainerDirective(node);
      case 'leafDirective': {
        // `::name` on its own line is not a Pagewire construct: keep the author's text as written.
        const literal = this.sourceOf(node);
        return literal === undefined ? [] : [paragraph([text(literal)])];
      }
      case 'definition':
      case 'footnoteDefinition':
        // Definitions are resolved where they are used; footnotes are rendered at the end.
        return [];
      default:
        return this.unsupportedBlock(
          node.type,
          this.sourceOf(node) ?? plainTextOfMdast(node),
          node.position?.start.line,
        );
    }
  }

  private convertParagraph(node: Paragraph): AdfNode[] {
    const image = standaloneImage(node, this.definitions);
    if (image && isHttpUrl(image.url)) {
      const attrs: Record<string, unknown> = { type: 'external', url: image.url };
      if (image.alt) attrs.alt = image.alt;
      return [
        {
          type: 'mediaSingle',
          attrs: { layout: 'center' },
          content: [{ type: 'media', attrs }],
        },
      ];
    }
    return [paragraph(this.convertInlines(node.children, []))];
  }

  private convertList(node: List): AdfNode[] {
    // GFM allows task items and plain items in one list; ADF has separate list
    // types, so consecutive runs of each kind become their own list.
    const runs: { task: boolean; items: ListItem[] }[] = [];
    for (const item of node.children) {
      const task = typeof item.checked === 'boolean';
      const last = runs.at(-1);
      if (last && last.task === task) last.items.push(item);
      else runs.push({ task, items: [item] });
    }
    let nextNumber = node.start ?? 1;
    return runs.map((run) => {
      if (run.task) return this.convertTaskList(run.items);
      const items = run.items.map((item) => listItem(this.convertListItemContent(item)));
      if (!node.ordered) return { type: 'bulletList', content: items };
      const list: AdfNode = { type: 'orderedList', content: items };
      if (nextNumber !== 1) list.attrs = { order: Math.max(0, nextNumber) };
      nextNumber += run.items.length;
      return list;
    });
  }

  private convertListItemContent(item: ListItem): AdfNode[] {
    const content = fitToContentModel(this.convertBlocks(item.children), allowedBlocks.listItem);
    // The editor's schema wants a paragraph first in a list item; a list item
    // that opens with a code block or a nested list gets an empty one.
    if (content.length === 0 || content[0]?.type !== 'paragraph') content.unshift(paragraph());
    return content;
  }

  private convertTaskList(items: ListItem[]): AdfNode {
    this.taskListCount += 1;
    const listId = `task-list-${this.taskListCount}`;
    const content: AdfNode[] = [];
    for (const item of items) {
      this.taskItemCount += 1;
      const itemId = `task-${this.taskItemCount}`;
      const inline: AdfNode[] = [];
      const nested: AdfNode[] = [];
      for (const [index, child] of item.children.entries()) {
        if (index === 0 && child.type === 'paragraph') {
          inline.push(...this.convertInlines(child.children, []));
          continue;
        }
        const converted = this.convertBlock(child);
        for (const block of converted) {
          if (block.type === 'taskList') {
            nested.push(block);
          } else {
            // A task item holds inline content only: further paragraphs or a
            // nested bullet list stay visible as text on new lines.
            const line = plainTextOf(block);
            if (line.length > 0) {
              if (inline.length > 0) inline.push({ type: 'hardBreak' });
              inline.push(text(line));
            }
          }
        }
      }
      const taskItem: AdfNode = {
        type: 'taskItem',
        attrs: { localId: itemId, state: item.checked ? 'DONE' : 'TODO' },
      };
      if (inline.length > 0) taskItem.content = inline;
      content.push(taskItem, ...nested);
    }
    return { type: 'taskList', attrs: { localId: listId }, content };
  }

  private convertTable(node: Table): AdfNode {
    const width = Math.max(...node.children.map((row) => row.children.length));
    const rows = node.children.map((row, rowIndex) => {
      const cells: AdfNode[] = [];
      for (let column = 0; column < width; column += 1) {
        const cell = row.children[column];
        const inline = cell ? this.convertInlines(cell.children, []) : [];
        const cellParagraph = paragraph(inline);
        const align = node.align?.[column];
        // ADF aligns paragraphs, not cells: the alignment mark goes on the cell's paragraph.
        if (align === 'center' || align === 'right') {
          cellParagraph.marks = [
            { type: 'alignment', attrs: { align: align === 'center' ? 'center' : 'end' } },
          ];
        }
        cells.push(tableCell([cellParagraph], rowIndex === 0));
      }
      return tableRow(cells);
    });
    return table(rows);
  }

  private convertContainerDirective(node: ContainerDirective): AdfNode[] {
    const labelNode = node.children[0];
    const hasLabel = labelNode?.type === 'paragraph' && labelNode.data?.directiveLabel === true;
    const body = hasLabel ? node.children.slice(1) : node.children;
    const title = hasLabel ? plainTextOfMdast(labelNode) : undefined;
    const panelType = panelDirectives[node.name.toLowerCase()];
    if (panelType) {
      const content = this.convertBlocks(body);
      if (hasLabel) content.unshift(heading(3, this.convertInlines(labelNode.children, [])));
      const fitted = fitToContentModel(content, allowedBlocks.panel);
      return [panel(panelType, fitted.length > 0 ? fitted : [paragraph()])];
    }
    if (node.name.toLowerCase() === 'expand') {
      const content = fitToContentModel(this.convertBlocks(body), allowedBlocks.expand);
      const expand: AdfNode = { type: 'expand', content: content.length > 0 ? content : [paragraph()] };
      if (title) expand.attrs = { title };
      return [expand];
    }
    this.notes.push({
      construct: `directive :::${node.name}`,
      detail: `":::${node.name}" is not a Pagewire directive; its content is shown without it`,
      line: node.position?.start.line,
    });
    return [
      panel('warning', [
        paragraph([
          text('Pagewire does not know the directive '),
          text(`:::${node.name}`, [codeMark]),
          text(
            `; its content follows as written. Known directives: ${[...Object.keys(panelDirectives), 'expand'].join(', ')}.`,
          ),
        ]),
      ]),
      ...this.convertBlocks(body),
    ];
  }

  private unsupportedBlock(
    construct: string,
    raw: string,
    line: number | undefined,
    language?: string,
  ): AdfNode[] {
    this.notes.push({
      construct,
      detail: `${construct} is not converted to Confluence content; it is shown as code`,
      line,
    });
    const where = line === undefined ? '' : ` (line ${line})`;
    return [
      panel('warning', [
        paragraph([
          text(`Pagewire could not convert this ${construct}${where}; the source is shown as code.`),
        ]),
        codeBlock(raw, language),
      ]),
    ];
  }

  private convertInlines(nodes: readonly PhrasingContent[], marks: AdfMark[]): AdfNode[] {
    return mergeAdjacentText(nodes.flatMap((node) => this.convertInline(node, marks)));
  }

  private convertInline(node: PhrasingContent, marks: AdfMark[]): AdfNode[] {
    switch (node.type) {
      case 'text': {
        // A soft line break inside a paragraph is a space in Markdown's rendering.
        const value = node.value.replace(/[ \t]*\r?\n[ \t]*/g, ' ');
        return value.length > 0 ? [text(value, marks)] : [];
      }
      case 'emphasis':
        return this.convertInlines(node.children, withMark(marks, em));
      case 'strong':
        return this.convertInlines(node.children, withMark(marks, strong));
      case 'delete':
        return this.convertInlines(node.children, withMark(marks, { type: 'strike' }));
      case 'inlineCode': {
        // ADF allows only `link` next to `code` on a text node.
        const kept = marks.filter((mark) => mark.type === 'link');
        return node.value.length > 0 ? [text(node.value, [...kept, codeMark])] : [];
      }
      case 'break':
        return [{ type: 'hardBreak' }];
      case 'link':
        return this.convertLink(node.url, node.title, node.children, marks, node.position?.start.line);
      case 'linkReference': {
        const definition = this.definitions.get(node.identifier);
        if (!definition) return this.literal(node, marks);
        return this.convertLink(
          definition.url,
          definition.title,
          node.children,
          marks,
          node.position?.start.line,
        );
      }
      case 'image':
        return this.convertInlineImage(node.url, node.alt, marks);
      case 'imageReference': {
        const definition = this.definitions.get(node.identifier);
        if (!definition) return this.literal(node, marks);
        return this.convertInlineImage(definition.url, node.alt, marks);
      }
      case 'html': {
        if (/^<br\s*\/?>$/i.test(node.value.trim())) return [{ type: 'hardBreak' }];
        this.notes.push({
          construct: 'inline HTML',
          detail: `inline HTML ${truncate(node.value, 40)} is shown as code`,
          line: node.position?.start.line,
        });
        return [text(node.value, [...marks.filter((mark) => mark.type === 'link'), codeMark])];
      }
      case 'footnoteReference': {
        let index = this.footnoteOrder.indexOf(node.identifier);
        if (index === -1) {
          this.footnoteOrder.push(node.identifier);
          index = this.footnoteOrder.length - 1;
        }
        return [text(`[${index + 1}]`, withMark(marks, { type: 'subsup', attrs: { type: 'sup' } }))];
      }
      case 'textDirective':
        return this.convertTextDirective(node, marks);
      default:
        return this.literal(node, marks);
    }
  }

  private convertLink(
    url: string,
    title: string | null | undefined,
    children: readonly PhrasingContent[],
    marks: AdfMark[],
    line: number | undefined,
  ): AdfNode[] {
    if (!isSafeHref(url)) {
      this.notes.push({
        construct: 'link',
        detail: `the link target ${truncate(url, 40)} is not allowed (only http, https, mailto and relative links are)`,
        line,
      });
      return this.convertInlines(children, marks);
    }
    const inner = this.convertInlines(children, withMark(marks, link(url, title ?? undefined)));
    // `[](https://…)` has no text to carry the link: show the address itself.
    return inner.length > 0 ? inner : [text(url, withMark(marks, link(url)))];
  }

  private convertInlineImage(url: string, alt: string | null | undefined, marks: AdfMark[]): AdfNode[] {
    // An image inside running text cannot be an ADF media node (media are
    // blocks); it becomes a link to the image, labelled with its alt text.
    const label = alt && alt.length > 0 ? alt : url;
    if (!isSafeHref(url)) return [text(label, marks)];
    return [text(label, withMark(marks, link(url)))];
  }

  private convertTextDirective(node: TextDirective, marks: AdfMark[]): AdfNode[] {
    if (node.name === 'status') {
      const label = plainTextOfMdast(node).trim();
      const color = statusColors[(node.attributes?.color ?? 'neutral').toLowerCase()];
      if (label.length > 0 && color) return [status(label, color)];
    }
    // Anything else (`10:30`, `a:b`) is ordinary text that happens to look like a directive.
    return this.literal(node, marks);
  }

  /** The node's Markdown source, verbatim, as text. */
  private literal(node: Nodes, marks: AdfMark[]): AdfNode[] {
    const raw = this.sourceOf(node) ?? plainTextOfMdast(node);
    return raw.length > 0 ? [text(raw.replace(/\r?\n/g, ' '), marks)] : [];
  }

  private sourceOf(node: Nodes): string | undefined {
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    if (start === undefined || end === undefined) return undefined;
    return this.source.slice(start, end);
  }

  private renderFootnotes(): AdfNode[] {
    const order = [...this.footnoteOrder];
    for (const identifier of this.footnoteDefinitions.keys()) {
      if (!order.includes(identifier)) order.push(identifier);
    }
    if (order.length === 0) return [];
    const items = order.map((identifier) => {
      const definition = this.footnoteDefinitions.get(identifier);
      if (!definition) {
        this.notes.push({ construct: 'footnote', detail: `footnote [^${identifier}] has no definition` });
        return listItem([paragraph([text(`[^${identifier}] has no definition in the source.`)])]);
      }
      const content = fitToContentModel(this.convertBlocks(definition.children), allowedBlocks.listItem);
      if (content.length === 0 || content[0]?.type !== 'paragraph') content.unshift(paragraph());
      return listItem(content);
    });
    return [rule(), { type: 'orderedList', content: items }];
  }
}

function withMark(marks: AdfMark[], mark: AdfMark): AdfMark[] {
  if (mark.type === 'link') return [...marks.filter((existing) => existing.type !== 'link'), mark];
  return marks.some((existing) => existing.type === mark.type) ? marks : [...marks, mark];
}

/** Adjacent text nodes with identical marks are one node in ADF's canonical form. */
function mergeAdjacentText(nodes: AdfNode[]): AdfNode[] {
  const merged: AdfNode[] = [];
  for (const node of nodes) {
    const previous = merged.at(-1);
    if (
      previous?.type === 'text' &&
      node.type === 'text' &&
      JSON.stringify(previous.marks ?? []) === JSON.stringify(node.marks ?? [])
    ) {
      merged[merged.length - 1] = { ...previous, text: `${previous.text ?? ''}${node.text ?? ''}` };
    } else {
      merged.push(node);
    }
  }
  return merged;
}

function standaloneImage(
  node: Paragraph,
  definitions: ReadonlyMap<string, { url: string }>,
): { url: string; alt?: string } | undefined {
  const meaningful = node.children.filter((child) => !(child.type === 'text' && child.value.trim() === ''));
  if (meaningful.length !== 1) return undefined;
  const only = meaningful[0]!;
  if (only.type === 'image') return { url: only.url, alt: only.alt ?? undefined };
  if (only.type === 'imageReference') {
    const definition = definitions.get(only.identifier);
    return definition ? { url: definition.url, alt: only.alt ?? undefined } : undefined;
  }
  return undefined;
}

function plainTextOfMdast(node: Nodes): string {
  if ('value' in node && typeof node.value === 'string') return node.value;
  if ('children' in node) return node.children.map((child) => plainTextOfMdast(child as Nodes)).join('');
  return '';
}

function isHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/**
 * Links keep http(s), mailto and relative targets. `javascript:` and `data:`
 * links are an XSS vector in any renderer that trusts them, so they lose the link.
 */
function isSafeHref(url: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim());
  if (!scheme) return url.trim().length > 0;
  return ['http', 'https', 'mailto'].includes(scheme[1]!.toLowerCase());
}

function truncate(value: string, max: number): string {
  const oneLine = value.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `"${oneLine.slice(0, max - 1)}…"` : `"${oneLine}"`;
}
