import type { ContentType } from '@pagewire/shared';
import type { Kysely } from 'kysely';
import type { Tables } from './schema';

/** One macro instance showing a block: the page it is on and the macro's local id. */
export interface Placement {
  installationId: string;
  spaceKey: string;
  blockKey: string;
  contentId: string;
  /** Where the snapshot property goes: a page's or a blog post's properties. */
  contentType: ContentType;
  localId: string;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface PlacementRepository {
  /**
   * Records (or moves) the placement of one macro instance. Resolves to true
   * when a row was written: a new or moved placement, or an hour-old sighting.
   */
  record(
    placement: Omit<Placement, 'firstSeenAt' | 'lastSeenAt' | 'contentType'> & { contentType?: ContentType },
    now: Date,
  ): Promise<boolean>;
  /** Every page position showing this block: what a publisher refreshes when the block changes. */
  listForBlock(installationId: string, spaceKey: string, blockKey: string): Promise<Placement[]>;
  /** Every placement in a space, for the block list ("where it is placed"). */
  listForSpace(installationId: string, spaceKey: string): Promise<Placement[]>;
}

const SIGHTING_REFRESH_MS = 60 * 60 * 1000;

export interface PlacementMemoOptions {
  /** How long this process trusts its own last record of a placement before asking the database again. */
  ttlMs?: number;
  /** How many placements it remembers; the oldest record is forgotten first. */
  maxEntries?: number;
}

/**
 * A minute: the longest a placement moved by another replica can stay
 * recorded wrongly (below), and how late an hour-old sighting may be
 * refreshed. Every view of a macro shown more often than that skips the
 * statement.
 */
const DEFAULT_MEMO_TTL_MS = 60_000;
/** ~200 bytes each: a few MB at most, and more macros than are viewed in any minute on one replica. */
const DEFAULT_MEMO_ENTRIES = 20_000;

interface RememberedPlacement {
  spaceKey: string;
  blockKey: string;
  /** Epoch ms after which the database is asked again. */
  until: number;
}

/**
 * `record` runs on every macro view (`blocks.get`) but writes at most hourly
 * per macro, so the upsert mostly finds nothing to do; it was the most
 * expensive statement of the read path (docs/BENCHMARKS.md). This process
 * therefore remembers, for a short while, each placement it recorded or found
 * current, and skips the statement while a view names the same space and
 * block. A placement that is new to this process, or that names another block
 * or space than it remembers, always goes to the database, so a moved macro
 * is recorded at once.
 *
 * Across replicas: if another replica records a move of the same macro and it
 * then moves back, this replica may skip the write that restores it until its
 * memory of the placement expires (`ttlMs`); the publishing engine then
 * refreshes that page for the wrong block for at most that long. The hourly
 * `last_seen_at` refresh is late by at most `ttlMs`.
 */
export function createPlacementRepository(
  db: Kysely<Tables>,
  memoOptions: PlacementMemoOptions = {},
): PlacementRepository {
  const ttlMs = memoOptions.ttlMs ?? DEFAULT_MEMO_TTL_MS;
  const maxEntries = memoOptions.maxEntries ?? DEFAULT_MEMO_ENTRIES;
  const remembered = new Map<string, RememberedPlacement>();

  function remember(key: string, placement: { spaceKey: string; blockKey: string }, now: Date): void {
    // Deleted first so that the Map's insertion order stays oldest-first.
    remembered.delete(key);
    if (remembered.size >= maxEntries) remembered.delete(remembered.keys().next().value!);
    remembered.set(key, {
      spaceKey: placement.spaceKey,
      blockKey: placement.blockKey,
      until: now.getTime() + ttlMs,
    });
  }

  return {
    async record(placement, now) {
      const memoKey = `${placement.installationId}\u0000${placement.contentId}\u0000${placement.localId}`;
      const known = remembered.get(memoKey);
      if (
        known !== undefined &&
        known.blockKey === placement.blockKey &&
        known.spaceKey === placement.spaceKey &&
        now.getTime() < known.until
      ) {
        return false;
      }
      const at = now.toISOString();
      const refreshBefore = new Date(now.getTime() - SIGHTING_REFRESH_MS).toISOString();
      const result = await db
        .insertInto('block_placements')
        .values({
          installation_id: placement.installationId,
          space_key: placement.spaceKey,
          block_key: placement.blockKey,
          content_id: placement.contentId,
          content_type: placement.contentType ?? 'page',
          local_id: placement.localId,
          first_seen_at: at,
          last_seen_at: at,
        })
        .onConflict((conflict) =>
          conflict
            .columns(['installation_id', 'content_id', 'local_id'])
            .doUpdateSet({ space_key: placement.spaceKey, block_key: placement.blockKey, last_seen_at: at })
            // Every macro view lands here; only a moved macro or an hour-old
            // sighting is worth a row write.
            .where((eb) =>
              eb.or([
                eb('block_placements.block_key', '!=', placement.blockKey),
                eb('block_placements.space_key', '!=', placement.spaceKey),
                eb('block_placements.last_seen_at', '<', refreshBefore),
              ]),
            ),
        )
        .executeTakeFirst();
      remember(memoKey, placement, now);
      // SQLite and PostgreSQL both count an upsert whose update was filtered out as 0 rows.
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },
    ...placementListing(db),
  };
}

/** Where blocks are shown: by block (to refresh its snapshots) and by space. */
function placementListing(db: Kysely<Tables>): Pick<PlacementRepository, 'listForBlock' | 'listForSpace'> {
  return {
    async listForBlock(installationId, spaceKey, blockKey) {
      const rows = await db
        .selectFrom('block_placements')
        .selectAll()
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('block_key', '=', blockKey)
        .orderBy('content_id')
        .orderBy('local_id')
        .execute();
      return rows.map((row) => ({
        installationId: row.installation_id,
        spaceKey: row.space_key,
        blockKey: row.block_key,
        contentId: row.content_id,
        contentType: row.content_type,
        localId: row.local_id,
        firstSeenAt: row.first_seen_at,
        lastSeenAt: row.last_seen_at,
      }));
    },

    async listForSpace(installationId, spaceKey) {
      const rows = await db
        .selectFrom('block_placements')
        .selectAll()
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .orderBy('block_key')
        .orderBy('content_id')
        .execute();
      return rows.map((row) => ({
        installationId: row.installation_id,
        spaceKey: row.space_key,
        blockKey: row.block_key,
        contentId: row.content_id,
        contentType: row.content_type,
        localId: row.local_id,
        firstSeenAt: row.first_seen_at,
        lastSeenAt: row.last_seen_at,
      }));
    },
  };
}
