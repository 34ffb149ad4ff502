import { createHash } from 'node:crypto';
import type { BlockPayload } from '@pagewire/shared';

/**
 * The identity of a block's content: SHA-256 over a canonical JSON form (keys
 * sorted at every level), so a source re-sending the same facts with its keys
 * in another order does not make a new revision.
 */
export function hashBlockPayload(payload: BlockPayload): string {
  return createHash('sha256')
    .update(canonicalJson({ kind: payload.kind, title: payload.title, content: payload.content }))
    .digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}
