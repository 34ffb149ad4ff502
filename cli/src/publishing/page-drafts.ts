import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Root } from 'mdast';
import { type FrontMatter, FrontMatterError, splitFrontMatter } from '../source/front-matter';
import { firstHeading, type MarkHeaders, parseMarkdown, readMarkHeaders } from '../source/markdown-source';
import type { TreeEntry } from '../tree/walk-tree';

/** A page as read from disk, before ids, parents and links are resolved. */
export interface PageDraft {
  readonly entry: TreeEntry;
  readonly frontMatter: FrontMatter;
  readonly headers: MarkHeaders;
  /** The Markdown body as mdast (null for a generated folder page). */
  readonly markdown: Root | null;
  readonly bodyLineOffset: number;
  /** The file's text, for rename detection by similarity. */
  readonly text: string;
  readonly title: string;
  readonly error?: { code: string; detail: string };
}

/** "getting-started" → "Getting started": the title of a page nothing else names. */
export function titleFromName(name: string): string {
  const words = name.replace(/\.md$/i, '').replace(/[-_]+/g, ' ').trim();
  return words === '' ? name : words.charAt(0).toUpperCase() + words.slice(1);
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function readDraft(root: string, entry: TreeEntry, treeTitle: string): PageDraft {
  const headers: MarkHeaders = { parents: [], labels: [] };
  if (entry.sourcePath === null) {
    const folder = entry.folderPath ?? '';
    return {
      entry,
      frontMatter: {},
      headers,
      markdown: null,
      bodyLineOffset: 0,
      text: '',
      title: folder === '' ? treeTitle : titleFromName(lastSegment(folder)),
    };
  }
  const text = readFileSync(join(root, entry.sourcePath), 'utf8');
  const fallbackTitle =
    entry.folderPath === null
      ? titleFromName(lastSegment(entry.sourcePath))
      : titleFromName(entry.folderPath === '' ? treeTitle : lastSegment(entry.folderPath));
  try {
    const split = splitFrontMatter(text);
    const markdown = parseMarkdown(split.body);
    const markHeaders = readMarkHeaders(markdown);
    return {
      entry,
      frontMatter: split.frontMatter,
      headers: markHeaders,
      markdown,
      bodyLineOffset: split.bodyLineOffset,
      text,
      title: split.frontMatter.title ?? markHeaders.title ?? firstHeading(markdown) ?? fallbackTitle,
    };
  } catch (error) {
    if (!(error instanceof FrontMatterError)) throw error;
    return {
      entry,
      frontMatter: {},
      headers,
      markdown: null,
      bodyLineOffset: 0,
      text,
      title: fallbackTitle,
      error: { code: 'front_matter_invalid', detail: error.message },
    };
  }
}
