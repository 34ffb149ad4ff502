import { type AdfMark, type AdfNode, PAGE_LINK_PREFIX } from '@pagewire/shared';
import {
  code as codeMark,
  em,
  link,
  type StatusColor,
  status,
  strong,
  text,
} from '@pagewire/shared/adf-builders';
import type { FootnoteReference, Html, LinkReference, Nodes, PhrasingContent } from 'mdast';
import type { TextDirective } from 'mdast-util-directive';
import { type ConversionState, plainTextOfMdast, truncate } from './markdown-conversion-state';

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

/** Markdown's phrasing content (text, emphasis, links, code, footnote references) as ADF inline nodes. */
export class InlineConverter {
  constructor(private readonly state: ConversionState) {}

  convertInlines(nodes: readonly PhrasingContent[], marks: AdfMark[]): AdfNode[] {
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
      case 'linkReference':
        return this.convertLinkReference(node, marks);
      case 'image':
        return this.convertInlineImage(node.url, node.alt, marks);
      case 'imageReference': {
        const definition = this.state.definitions.get(node.identifier);
        if (!definition) return this.literal(node, marks);
        return this.convertInlineImage(definition.url, node.alt, marks);
      }
      case 'html':
        return this.convertInlineHtml(node, marks);
      case 'footnoteReference':
        return this.convertFootnoteReference(node, marks);
      case 'textDirective':
        return this.convertTextDirective(node, marks);
      default:
        return this.literal(node, marks);
    }
  }

  private convertLinkReference(node: LinkReference, marks: AdfMark[]): AdfNode[] {
    const definition = this.state.definitions.get(node.identifier);
    if (!definition) return this.literal(node, marks);
    return this.convertLink(
      definition.url,
      definition.title,
      node.children,
      marks,
      node.position?.start.line,
    );
  }

  private convertInlineHtml(node: Html, marks: AdfMark[]): AdfNode[] {
    if (/^<br\s*\/?>$/i.test(node.value.trim())) return [{ type: 'hardBreak' }];
    this.state.notes.push({
      construct: 'inline HTML',
      detail: `inline HTML ${truncate(node.value, 40)} is shown as code`,
      line: node.position?.start.line,
    });
    return [text(node.value, [...marks.filter((mark) => mark.type === 'link'), codeMark])];
  }

  /** `[^note]` becomes its number, superscript; the notes themselves are listed at the end of the document. */
  private convertFootnoteReference(node: FootnoteReference, marks: AdfMark[]): AdfNode[] {
    let index = this.state.footnoteOrder.indexOf(node.identifier);
    if (index === -1) {
      this.state.footnoteOrder.push(node.identifier);
      index = this.state.footnoteOrder.length - 1;
    }
    return [text(`[${index + 1}]`, withMark(marks, { type: 'subsup', attrs: { type: 'sup' } }))];
  }

  private convertLink(
    url: string,
    title: string | null | undefined,
    children: readonly PhrasingContent[],
    marks: AdfMark[],
    line: number | undefined,
  ): AdfNode[] {
    if (!isSafeHref(url)) {
      this.state.notes.push({
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
  literal(node: Nodes, marks: AdfMark[]): AdfNode[] {
    const raw = this.state.sourceOf(node) ?? plainTextOfMdast(node);
    return raw.length > 0 ? [text(raw.replace(/\r?\n/g, ' '), marks)] : [];
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

/**
 * Links keep http(s), mailto and relative targets. `javascript:` and `data:`
 * links are an XSS vector in any renderer that trusts them, so they lose the link.
 */
export function isSafeHref(url: string): boolean {
  // A link to another page of the source: the page publisher turns it into the page's URL (publishing/page-links.ts).
  if (url.startsWith(PAGE_LINK_PREFIX)) return true;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim());
  if (!scheme) return url.trim().length > 0;
  return ['http', 'https', 'mailto'].includes(scheme[1]!.toLowerCase());
}
