import type { Block, OperationResult } from '@pagewire/shared';
import { type AdfExportDependencies, contentRefFrom, readSnapshot } from '../adf-export/macro-adf-export';
import type { PlatformContext } from './platform-context';

/** Failures where the backend never answered: the page's own copy is better than nothing. */
const UNREACHABLE = new Set(['backend_unreachable', 'backend_timeout', 'service_unavailable'] as const);
type Unreachable = typeof UNREACHABLE extends Set<infer T> ? T : never;

/**
 * When the backend is down, a macro under the snapshot policy still has a
 * copy of its block in the page (the content property the publisher writes).
 * The resolver reads it with the app's own Confluence access (`asApp`, the
 * same read the export view makes) and answers with it, marked as a fallback
 * with the copy's time, instead of an error. Without a matching snapshot (the
 * live policy, or the macro was re-pointed) the original error stands.
 */
export async function withSnapshotFallback(
  result: OperationResult<'blocks.get'>,
  input: { key: string },
  platform: PlatformContext,
  deps: AdfExportDependencies,
): Promise<OperationResult<'blocks.get'>> {
  if (result.ok || !UNREACHABLE.has(result.error.code as Unreachable)) return result;
  const content = contentRefFrom(platform.extension?.content);
  const localId = platform.localId;
  if (content === undefined || localId === undefined) return result;
  const snapshot = await readSnapshot(deps, content, localId);
  if (snapshot === undefined || snapshot.blockKey !== input.key) return result;
  const block: Block = {
    kind: 'adf',
    title: snapshot.title,
    content: snapshot.adf,
    key: snapshot.blockKey,
    revision: snapshot.revision,
    updatedAt: snapshot.updatedAt,
    source: 'snapshot',
  };
  return {
    ok: true,
    data: {
      block,
      // Whether the copy is stale cannot be known without the backend; the fallback notice says how old it is.
      stale: false,
      staleAfterMinutes: 0,
      fallback: { reason: result.error.code as Unreachable, since: snapshot.updatedAt },
    },
  };
}
