import type { AdfNode } from '@pagewire/shared';
import {
  codeBlock,
  code as codeMark,
  doc,
  heading,
  listItem,
  type PanelType,
  panel,
  paragraph,
  rule,
  table,
  tableCell,
  tableRow,
  text,
} from '@pagewire/shared/adf-builders';
import type {
  BlockContent,
  DefinitionContent,
  List,
  ListItem,
  Nodes,
  Paragraph,
  Root,
  RootContent,
  Table,
} from 'mdast';
import type { ContainerDirective } from 'mdast-util-directive';
import remarkDirective from 'remark-directive';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { attachmentImageBlock, attachmentNameOf } from './attachment-images';
import { allowedBlocks, fitToContentModel, plainTextOf } from './fit-to-content-model';
import { ConversionState, type MarkdownConversion, plainTextOfMdast } from './markdown-conversion-state';
import { InlineConverter } from './markdown-inline-to-adf';

export type { ConversionNote, MarkdownConversion } from './markdown-conversion-state';

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

const parser = unified().use(remarkParse).use(remarkGfm).use(remarkDirective);

/**
 * Converts Markdown (CommonMark + GFM + container directives for panels) to an
 * ADF document. Pure and deterministic: the same Markdown always gives the same
 * document, byte for byte, so the content hash only moves when the content does
 * (task lists need `localId`s; they are numbered, not random, for that reason).
 */
export function convertMarkdownToAdf(markdown: string): MarkdownConversion {
  const tree = parser.parse(markdown) as Root;
  return new BlockConverter(new ConversionState(markdown), tree).run();
}

/** Markdown's block structure (paragraphs, lists, tables, directives, footnotes) as ADF blocks. */
class BlockConverter {
  private readonly inline: InlineConverter;
  private taskListCount = 0;
  private taskItemCount = 0;

  constructor(
    private readonly state: ConversionState,
    private readonly tree: Root,
  ) {
    this.inline = new InlineConverter(state);
  }

  run(): MarkdownConversion {
    this.collectDefinitions(this.tree);
    const content = this.convertBlocks(this.tree.children);
    content.push(...this.renderFootnotes());
    return { document: doc(fitToContentModel(content, allowedBlocks.doc)), notes: this.state.notes };
  }

  private collectDefinitions(node: Nodes): void {
    if (node.type === 'definition') {
      // mdast identifiers are already normalised (case-folded, whitespace collapsed).
      if (!this.state.definitions.has(node.identifier)) {
        this.state.definitions.set(node.identifier, { url: node.url, title: node.title });
      }
    } else if (node.type === 'footnoteDefinition') {
      if (!this.state.footnoteDefinitions.has(node.identifier))
        this.state.footnoteDefinitions.set(node.identifier, node);
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
        const inline = this.inline.convertInlines(node.children, []);
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
        const literal = this.state.sourceOf(node);
        return literal === undefined ? [] : [paragraph([text(literal)])];
      }
      case 'definition':
      case 'footnoteDefinition':
        // Definitions are resolved where they are used; footnotes are rendered at the end.
        return [];
      default:
        return this.unsupportedBlock(
          node.type,
          this.state.sourceOf(node) ?? plainTextOfMdast(node),
          node.position?.start.line,
        );
    }
  }

  private convertParagraph(node: Paragraph): AdfNode[] {
    const image = standaloneImage(node, this.state.definitions);
    const attachment = image ? attachmentNameOf(image.url) : null;
    if (image && attachment !== null) return [attachmentImageBlock(attachment, image.alt)];
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
    return [paragraph(this.inline.convertInlines(node.children, []))];
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
          inline.push(...this.inline.convertInlines(child.children, []));
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
        const inline = cell ? this.inline.convertInlines(cell.children, []) : [];
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
      if (hasLabel) content.unshift(heading(3, this.inline.convertInlines(labelNode.children, [])));
      const fitted = fitToContentModel(content, allowedBlocks.panel);
      return [panel(panelType, fitted.length > 0 ? fitted : [paragraph()])];
    }
    if (node.name.toLowerCase() === 'expand') {
      const content = fitToContentModel(this.convertBlocks(body), allowedBlocks.expand);
      const expand: AdfNode = { type: 'expand', content: content.length > 0 ? content : [paragraph()] };
      if (title) expand.attrs = { title };
      return [expand];
    }
    this.state.notes.push({
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
    this.state.notes.push({
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

  private renderFootnotes(): AdfNode[] {
    const order = [...this.state.footnoteOrder];
    for (const identifier of this.state.footnoteDefinitions.keys()) {
      if (!order.includes(identifier)) order.push(identifier);
    }
    if (order.length === 0) return [];
    const items = order.map((identifier) => {
      const definition = this.state.footnoteDefinitions.get(identifier);
      if (!definition) {
        this.state.notes.push({
          construct: 'footnote',
          detail: `footnote [^${identifier}] has no definition`,
        });
        return listItem([paragraph([text(`[^${identifier}] has no definition in the source.`)])]);
      }
      const content = fitToContentModel(this.convertBlocks(definition.children), allowedBlocks.listItem);
      if (content.length === 0 || content[0]?.type !== 'paragraph') content.unshift(paragraph());
      return listItem(content);
    });
    return [rule(), { type: 'orderedList', content: items }];
  }
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

function isHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}
