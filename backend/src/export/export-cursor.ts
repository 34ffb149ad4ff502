import { ERROR_KINDS } from '../error-kinds';

/**
 * The page-list cursor: the position in the space's change feed after which
 * the next page starts, base64url-wrapped so consumers treat it as opaque.
 * It is validated, not signed: every feed query is scoped to the key's
 * installation and space, so a hand-made cursor can only name a position in
 * the caller's own feed, which `updatedSince` already lets it choose.
 */
const VERSION = 'c1';

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  readonly [ERROR_KINDS] = ['invalid_cursor'] as const;
}

export function encodeCursor(changeSeq: number): string {
  return Buffer.from(`${VERSION}:${changeSeq}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): number {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor))
    throw new InvalidCursorError('This cursor was not made by Pagewire.');
  const match = /^c1:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (match === null) throw new InvalidCursorError('This cursor was not made by Pagewire.');
  const position = Number(match[1]);
  if (!Number.isSafeInteger(position)) throw new InvalidCursorError('This cursor was not made by Pagewire.');
  return position;
}
