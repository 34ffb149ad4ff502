import {
  type AdfDocument,
  type AdfMark,
  type AdfNode,
  EXTERNAL_ID_PATTERN,
  type JobWarning,
  PAGE_LINK_PREFIX,
} from '@pagewire/shared';
import type { PageStanding } from './store/page-tree-repository';

/**
 * Links between pages of one source: `pagewire:page/<externalId>[#anchor]` in
 * the page's Markdown (or an ADF link mark's `href`) becomes a link to the
 * target's Confluence page. A target that is not written yet has no URL: the
 * link text stays as plain text, the job warns `link_target_pending`, and the
 * caller records the dependency so the page is published again once the
 * target is created (docs/PUBLISHING.md, "Links between pages").
 */

export interface ResolvedLinks {
  document: AdfDocument;
  warnings: JobWarning[];
  /** Targets without a page yet (pending or missing): the page is re-published when one is created. */
  unresolved: string[];
}

export interface PageLinkTarget {
  externalId: string;
  /** Without the `#`; null when the link has none. */
  anchor: string | null;
}

/** The target a `pagewire:page/…` href names, or null for any other href (or a malformed one). */
export function parsePageLink(href: string): PageLinkTarget | null {
  if (!href.startsWith(PAGE_LINK_PREFIX)) return null;
  const rest = href.slice(PAGE_LINK_PREFIX.length);
  const hash = rest.indexOf('#');
  const externalId = hash === -1 ? rest : rest.slice(0, hash);
  if (!EXTERNAL_ID_PATTERN.test(externalId)) return null;
  const anchor = hash === -1 ? null : rest.slice(hash + 1);
  return { externalId, anchor: anchor === '' ? null : anchor };
}

/** Every external id the document links to with `pagewire:page/…`, once each. */
export function linkedExternalIds(document: AdfDocument): string[] {
  const found = new Set<string>();
  visitLinkMarks(document.content, (mark) => {
    const target = parsePageLink(String(mark.attrs?.href ?? ''));
    if (target !== null) found.add(target.externalId);
  });
  return [...found];
}

/**
 * Rewrites the document's page links: to `urlOf(pageId)` plus the anchor for
 * targets Pagewire wrote, to plain text for the others (and for malformed
 * `pagewire:` links, which no renderer could open).
 */
export function resolvePageLinks(
  document: AdfDocument,
  standings: ReadonlyMap<string, PageStanding>,
  urlOf: (pageId: string) => string,
): ResolvedLinks {
  // A malformed `pagewire:page/` link (an invalid external id) loses its link mark and names nothing.
  const pending = new Set<string>();
  const missing = new Set<string>();
  const rewrite = (nodes: AdfNode[]): AdfNode[] =>
    nodes.map((node) => {
      const content = node.content === undefined ? {} : { content: rewrite(node.content) };
      if (node.marks === undefined || !node.marks.some(isPagewireLink)) return { ...node, ...content };
      const marks: AdfMark[] = [];
      for (const mark of node.marks) {
        if (!isPagewireLink(mark)) {
          marks.push(mark);
          continue;
        }
        const target = parsePageLink(String(mark.attrs?.href));
        const standing = target === null ? undefined : standings.get(target.externalId);
        if (target !== null && standing?.state === 'written') {
          const anchor = target.anchor === null ? '' : `#${target.anchor}`;
          marks.push({ ...mark, attrs: { ...mark.attrs, href: `${urlOf(standing.pageId)}${anchor}` } });
        } else if (target !== null) {
          (standing?.state === 'pending' ? pending : missing).add(target.externalId);
        }
      }
      const { marks: _dropped, ...rest } = node;
      return { ...rest, ...content, ...(marks.length === 0 ? {} : { marks }) };
    });
  const resolved: AdfDocument = { ...document, content: rewrite(document.content) };
  const warnings: JobWarning[] = [];
  if (pending.size > 0) {
    warnings.push({
      code: 'link_target_pending',
      detail: `Links to ${[...pending].join(', ')} are plain text until those pages are published; this page is then published again with the links.`,
    });
  }
  if (missing.size > 0) {
    warnings.push({
      code: 'link_target_missing',
      detail: `No page is published or queued as ${[...missing].join(', ')}: those links are plain text (the page is published again if one is created).`,
    });
  }
  return { document: resolved, warnings, unresolved: [...pending, ...missing].sort() };
}

function isPagewireLink(mark: AdfMark): boolean {
  return mark.type === 'link' && String(mark.attrs?.href ?? '').startsWith(PAGE_LINK_PREFIX);
}

function visitLinkMarks(nodes: readonly AdfNode[], visit: (mark: AdfMark) => void): void {
  for (const node of nodes) {
    for (const mark of node.marks ?? []) if (mark.type === 'link') visit(mark);
    if (node.content !== undefined) visitLinkMarks(node.content, visit);
  }
}
