import type { Html, Link, Nodes, Parent, PhrasingContent, Root, RootContent } from 'mdast';
import remarkDirective from 'remark-directive';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import { SKIP, visit } from 'unist-util-visit';

/**
 * A page's Markdown as an mdast tree (remark with GFM and directives, the
 * dialect the backend converts). The CLI reads mark's headers from it, drops
 * HTML comments, and rewrites links and images; it never edits Markdown text
 * with regular expressions.
 */
const parser = unified().use(remarkParse).use(remarkGfm).use(remarkDirective);
const printer = unified()
  .use(remarkStringify, { bullet: '-', emphasis: '_', fences: true })
  .use(remarkGfm)
  .use(remarkDirective);

export function parseMarkdown(body: string): Root {
  return parser.parse(body);
}

export function printMarkdown(tree: Root): string {
  return printer.stringify(tree);
}

/** mark's headers: `<!-- Title: … -->`, `<!-- Parent: … -->` (repeatable, outermost first), `<!-- Label: … -->`, `<!-- Space: … -->`. */
export interface MarkHeaders {
  title?: string;
  parents: string[];
  labels: string[];
  space?: string;
}

const COMMENT = /<!--([\s\S]*?)-->/g;
const ONLY_COMMENTS = /^(?:\s*<!--[\s\S]*?-->)+\s*$/;
const HEADER = /^\s*([A-Za-z]+)\s*:\s*([\s\S]*?)\s*$/;

function isComment(node: { type: string; value?: string }): node is Html {
  return node.type === 'html' && ONLY_COMMENTS.test(node.value ?? '');
}

/** The headers are the HTML comments before the first other block, as mark reads them. */
export function readMarkHeaders(tree: Root): MarkHeaders {
  const headers: MarkHeaders = { parents: [], labels: [] };
  for (const node of tree.children) {
    if (!isComment(node)) break;
    for (const match of node.value.matchAll(COMMENT)) {
      const header = HEADER.exec(match[1] ?? '');
      if (header === null) continue;
      const [, name, value] = header as unknown as [string, string, string];
      if (value === '') continue;
      switch (name.toLowerCase()) {
        case 'title':
          headers.title = value;
          break;
        case 'parent':
          headers.parents.push(value);
          break;
        case 'label':
          headers.labels.push(
            ...value
              .split(',')
              .map((label) => label.trim())
              .filter(Boolean),
          );
          break;
        case 'space':
          headers.space = value;
          break;
      }
    }
  }
  return headers;
}

/** The text of the first level-1 heading: the title when neither front matter nor a header gives one. */
export function firstHeading(tree: Root): string | undefined {
  let title: string | undefined;
  visit(tree, 'heading', (node) => {
    if (title !== undefined || node.depth !== 1) return;
    const text: string[] = [];
    visit(node, (child) => {
      if ('value' in child && typeof child.value === 'string' && child.type !== 'html')
        text.push(child.value);
    });
    title = text.join('').trim() || undefined;
  });
  return title;
}

/** Every HTML comment goes (mark's headers included): Confluence would show it as "could not convert". */
export function dropComments(tree: Root): void {
  visit(tree, 'html', (node, index, parent) => {
    if (parent === undefined || index === undefined || !isComment(node)) return;
    parent.children.splice(index, 1);
    return [SKIP, index];
  });
}

export interface UrlSite {
  url: string;
  /** The line in the Markdown body (1-based). */
  line: number;
}

/** What to do with a link: point it elsewhere, leave it, or keep only its text. */
export type LinkDecision = { kind: 'rewrite'; url: string } | { kind: 'keep' } | { kind: 'unlink' };
/** What to do with an image: point it at an attachment, leave it, or show its alt text. */
export type ImageDecision = { kind: 'rewrite'; url: string } | { kind: 'keep' } | { kind: 'alt' };

function lineOf(node: { position?: { start: { line: number } } }): number {
  return node.position?.start.line ?? 1;
}

/** Links (inline and reference definitions) and images, each with its line. */
export function collectUrls(tree: Root): { links: UrlSite[]; images: UrlSite[] } {
  const links: UrlSite[] = [];
  const images: UrlSite[] = [];
  visit(tree, (node) => {
    if (node.type === 'link' || node.type === 'definition') links.push({ url: node.url, line: lineOf(node) });
    if (node.type === 'image') images.push({ url: node.url, line: lineOf(node) });
  });
  return { links, images };
}

/** Applies the decisions: `decideLink`/`decideImage` are called once per link and image. */
export function rewriteUrls(
  tree: Root,
  decideLink: (site: UrlSite) => LinkDecision,
  decideImage: (site: UrlSite) => ImageDecision,
): void {
  visit(tree, (node: Nodes, index, parentNode) => {
    const parent = parentNode as Parent | undefined;
    if (node.type === 'definition') {
      const decision = decideLink({ url: node.url, line: lineOf(node) });
      if (decision.kind === 'rewrite') node.url = decision.url;
      return;
    }
    if (node.type === 'link') {
      const decision = decideLink({ url: node.url, line: lineOf(node) });
      if (decision.kind === 'rewrite') node.url = decision.url;
      if (decision.kind === 'unlink' && parent !== undefined && index !== undefined) {
        parent.children.splice(index, 1, ...((node as Link).children as RootContent[]));
        return [SKIP, index];
      }
      return;
    }
    if (node.type === 'image') {
      const decision = decideImage({ url: node.url, line: lineOf(node) });
      if (decision.kind === 'rewrite') node.url = decision.url;
      if (decision.kind === 'alt' && parent !== undefined && index !== undefined) {
        const alt: PhrasingContent = { type: 'text', value: node.alt ?? '' };
        parent.children.splice(index, 1, alt as RootContent);
        return [SKIP, index + 1];
      }
    }
    return;
  });
}
