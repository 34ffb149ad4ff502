import type { Block, BlockList, BlockPayload, OperationOutput } from '@pagewire/shared';
import type { Logger } from 'pino';
import { hashBlockPayload } from '../domain/block-content-hash';
import type { BlockEvents } from '../domain/block-events';
import { ProblemError } from '../domain/problem-error';
import type { BlockDeletion, BlockDeletionRequest, StoredBlock } from '../store/block-repository';
import type { PlacementUseCases } from './placements';
import type { ActivityLog, BlockStore, PlacementStore, SnapshotScheduler } from './ports';
import type { RenderedMarkdown } from './rendered-markdown-cache';

/** A space of an installation: what every block use case is scoped to. */
export interface SpaceScope {
  installationId: string;
  spaceKey: string;
}

export interface BlockUseCasesDeps {
  blocks: BlockStore;
  placements: PlacementStore;
  activity: ActivityLog;
  placementUseCases: PlacementUseCases;
  snapshots: SnapshotScheduler;
  /** Other parts of the backend told about a new revision, after the snapshots are queued. */
  blockEvents: BlockEvents;
  /** Markdown for the macro, by content hash; null: the macro shows Markdown as plain text. */
  renderedMarkdown: RenderedMarkdown | null;
  now: () => Date;
}

export interface BlockWriteOutcome {
  created: boolean;
  changed: boolean;
  revision: number;
}

/** Where a macro asked from: a page or blog post and its macro instance, when the call names them. */
export interface MacroPlacement {
  contentId: string | null;
  contentType: 'page' | 'blogpost' | null;
  localId: string | null;
}

export interface BlockUseCases {
  /** A source writes a block (the ingest API): stored, logged, its snapshots queued, listeners told. */
  write(
    scope: SpaceScope & { source: string },
    key: string,
    payload: BlockPayload,
    log: Logger,
  ): Promise<BlockWriteOutcome>;
  /** A block as its source wrote it; a `block_deleted`/`block_not_found` problem when there is none. */
  read(scope: SpaceScope, key: string): Promise<Block>;
  /** What a macro shows, recording where it is shown (`blocks.get`). */
  readForMacro(
    scope: SpaceScope,
    key: string,
    placement: MacroPlacement,
  ): Promise<OperationOutput<'blocks.get'>>;
  list(scope: SpaceScope): Promise<OperationOutput<'blocks.list'>>;
  /** Every block of a space with the pages that show it (newest sighting first). */
  listWithPlacements(scope: SpaceScope): Promise<BlockList>;
  /** Deletes a block and logs who did; null when the space has no such block. */
  delete(scope: SpaceScope, key: string, by: BlockDeletionRequest['by']): Promise<BlockDeletion | null>;
  /** Refuses a key with no block: `block_deleted` (when, by whom) if it was deleted, else `block_not_found`. */
  refuseMissing(scope: SpaceScope, key: string): Promise<never>;
}

export function createBlockUseCases(deps: BlockUseCasesDeps): BlockUseCases {
  return {
    write: (scope, key, payload, log) => writeBlock(deps, scope, key, payload, log),
    async read(scope, key) {
      const stored = await deps.blocks.find(scope.installationId, scope.spaceKey, key);
      if (stored === null) return refuseMissing(deps, scope, key);
      return blockOf(stored);
    },
    readForMacro: (scope, key, macro) => readForMacro(deps, scope, key, macro),
    async list(scope) {
      return { blocks: await deps.blocks.list(scope.installationId, scope.spaceKey) };
    },
    listWithPlacements: (scope) => listBlocksWithPlacements(deps, scope),
    delete: (scope, key, by) => deleteBlock(deps, scope, key, by),
    refuseMissing: (scope, key) => refuseMissing(deps, scope, key),
  };
}

/** Only the scope's own fields: a caller may pass a richer object (an ingest principal). */
function spaceOf(scope: SpaceScope): SpaceScope {
  return { installationId: scope.installationId, spaceKey: scope.spaceKey };
}

/** 410 for a key that was deleted (with when and by whom), 404 for one that never existed here. */
async function refuseMissing(deps: BlockUseCasesDeps, scope: SpaceScope, key: string): Promise<never> {
  const deletion = await deps.blocks.findDeletion(scope.installationId, scope.spaceKey, key);
  if (deletion !== null) throw new ProblemError('block_deleted', describeDeletion(deletion));
  throw new ProblemError('block_not_found', `There is no block "${key}" in space ${scope.spaceKey}.`);
}

