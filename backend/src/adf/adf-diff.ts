import type { AdfDocument, AdfNode, PublishPlan } from '@pagewire/shared';
import { canonicalAdfJson } from './canonical-adf';

export type DiffSummary = NonNullable<PublishPlan['diff']>;

/**
 * A dry run's "what would change": top-level blocks only in the new document
 * (added) or only in the current page (removed), compared as multisets so a
 * moved block counts as neither. `localId`s are ignored because Confluence
 * assigns its own on save. Enough for a reviewer to see "3 blocks replaced",
 * without pretending to be a line diff.
 */
export function summariseDiff(input: {
  current: AdfDocument | null;
  next: AdfDocument;
  currentTitle: string | null;
  nextTitle: string;
  currentLabels: readonly string[];
  nextLabels: readonly string[];
}): DiffSummary {
  const remaining = new Map<string, number>();
  for (const block of input.current?.content ?? []) {
    const key = blockKey(block);
    remaining.set(key, (remaining.get(key) ?? 0) + 1);
  }
  let added = 0;
  for (const block of input.next.content) {
    const key = blockKey(block);
    const count = remaining.get(key) ?? 0;
    if (count > 0) remaining.set(key, count - 1);
    else added += 1;
  }
  let removed = 0;
  for (const count of remaining.values()) removed += count;
  const have = new Set(input.currentLabels);
  return {
    added,
    removed,
    titleChanged: input.currentTitle !== null && input.currentTitle !== input.nextTitle,
    labelsAdded: [...new Set(input.nextLabels)].filter((label) => !have.has(label)).sort(),
  };
}

function blockKey(block: AdfNode): string {
  return canonicalAdfJson(withoutLocalIds(block));
}

function withoutLocalIds(node: AdfNode): AdfNode {
  const copy: AdfNode = { ...node };
  if (node.attrs) {
    const { localId: _ignored, ...rest } = node.attrs;
    copy.attrs = rest;
  }
  if (node.content) copy.content = node.content.map(withoutLocalIds);
  return copy;
}
