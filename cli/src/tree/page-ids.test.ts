import { describe, expect, it } from 'vitest';
import { lineSimilarity } from '../planning/text-similarity';
import { attachmentNameForPath, externalIdForPath, isExternalId, treeNameFrom } from './page-ids';

describe('page ids from paths', () => {
  it('joins the tree and the path with "~" and drops ".md"', () => {
    expect(externalIdForPath('docs', 'guides/deploy.md')).toBe('docs~guides~deploy');
    expect(externalIdForPath('docs', null)).toBe('docs');
  });

  it('replaces characters outside the alphabet and keeps long ids unique within 128 characters', () => {
    expect(externalIdForPath('docs', 'Getting Started/Ünïcode (v2).md')).toBe(
      'docs~Getting-Started~-n-code--v2-',
    );
    const long = externalIdForPath('docs', `${'a'.repeat(200)}/x.md`);
    const other = externalIdForPath('docs', `${'a'.repeat(200)}/y.md`);
    expect(long).toHaveLength(128);
    expect(long).not.toBe(other);
    expect(isExternalId(long)).toBe(true);
  });

  it('names the tree after the folder, fit for a URL', () => {
    expect(treeNameFrom('My Docs')).toBe('My-Docs');
    expect(treeNameFrom('...')).toBeNull();
  });

  it('folds an image path into a valid attachment name', () => {
    expect(attachmentNameForPath('img/arch.png')).toBe('img_arch.png');
    expect(attachmentNameForPath('diagrams/a~b.svg')).toBe('diagrams_a-b.svg');
  });
});

describe('line similarity', () => {
  it('is 1 for the same lines, 0 for none shared, and ignores blank lines', () => {
    expect(lineSimilarity('a\nb\n\nc', 'a\nb\nc\n')).toBe(1);
    expect(lineSimilarity('a\nb', 'c\nd')).toBe(0);
    expect(lineSimilarity('a\nb\nc\nd', 'a\nb\nc\ne')).toBe(0.75);
  });
});
