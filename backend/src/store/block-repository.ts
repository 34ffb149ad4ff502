import { type BlockKind, type BlockPayload, type BlockSummary, defaultSpaceSettings } from '@pagewire/shared';
import type { Kysely } from 'kysely';
import { compileStatement } from './database';
import type { Tables } from './schema';

export interface StoredBlock {
  key: string;
  kind: BlockKind;
  title: string;
  content: unknown;
  revision: number;
  source: string;
  updatedAt: string;
}

/** What a macro view needs: the block and its space's staleness threshold. */
export interface BlockView {
  block: StoredBlock;
  /** SHA-256 of the block's canonical payload (block-content-hash.ts): the same hash, the same content. */
  contentHash: string;
  /** The space's `staleAfterMinutes`, or the default when nobody changed the space's settings. */
  staleAfterMinutes: number;
}

export interface BlockWrite {
  installationId: string;
  spaceKey: string;
  key: string;
  payload: BlockPayload;
  contentHash: string;
  source: string;
  now: Date;
}

export interface BlockWriteResult {
  revision: number;
  /** False when the stored block already had this exact content: no new revision. */
  changed: boolean;
  created: boolean;
}

export interface BlockRepository {
  write(block: BlockWrite): Promise<BlockWriteResult>;
  find(installationId: string, spaceKey: string, key: string): Promise<StoredBlock | null>;
  /**
   * The block with its space's staleness threshold, in one statement (the
   * macro read path ran one for each, docs/BENCHMARKS.md); null when there is
   * no such block.
   */
  findForView(installationId: string, spaceKey: string, key: string): Promise<BlockView | null>;
  list(installationId: string, spaceKey: string): Promise<BlockSummary[]>;
  /** Deletes the block and remembers who did; null when there was no such block. */
  delete(deletion: BlockDeletionRequest): Promise<BlockDeletion | null>;
  /** The last deletion of a key that has no block now; null when it was never deleted (or was written again). */
  findDeletion(installationId: string, spaceKey: string, key: string): Promise<BlockDeletion | null>;
}

export interface BlockDeletionRequest {
  installationId: string;
  spaceKey: string;
  key: string;
  by: { kind: 'user' | 'source'; id: string };
  now: Date;
}

export interface BlockDeletion {
  key: string;
  title: string;
  deletedAt: string;
  by: { kind: 'user' | 'source'; id: string };
}

export class BlockWriteContentionError extends Error {
  override readonly name = 'BlockWriteContentionError';
}

/** Concurrent writers to one block retry a few times; beyond that something is wrong, not just busy. */
const MAX_WRITE_ATTEMPTS = 8;

export function createBlockRepository(db: Kysely<Tables>): BlockRepository {
  // Every macro view runs this one; compiled once (see compileStatement).
  const viewStatement = compileViewStatement(db);

  return {
    write: (block) => writeBlock(db, block),

    async find(installationId, spaceKey, key) {
      const row = await db
        .selectFrom('blocks')
        .selectAll()
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('block_key', '=', key)
        .executeTakeFirst();
      return row === undefined ? null : blockFromRow(row);
    },

    async findForView(installationId, spaceKey, key) {
      const [row] = await viewStatement.execute(installationId, spaceKey, key);
      if (row === undefined) return null;
      return {
        block: blockFromRow(row),
        contentHash: row.content_hash,
        staleAfterMinutes: row.stale_after_minutes ?? defaultSpaceSettings.staleAfterMinutes,
      };
    },

    async list(installationId, spaceKey) {
      const rows = await db
        .selectFrom('blocks')
        .select(['block_key', 'title', 'kind', 'revision', 'updated_at', 'source'])
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .orderBy('block_key')
        .execute();
      return rows.map((row) => ({
        key: row.block_key,
        title: row.title,
        kind: row.kind as BlockKind,
        revision: row.revision,
        updatedAt: row.updated_at,
        source: row.source,
      }));
    },

    delete: (request) => deleteBlock(db, request),

    async findDeletion(installationId, spaceKey, key) {
      const row = await db
        .selectFrom('deleted_blocks')
        .selectAll()
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('block_key', '=', key)
        .executeTakeFirst();
      if (row === undefined) return null;
      return {
        key: row.block_key,
        title: row.title,
        deletedAt: row.deleted_at,
        by: { kind: row.deleted_by_kind === 'source' ? 'source' : 'user', id: row.deleted_by_id },
      };
    },
  };
}

/** The columns of a `blocks` row that make a stored block. */
type BlockRow = Pick<
  Tables['blocks'],
  'block_key' | 'kind' | 'title' | 'content_json' | 'revision' | 'source' | 'updated_at'
>;

function blockFromRow(row: BlockRow): StoredBlock {
  return {
    key: row.block_key,
    kind: row.kind as BlockKind,
    title: row.title,
    content: JSON.parse(row.content_json) as unknown,
    revision: row.revision,
    source: row.source,
    updatedAt: row.updated_at,
  };
}

