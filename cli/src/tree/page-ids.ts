import { createHash } from 'node:crypto';
import { EXTERNAL_ID_PATTERN, TREE_NAME_PATTERN } from '@pagewire/shared';

const MAX_EXTERNAL_ID = 128;
const MAX_TREE_NAME = 64;

function replaceOutsideAlphabet(text: string): string {
  return text.replace(/[^A-Za-z0-9._~-]/g, '-');
}

/** `--tree`, else the root folder's name made fit for the tree-name alphabet ("My Docs" → "My-Docs"). */
export function treeNameFrom(folderName: string): string | null {
  const cleaned = replaceOutsideAlphabet(folderName)
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, MAX_TREE_NAME);
  return TREE_NAME_PATTERN.test(cleaned) ? cleaned : null;
}

/**
 * A page's stable id from its place in the tree: `<tree>~<path, "/" → "~", ".md" dropped>`.
 * Characters outside the external-id alphabet become "-"; an id over 128 characters keeps
 * its start and ends with a hash of the whole, so two long paths never share one.
 */
export function externalIdForPath(tree: string, pagePath: string | null): string {
  const tail =
    pagePath === null
      ? ''
      : `~${replaceOutsideAlphabet(pagePath.replace(/\.md$/i, '').replaceAll('/', '~'))}`;
  const id = `${tree}${tail}`;
  if (id.length <= MAX_EXTERNAL_ID) return id;
  const digest = createHash('sha256').update(id).digest('hex').slice(0, 16);
  return `${id.slice(0, MAX_EXTERNAL_ID - 17)}-${digest}`;
}

export function isExternalId(text: string): boolean {
  return EXTERNAL_ID_PATTERN.test(text);
}

/** `img/arch.png` → `img_arch.png`: attachments are named by file name only, so the path is folded in. */
export function attachmentNameForPath(imagePath: string): string {
  const flat = imagePath
    .replaceAll('/', '_')
    .replace(/[^A-Za-z0-9 ._()-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '');
  if (flat.length <= 255) return flat;
  const digest = createHash('sha256').update(imagePath).digest('hex').slice(0, 16);
  const extension = imagePath.slice(imagePath.lastIndexOf('.'));
  return `${flat.slice(0, 255 - 17 - extension.length)}-${digest}${extension}`;
}
