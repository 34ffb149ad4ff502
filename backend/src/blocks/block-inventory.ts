import type { BlockList } from '@pagewire/shared';
import type { ActivityRepository } from '../store/activity-repository';
import type { BlockDeletion, BlockRepository } from '../store/block-repository';
import type { PlacementRepository } from '../store/placement-repository';

/**
 * What both edges that manage blocks share: the ingest API
 * (`GET`/`DELETE /ingest/v1/blocks…`, with an ingest key) and the settings
 * page's "Blocks" tab (`blocks.overview`, `blocks.delete`, as a space admin).
 */
export interface BlockInventoryDeps {
  blocks: BlockRepository;
  placements: PlacementRepository;
  activity: ActivityRepository;
}

/** Every block of a space with the pages that show it (newest sighting first). */
export async function listBlocksWithPlacements(
  deps: BlockInventoryDeps,
  installationId: string,
  spaceKey: string,
): Promise<BlockList> {
  const [blocks, placements] = await Promise.all([
    deps.blocks.list(installationId, spaceKey),
    deps.placements.listForSpace(installationId, spaceKey),
  ]);
  const byBlock = new Map<string, Array<{ contentId: string; lastSeenAt: string }>>();
  for (const placement of placements) {
    const list = byBlock.get(placement.blockKey) ?? [];
    // Two macros on one page show the block once there.
    if (!list.some((entry) => entry.contentId === placement.contentId)) {
      list.push({ contentId: placement.contentId, lastSeenAt: placement.lastSeenAt });
    }
    byBlock.set(placement.blockKey, list);
  }
  return {
    blocks: blocks.map((block) => ({
      ...block,
      placements: (byBlock.get(block.key) ?? []).sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt)),
    })),
  };
}

/** Deletes a block and logs who did; null when the space has no such block. */
export async function deleteBlock(
  deps: BlockInventoryDeps,
  request: Parameters<BlockRepository['delete']>[0],
): Promise<BlockDeletion | null> {
  const deletion = await deps.blocks.delete(request);
  if (deletion === null) return null;
  await deps.activity.append({
    installationId: request.installationId,
    spaceKey: request.spaceKey,
    actor: request.by,
    action: 'block.deleted',
    result: 'ok',
    detail: `Block "${deletion.title}" (${deletion.key}) was deleted; macros showing it now say so.`,
    at: request.now,
  });
  return deletion;
}

/** The sentence a macro shows for a deleted block: what, when (UTC, readable), and by whom without raw ids. */
export function describeDeletion(deletion: BlockDeletion): string {
  const at = new Date(deletion.deletedAt);
  const when = `${at.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })}, ${at.toISOString().slice(11, 16)} UTC`;
  const who = deletion.by.kind === 'source' ? `its source "${deletion.by.id}"` : 'a space admin';
  return `The block "${deletion.title}" (${deletion.key}) was deleted on ${when} by ${who}. Edit the page and pick another block, or have a source write "${deletion.key}" again to bring it back.`;
}
