import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One page the folder gives: a Markdown file, or a folder (from its `index.md`
 * or `README.md`, else a page generated to list its children). Pages come in
 * walk order, every parent before its children.
 */
export interface TreeEntry {
  /** What the page is published from: the file's path, or the folder's path for a generated page. */
  readonly originPath: string;
  /** The Markdown file, relative to the root; null for a generated folder page. */
  readonly sourcePath: string | null;
  /** Set for a folder's page: the folder's path ('' for the root's index). */
  readonly folderPath: string | null;
  /** The parent page's `originPath` in this tree; null at the top. */
  readonly parentOriginPath: string | null;
  /** The `originPath`s of the pages right under this one, in order. */
  readonly childOriginPaths: string[];
}

const INDEX_NAMES = ['index.md', 'readme.md'];
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function isSkipped(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

function listFolder(root: string, folder: string): { files: string[]; folders: string[] } {
  const entries = readdirSync(join(root, folder), { withFileTypes: true })
    .filter((entry) => !isSkipped(entry.name))
    .sort((a, b) => collator.compare(a.name, b.name));
  const prefix = folder === '' ? '' : `${folder}/`;
  return {
    files: entries.filter((e) => e.isFile() && /\.md$/i.test(e.name)).map((e) => `${prefix}${e.name}`),
    folders: entries.filter((e) => e.isDirectory()).map((e) => `${prefix}${e.name}`),
  };
}

function indexFileOf(files: readonly string[]): string | undefined {
  for (const name of INDEX_NAMES) {
    const found = files.find((file) => file.slice(file.lastIndexOf('/') + 1).toLowerCase() === name);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Walks `root`: every `.md` is a page, every folder holding Markdown (at any depth) a parent page. */
export function walkTree(root: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  const visit = (folder: string, parent: TreeEntry | null): boolean => {
    const { files, folders } = listFolder(root, folder);
    const index = indexFileOf(files);
    let self = parent;
    if (folder === '' ? index !== undefined : true) {
      self = {
        originPath: index ?? folder,
        sourcePath: index ?? null,
        folderPath: folder,
        parentOriginPath: parent?.originPath ?? null,
        childOriginPaths: [],
      };
    }
    const mine: TreeEntry[] = self === parent ? [] : [self!];
    const at = entries.length;
    for (const file of files) {
      if (file === index) continue;
      const entry: TreeEntry = {
        originPath: file,
        sourcePath: file,
        folderPath: null,
        parentOriginPath: self?.originPath ?? null,
        childOriginPaths: [],
      };
      entries.push(entry);
      self?.childOriginPaths.push(file);
    }
    let holdsMarkdown = files.length > 0;
    for (const sub of folders) {
      const before = entries.length;
      if (visit(sub, self)) {
        holdsMarkdown = true;
        const subEntry = entries[before];
        if (subEntry !== undefined && self !== null && subEntry.parentOriginPath === self.originPath) {
          self.childOriginPaths.push(subEntry.originPath);
        }
      }
    }
    if (!holdsMarkdown) return false;
    entries.splice(at, 0, ...mine);
    return true;
  };
  visit('', null);
  return entries;
}