async function writeBlock(
  deps: BlockUseCasesDeps,
  scope: SpaceScope & { source: string },
  key: string,
  payload: BlockPayload,
  log: Logger,
): Promise<BlockWriteOutcome> {
  const now = deps.now();
  const result = await deps.blocks.write({
    ...spaceOf(scope),
    key,
    payload,
    contentHash: hashBlockPayload(payload),
    source: scope.source,
    now,
  });
  if (result.changed) await afterChange(deps, scope, key, result.revision, now, log);
  return { created: result.created, changed: result.changed, revision: result.revision };
}

/** A new revision: logged under the source's name, its snapshots queued, then the listeners told. */
async function afterChange(
  deps: BlockUseCasesDeps,
  scope: SpaceScope & { source: string },
  key: string,
  revision: number,
  at: Date,
  log: Logger,
): Promise<void> {
  const space = spaceOf(scope);
  await deps.activity.append({
    ...space,
    actor: { kind: 'source', id: scope.source },
    action: 'block.updated',
    result: 'ok',
    detail: `Block "${key}" is now at revision ${revision}.`,
    at,
  });
  // The block is stored whatever happens here: a refresh that fails to queue is found again by the
  // snapshot reconciler (publishing/snapshot-scheduling.ts), which looks for snapshots behind their block.
  await deps.snapshots
    .refreshBlock({ ...space, blockKey: key, source: scope.source })
    .catch((error: unknown) =>
      log.error({ err: error, blockKey: key }, 'queueing snapshot refreshes failed'),
    );
  const failures = await deps.blockEvents.publish({ ...space, key, revision, source: scope.source, at });
  for (const error of failures) log.error({ err: error, blockKey: key }, 'a block-changed listener failed');
}

async function readForMacro(
  deps: BlockUseCasesDeps,
  scope: SpaceScope,
  key: string,
  macro: MacroPlacement,
): Promise<OperationOutput<'blocks.get'>> {
  const view = await deps.blocks.findForView(scope.installationId, scope.spaceKey, key);
  if (view === null) return refuseMissing(deps, scope, key);
  const stored = view.block;
  // Record where the block is shown, so a change can refresh those pages.
  if (macro.contentId !== null && macro.localId !== null) {
    await deps.placementUseCases.record({
      ...spaceOf(scope),
      blockKey: stored.key,
      contentId: macro.contentId,
      contentType: macro.contentType ?? 'page',
      localId: macro.localId,
    });
  }
  const ageMs = deps.now().getTime() - Date.parse(stored.updatedAt);
  const rendered =
    stored.kind === 'markdown' && deps.renderedMarkdown !== null && typeof stored.content === 'string'
      ? await deps.renderedMarkdown(view.contentHash, stored.content)
      : null;
  return {
    block: blockOf(stored),
    stale: ageMs > view.staleAfterMinutes * 60_000,
    staleAfterMinutes: view.staleAfterMinutes,
    ...(rendered === null ? {} : { rendered }),
  };
}

async function deleteBlock(
  deps: BlockUseCasesDeps,
  scope: SpaceScope,
  key: string,
  by: BlockDeletionRequest['by'],
): Promise<BlockDeletion | null> {
  const now = deps.now();
  const deletion = await deps.blocks.delete({ ...spaceOf(scope), key, by, now });
  if (deletion === null) return null;
  await deps.activity.append({
    ...spaceOf(scope),
    actor: by,
    action: 'block.deleted',
    result: 'ok',
    detail: `Block "${deletion.title}" (${deletion.key}) was deleted; macros showing it now say so.`,
    at: now,
  });
  return deletion;
}

function blockOf(stored: StoredBlock): Block {
  return {
    key: stored.key,
    kind: stored.kind,
    title: stored.title,
    content: stored.content,
    revision: stored.revision,
    updatedAt: stored.updatedAt,
    source: stored.source,
  } as Block;
}

async function listBlocksWithPlacements(
  deps: Pick<BlockUseCasesDeps, 'blocks' | 'placements'>,
  scope: SpaceScope,
): Promise<BlockList> {
  const [blocks, placements] = await Promise.all([
    deps.blocks.list(scope.installationId, scope.spaceKey),
    deps.placements.listForSpace(scope.installationId, scope.spaceKey),
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

/** The sentence a macro shows for a deleted block: what, when (UTC, readable), and by whom without raw ids. */
export function describeDeletion(deletion: BlockDeletion): string {
  const at = new Date(deletion.deletedAt);
  const when = `${at.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })}, ${at.toISOString().slice(11, 16)} UTC`;
  const who = deletion.by.kind === 'source' ? `its source "${deletion.by.id}"` : 'a space admin';
  return `The block "${deletion.title}" (${deletion.key}) was deleted on ${when} by ${who}. Edit the page and pick another block, or have a source write "${deletion.key}" again to bring it back.`;
}
