import { describe, expect, it } from 'vitest';
import { derivePageTree } from './page-tree';
import type { MirrorEntry } from './store/mirror-repository';

const entry = (
  pageId: string,
  parentId: string | null,
  overrides: Partial<MirrorEntry> = {},
): MirrorEntry => ({
  pageId,
  status: 'current',
  version: 1,
  title: `T${pageId}`,
  parentId,
  ownRestricted: false,
  restricted: false,
  path: [],
  seenRun: null,
  readRun: null,
  ...overrides,
});

const tree = (...entries: MirrorEntry[]) =>
  derivePageTree(new Map(entries.map((each) => [each.pageId, each])));

describe('the page tree derived from the mirror', () => {
  it('gives each page its ancestors’ titles, root first', () => {
    const derived = tree(entry('1', null), entry('2', '1'), entry('3', '2'));
    expect(derived.get('3')!.path).toEqual(['T1', 'T2']);
    expect(derived.get('1')!.path).toEqual([]);
  });

  it('passes a view restriction down to every descendant, not up', () => {
    const derived = tree(entry('1', null), entry('2', '1', { ownRestricted: true }), entry('3', '2'));
    expect(derived.get('1')!.restricted).toBe(false);
    expect(derived.get('2')!.restricted).toBe(true);
    expect(derived.get('3')!.restricted).toBe(true);
  });

  it('ends the path at an ancestor the mirror does not hold or holds as deleted, and survives a cycle', () => {
    const derived = tree(
      entry('2', 'unknown'),
      entry('3', '2'),
      entry('4', '5', { status: 'deleted' }),
      entry('6', '4'),
      entry('7', '8'),
      entry('8', '7'),
    );
    expect(derived.get('3')!.path).toEqual(['T2']);
    expect(derived.get('6')!.path).toEqual([]);
    expect(derived.has('4')).toBe(false);
    expect(derived.get('7')!.path).toEqual(['T8']);
  });
});
