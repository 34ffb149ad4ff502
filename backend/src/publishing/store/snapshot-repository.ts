import { type Kysely, sql } from 'kysely';
import type { Tables } from '../../store/schema';

export interface SnapshotRecord {
  installationId: string;
  contentId: string;
  localId: string;
  blockKey: string;
  revision: number;
  propertyVersion: number;
  writtenAt: string;
  /** The property's id in Confluence (null when there is none: the page is gone). */
  propertyId: string | null;
  /** sha256 of the canonical value the property holds (null when not known). */
  valueHash: string | null;
}

/** A macro in a `snapshot` space whose property does not show its block's current revision. */
export interface StaleSnapshot {
  installationId: string;
  spaceKey: string;
  blockKey: string;
  contentId: string;
  localId: string;
  source: string;
}

export interface SnapshotRepository {
  record(snapshot: SnapshotRecord): Promise<void>;
  /** What the engine last wrote (or found) in this macro's snapshot property. */
  find(installationId: string, contentId: string, localId: string): Promise<SnapshotRecord | null>;
  /**
   * Placements in spaces with the `snapshot` policy whose recorded snapshot is
   * missing or older than the block. Normally empty: block changes queue their
   * refresh at once; a crash between storing a block and queueing its refresh
   * is what this finds.
   */
  listStale(limit: number): Promise<StaleSnapshot[]>;
}

export function createSnapshotRepository(db: Kysely<Tables>): SnapshotRepository {
  return {
    ...snapshotRows(db),
    ...staleSnapshots(db),
  };
}

/** Which block revision each macro's snapshot shows. */
function snapshotRows(db: Kysely<Tables>): Pick<SnapshotRepository, 'record' | 'find'> {
  return {
    async record(snapshot) {
      const values = {
        block_key: snapshot.blockKey,
        revision: snapshot.revision,
        property_version: snapshot.propertyVersion,
        written_at: snapshot.writtenAt,
        property_id: snapshot.propertyId,
        value_hash: snapshot.valueHash,
      };
      await db
        .insertInto('publish_snapshots')
        .values({
          installation_id: snapshot.installationId,
          content_id: snapshot.contentId,
          local_id: snapshot.localId,
          ...values,
        })
        .onConflict((conflict) =>
          conflict.columns(['installation_id', 'content_id', 'local_id']).doUpdateSet(values),
        )
        .execute();
    },

    async find(installationId, contentId, localId) {
      const row = await db
        .selectFrom('publish_snapshots')
        .selectAll()
        .where('installation_id', '=', installationId)
        .where('content_id', '=', contentId)
        .where('local_id', '=', localId)
        .executeTakeFirst();
      if (row === undefined) return null;
      return {
        installationId: row.installation_id,
        contentId: row.content_id,
        localId: row.local_id,
        blockKey: row.block_key,
        revision: Number(row.revision),
        propertyVersion: Number(row.property_version),
        writtenAt: row.written_at,
        propertyId: row.property_id ?? null,
        valueHash: row.value_hash ?? null,
      };
    },
  };
}

/** Snapshots behind their block's current revision (a crash swallowed their refresh). */
function staleSnapshots(db: Kysely<Tables>): Pick<SnapshotRepository, 'listStale'> {
  return {
    async listStale(limit) {
      const rows = await db
        .selectFrom('block_placements as p')
        .innerJoin('space_settings as s', (join) =>
          join.onRef('s.installation_id', '=', 'p.installation_id').onRef('s.space_key', '=', 'p.space_key'),
        )
        .innerJoin('blocks as b', (join) =>
          join
            .onRef('b.installation_id', '=', 'p.installation_id')
            .onRef('b.space_key', '=', 'p.space_key')
            .onRef('b.block_key', '=', 'p.block_key'),
        )
        .leftJoin('publish_snapshots as ps', (join) =>
          join
            .onRef('ps.installation_id', '=', 'p.installation_id')
            .onRef('ps.content_id', '=', 'p.content_id')
            .onRef('ps.local_id', '=', 'p.local_id'),
        )
        // A snapshot given up on (a dead letter) is not retried from here; the
        // block's next change queues it again.
        .leftJoin('publish_work as w', (join) =>
          join
            .onRef('w.installation_id', '=', 'p.installation_id')
            .on('w.target_key', '=', sql<string>`'snapshot:' || p.content_id || ':' || p.local_id`),
        )
        .select(['p.installation_id', 'p.space_key', 'p.block_key', 'p.content_id', 'p.local_id', 'b.source'])
        .where('s.publishing_policy', '=', 'snapshot')
        .where((eb) => eb.or([eb('w.state', 'is', null), eb('w.state', '!=', 'dead')]))
        .where((eb) =>
          eb.or([
            eb('ps.revision', 'is', null),
            eb('ps.revision', '!=', eb.ref('b.revision')),
            eb('ps.block_key', '!=', eb.ref('p.block_key')),
          ]),
        )
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        installationId: row.installation_id,
        spaceKey: row.space_key,
        blockKey: row.block_key,
        contentId: row.content_id,
        localId: row.local_id,
        source: row.source,
      }));
    },
  };
}
