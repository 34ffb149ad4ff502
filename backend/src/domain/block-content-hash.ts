import { createHash } from 'node:crypto';
import { type BlockPayload, canonicalJson } from '@pagewire/shared';

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
