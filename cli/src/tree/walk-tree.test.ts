import { afterEach, describe, expect, it } from 'vitest';
import { createFixtureTree, type FixtureTree } from '../testing/fixture-tree';
import { walkTree } from './walk-tree';

let fixture: FixtureTree | undefined;
afterEach(() => fixture?.remove());

describe('walking a folder', () => {
  it('keeps name order with numbers compared as numbers, parents before children, and skips folders without Markdown', () => {
    fixture = createFixtureTree({
      '10-last.md': '#',
      '2-second.md': '#',
      'b/README.md': '#',
      'b/x.md': '#',
      'img/a.png': 'x',
      '.github/notes.md': '#',
      'a/deep/er/file.md': '#',
    });
    const entries = walkTree(fixture.root);
    expect(entries.map((entry) => `${entry.originPath} <- ${entry.parentOriginPath}`)).toEqual([
      '2-second.md <- null',
      '10-last.md <- null',
      'a <- null',
      'a/deep <- a',
      'a/deep/er <- a/deep',
      'a/deep/er/file.md <- a/deep/er',
      'b/README.md <- null',
      'b/x.md <- b/README.md',
    ]);
    expect(entries.find((entry) => entry.originPath === 'a')?.childOriginPaths).toEqual(['a/deep']);
  });
});
