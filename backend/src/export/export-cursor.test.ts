import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, InvalidCursorError } from './export-cursor';

describe('the export page-list cursor', () => {
  it('gives back the position it was made from', () => {
    for (const position of [0, 1, 250, 9_007_199_254_740])
      expect(decodeCursor(encodeCursor(position))).toBe(position);
  });

  it('is opaque: no position shows in it', () => {
    expect(encodeCursor(12345)).not.toContain('12345');
    expect(encodeCursor(12345)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('refuses what it did not make', () => {
    const forged = [
      'not-a-cursor',
      '',
      'a'.repeat(65),
      Buffer.from('c1:').toString('base64url'),
      Buffer.from('c1:-5').toString('base64url'),
      Buffer.from('c1:1.5').toString('base64url'),
      Buffer.from('c2:10').toString('base64url'),
      Buffer.from('c1:99999999999999999').toString('base64url'),
      'YzE6MTA=',
    ];
    for (const cursor of forged) expect(() => decodeCursor(cursor), cursor).toThrow(InvalidCursorError);
  });
});
