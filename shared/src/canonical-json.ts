/**
 * The one canonical JSON of Pagewire: object keys sorted by UTF-16 code unit at
 * every level (integer-like keys too, unlike `JSON.stringify`, which puts them
 * first), `undefined` members left out. Every content hash is taken over it
 * (block revisions, page and snapshot writes), and those hashes are stored, so
 * its output for a given value must never change.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}
