import type { TreePage } from '@pagewire/shared';
import type { PageDraft } from '../publishing/page-drafts';
import { externalIdForPath, isExternalId } from '../tree/page-ids';
import { lineSimilarity, RENAME_SIMILARITY } from './text-similarity';

export interface PageIds {
  /** Origin path → the external id the page is published under. */
  readonly ids: Map<string, string>;
  /** Origin path → the path the page was published from before (renames and moves). */
  readonly renamedFrom: Map<string, string>;
  /** Pages that cannot be published under any id (a clash, an invalid pinned id). */
  readonly errors: Map<string, { code: string; detail: string }>;
}

export interface IdInputs {
  readonly tree: string;
  readonly drafts: readonly PageDraft[];
  /** What the backend lists for this tree. */
  readonly listing: readonly TreePage[];
  /** The source hash a draft would have under `parentExternalId`, with the ids known so far. */
  hashUnder(draft: PageDraft, ids: ReadonlyMap<string, string>, parentExternalId: string | null): string;
  /** A vanished file's last text (Git), or null. */
  previousText(path: string): string | null;
}

function defaultId(tree: string, draft: PageDraft): string {
  const entry = draft.entry;
  if (entry.folderPath !== null)
    return externalIdForPath(tree, entry.folderPath === '' ? null : entry.folderPath);
  return externalIdForPath(tree, entry.originPath);
}

/**
 * Which external id each page keeps. In order: front matter `externalId`
 * (pins identity), the id the backend recorded for this path, a vanished page
 * this file is a rename or move of (the same source hash under the old
 * parent, or at least 50 % of its lines, as git decides renames), and for a
 * generated folder page, the old folder most of its pages came from. The rest
 * get the id of their path.
 */
export function assignPageIds(inputs: IdInputs): PageIds {
  const ids = new Map<string, string>();
  const renamedFrom = new Map<string, string>();
  const errors = new Map<string, { code: string; detail: string }>();
  const claimed = new Set<string>();
  const claim = (draft: PageDraft, id: string) => {
    ids.set(draft.entry.originPath, id);
    claimed.add(id);
  };
  const byPath = new Map(inputs.listing.map((page) => [page.origin.path, page]));
  const present = new Set(inputs.drafts.map((draft) => draft.entry.originPath));

  for (const draft of inputs.drafts) {
    const pinned = draft.frontMatter.externalId;
    if (pinned === undefined) continue;
    if (!isExternalId(pinned)) {
      errors.set(draft.entry.originPath, {
        code: 'external_id_invalid',
        detail: `front matter externalId "${pinned}" is not a valid external id`,
      });
    } else if (claimed.has(pinned)) {
      errors.set(draft.entry.originPath, {
        code: 'external_id_clash',
        detail: `front matter externalId "${pinned}" is pinned by another file too`,
      });
    } else claim(draft, pinned);
  }
  const open = () =>
    inputs.drafts.filter((d) => !ids.has(d.entry.originPath) && !errors.has(d.entry.originPath));
  for (const draft of open()) {
    const known = byPath.get(draft.entry.originPath);
    if (known !== undefined && !claimed.has(known.externalId)) claim(draft, known.externalId);
  }
  const vanished = inputs.listing.filter(
    (page) => page.status === 'current' && !claimed.has(page.externalId) && !present.has(page.origin.path),
  );
  const provisional = new Map(ids);
  for (const draft of open()) provisional.set(draft.entry.originPath, defaultId(inputs.tree, draft));
  matchRenames(
    inputs,
    open().filter((d) => d.entry.sourcePath !== null),
    vanished,
    provisional,
    (draft, page) => {
      claim(draft, page.externalId);
      renamedFrom.set(draft.entry.originPath, page.origin.path);
    },
  );
  matchFolders(
    inputs,
    open(),
    vanished.filter((page) => !claimed.has(page.externalId)),
    ids,
    (draft, page) => {
      claim(draft, page.externalId);
      renamedFrom.set(draft.entry.originPath, page.origin.path);
    },
  );
  for (const draft of open()) {
    const id = defaultId(inputs.tree, draft);
    const owner = inputs.listing.find((page) => page.externalId === id);
    const ownerStillThere =
      owner !== undefined && present.has(owner.origin.path) && owner.origin.path !== draft.entry.originPath;
    if (claimed.has(id) || ownerStillThere) {
      errors.set(draft.entry.originPath, {
        code: 'external_id_clash',
        detail: `${draft.entry.originPath} would be published as ${id}, which another file already is; pin an externalId in its front matter`,
      });
    } else claim(draft, id);
  }
  return { ids, renamedFrom, errors };
}

function matchRenames(
  inputs: IdInputs,
  newFiles: readonly PageDraft[],
  vanished: readonly TreePage[],
  provisional: ReadonlyMap<string, string>,
  take: (draft: PageDraft, page: TreePage) => void,
): void {
  const files = vanished.filter((page) => /\.md$/i.test(page.origin.path));
  if (newFiles.length === 0 || files.length === 0) return;
  const pairs: Array<{ draft: PageDraft; page: TreePage; score: number }> = [];
  for (const draft of newFiles) {
    const hashes = new Map<string | null, string>();
    for (const page of files) {
      const parent = page.parentExternalId;
      if (!hashes.has(parent)) hashes.set(parent, inputs.hashUnder(draft, provisional, parent));
      if (hashes.get(parent) === page.origin.sourceHash) {
        pairs.push({ draft, page, score: 2 });
        continue;
      }
      const before = inputs.previousText(page.origin.path);
      if (before === null) continue;
      const score = lineSimilarity(before, draft.text);
      if (score >= RENAME_SIMILARITY) pairs.push({ draft, page, score });
    }
  }
  pairs.sort((a, b) => b.score - a.score);
  const usedDrafts = new Set<PageDraft>();
  const usedPages = new Set<string>();
  for (const pair of pairs) {
    if (usedDrafts.has(pair.draft) || usedPages.has(pair.page.externalId)) continue;
    usedDrafts.add(pair.draft);
    usedPages.add(pair.page.externalId);
    take(pair.draft, pair.page);
  }
}

/** A generated folder page keeps the page of the old folder most of its pages were under. */
function matchFolders(
  inputs: IdInputs,
  open: readonly PageDraft[],
  vanished: readonly TreePage[],
  ids: ReadonlyMap<string, string>,
  take: (draft: PageDraft, page: TreePage) => void,
): void {
  const folders = vanished.filter((page) => !/\.md$/i.test(page.origin.path));
  const parentOfId = new Map(inputs.listing.map((page) => [page.externalId, page.parentExternalId]));
  for (const draft of open) {
    if (draft.entry.sourcePath !== null || folders.length === 0) continue;
    const votes = new Map<string, number>();
    for (const child of draft.entry.childOriginPaths) {
      const childId = ids.get(child);
      const oldParent = childId === undefined ? undefined : parentOfId.get(childId);
      if (oldParent) votes.set(oldParent, (votes.get(oldParent) ?? 0) + 1);
    }
    const best = [...votes.entries()].sort((a, b) => b[1] - a[1])[0];
    if (best === undefined || best[1] * 2 < draft.entry.childOriginPaths.length) continue;
    const page = folders.find((folder) => folder.externalId === best[0]);
    if (page !== undefined) take(draft, page);
  }
}
