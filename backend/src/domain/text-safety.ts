import type { FieldError } from '@pagewire/shared';

/**
 * Finds text that would break storage or later rendering even though JSON
 * allows it: lone UTF-16 surrogates (not encodable as UTF-8, so PostgreSQL and
 * every consumer would see replacement characters) and U+0000 (PostgreSQL
 * `text` refuses it outright). Returns field errors with JSON-pointer paths,
 * in document order. The walk keeps its own stack instead of recursing, so
 * no nesting depth can overflow the call stack.
 */
export function findUnsafeText(value: unknown, limit = 10): FieldError[] {
  const found: FieldError[] = [];
  const pending: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  while (pending.length > 0 && found.length < limit) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === 'string') {
      if (!current.isWellFormed())
        found.push({ path, message: 'contains a lone UTF-16 surrogate (not valid Unicode)' });
      else if (current.includes('\u0000')) found.push({ path, message: 'contains a NUL character' });
      continue;
    }
    if (Array.isArray(current)) {
      // Pushed last-first so they come off the stack in order.
      for (let index = current.length - 1; index >= 0; index--) {
        pending.push({ value: current[index], path: `${path}/${index}` });
      }
      continue;
    }
    if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current as Record<string, unknown>);
      const children: Array<{ value: unknown; path: string }> = [];
      for (const [key, item] of entries) {
        const keyPath = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        if (!key.isWellFormed() || key.includes('\u0000')) {
          found.push({ path: keyPath, message: 'has a name that is not valid Unicode text' });
          if (found.length >= limit) return found;
        }
        children.push({ value: item, path: keyPath });
      }
      for (let index = children.length - 1; index >= 0; index--) pending.push(children[index]!);
    }
  }
  return found;
}
