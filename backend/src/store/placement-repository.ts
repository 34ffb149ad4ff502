import type { Kysely } from 'kysely';
import type { CoreTables } from './schema';

/** One macro instance showing a block: the page it is on and the macro's local id. */
export interface Placement {
  installationId: string;
  spaceKey: string;
  blockKey: string;
  contentId: string;
  localId: string;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface PlacementRepository {
  /**
   * Records (or moves) the placement of one macro instance. Resolves to true
   * when a row was written: a new or moved placement, or an hour-old sighting.
   */
  record(placement: Omit<Placement, 'firstSeenAt' | 'lastSeenAt'>, now: Date): Promise<boolean>;
  /** Every page position showing this block: what a publisher refreshes when the block changes. */
  listForBlock(installationId: string, spaceKey: string, blockKey: string): Promise<Placement[]>;
}

const SIGHTING_REFRESH_MS = 60 * 60 * 1000;

export function createPlacementRepository(db: Kysely<CoreTables>): PlacementRepository {
  return {
    async record(placement, now) {
      const at = now.toISOString();
      const refreshBefore = new Date(now.getTime() - SIGHTING_REFRESH_MS).toISOString();
      const result = await db
        .insertInto('block_placements')
        .values({
          installation_id: placement.installationId,
          space_key: placement.spaceKey,
          block_key: placement.blockKey,
          content_id: placement.contentId,
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
      // SQLite and PostgreSQL both count an upsert whose update was filtered out as 0 rows.
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },

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
        localId: row.local_id,
        firstSeenAt: row.first_seen_at,
        lastSeenAt: row.last_seen_at,
      }));
    },
  };
}