/**
 * Stores a new revision, or reports the unchanged one. Optimistic concurrency
 * instead of a transaction: the same code is correct on SQLite and on
 * PostgreSQL under READ COMMITTED, and two sources racing on one key each get
 * a distinct revision.
 */
async function writeBlock(
  db: Kysely<Tables>,
  block: Parameters<BlockRepository['write']>[0],
): ReturnType<BlockRepository['write']> {
  const at = block.now.toISOString();
  const contentJson = JSON.stringify(block.payload.content);
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const existing = await db
      .selectFrom('blocks')
      .select(['revision', 'content_hash'])
      .where('installation_id', '=', block.installationId)
      .where('space_key', '=', block.spaceKey)
      .where('block_key', '=', block.key)
      .executeTakeFirst();

    if (existing === undefined) {
      if (await insertFirstRevision(db, block, contentJson, at))
        return { revision: 1, changed: true, created: true };
      continue;
    }

    if (existing.content_hash === block.contentHash) {
      return { revision: existing.revision, changed: false, created: false };
    }

    const updated = await db
      .updateTable('blocks')
      .set({
        kind: block.payload.kind,
        title: block.payload.title,
        content_json: contentJson,
        content_hash: block.contentHash,
        revision: existing.revision + 1,
        source: block.source,
        updated_at: at,
      })
      .where('installation_id', '=', block.installationId)
      .where('space_key', '=', block.spaceKey)
      .where('block_key', '=', block.key)
      .where('revision', '=', existing.revision)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 1) {
      return { revision: existing.revision + 1, changed: true, created: false };
    }
  }
  throw new BlockWriteContentionError(`block "${block.key}" kept changing under concurrent writes`);
}

/** Inserts revision 1 unless another writer got there first (then false: read again). */
async function insertFirstRevision(
  db: Kysely<Tables>,
  block: Parameters<BlockRepository['write']>[0],
  contentJson: string,
  at: string,
): Promise<boolean> {
  const inserted = await db
    .insertInto('blocks')
    .values({
      installation_id: block.installationId,
      space_key: block.spaceKey,
      block_key: block.key,
      kind: block.payload.kind,
      title: block.payload.title,
      content_json: contentJson,
      content_hash: block.contentHash,
      revision: 1,
      source: block.source,
      created_at: at,
      updated_at: at,
    })
    .onConflict((conflict) => conflict.columns(['installation_id', 'space_key', 'block_key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) {
    // Written again after a deletion: macros showing the key show the block, not the deletion.
    await db
      .deleteFrom('deleted_blocks')
      .where('installation_id', '=', block.installationId)
      .where('space_key', '=', block.spaceKey)
      .where('block_key', '=', block.key)
      .execute();
    return true;
  }
  return false;
}

/** Deletes a block, leaving a marker that tells macros showing its key what happened. */
async function deleteBlock(
  db: Kysely<Tables>,
  request: Parameters<BlockRepository['delete']>[0],
): ReturnType<BlockRepository['delete']> {
  const at = request.now.toISOString();
  const existing = await db
    .selectFrom('blocks')
    .select(['title'])
    .where('installation_id', '=', request.installationId)
    .where('space_key', '=', request.spaceKey)
    .where('block_key', '=', request.key)
    .executeTakeFirst();
  if (existing === undefined) return null;
  // The marker goes first: a macro view between the two statements finds the block or its deletion, never neither.
  await db
    .insertInto('deleted_blocks')
    .values({
      installation_id: request.installationId,
      space_key: request.spaceKey,
      block_key: request.key,
      title: existing.title,
      deleted_at: at,
      deleted_by_kind: request.by.kind,
      deleted_by_id: request.by.id,
    })
    .onConflict((conflict) =>
      conflict.columns(['installation_id', 'space_key', 'block_key']).doUpdateSet({
        title: existing.title,
        deleted_at: at,
        deleted_by_kind: request.by.kind,
        deleted_by_id: request.by.id,
      }),
    )
    .execute();
  const deleted = await db
    .deleteFrom('blocks')
    .where('installation_id', '=', request.installationId)
    .where('space_key', '=', request.spaceKey)
    .where('block_key', '=', request.key)
    .executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0) return null;
  return { key: request.key, title: existing.title, deletedAt: at, by: request.by };
}

/** The macro view's read: the block and its space's staleness setting, in one statement. */
function compileViewStatement(db: Kysely<Tables>) {
  return compileStatement(db, 3, (installationId, spaceKey, key) =>
    db
      .selectFrom('blocks as b')
      .leftJoin('space_settings as s', (join) =>
        join.onRef('s.installation_id', '=', 'b.installation_id').onRef('s.space_key', '=', 'b.space_key'),
      )
      .select([
        'b.block_key',
        'b.kind',
        'b.title',
        'b.content_json',
        'b.revision',
        'b.source',
        'b.updated_at',
        'b.content_hash',
        's.stale_after_minutes',
      ])
      .where('b.installation_id', '=', installationId)
      .where('b.space_key', '=', spaceKey)
      .where('b.block_key', '=', key),
  );
}
