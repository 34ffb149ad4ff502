import type { FieldError } from '@pagewire/shared';

/**
 * Finds text that would break storage or later rendering even though JSON
 * allows it: lone UTF-16 surrogates (not encodable as UTF-8, so PostgreSQL and
 * every consumer would see replacement characters) and U+0000 (PostgreSQL
 * `text` refuses it outright). Returns field errors with JSON-pointer paths.
 */
export function findUnsafeText(
  value: unknown,
  path = '',
  found: FieldError[] = [],
  limit = 10,
): FieldError[] {
  if (found.length >= limit) return found;
  if (typeof value === 'string') {
    if (!value.isWellFormed())
      found.push({ path, message: 'contains a lone UTF-16 surrogate (not valid Unicode)' });
    else if (value.includes('\u0000')) found.push({ path, message: 'contains a NUL character' });
    return found;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      findUnsafeText(item, `${path}/${index}`, found, limit);
    });
    return found;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const keyPath = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      if (!key.isWellFormed() || key.includes('\u0000')) {
        found.push({ path: keyPath, message: 'has a name that is not valid Unicode text' });
      }
      findUnsafeText(item, keyPath, found, limit);
    }
  }
  return found;
}
