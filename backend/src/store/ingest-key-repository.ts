import type { IngestKeySummary } from '@pagewire/shared';
import type { Kysely } from 'kysely';
import type { Tables } from './schema';

export interface IngestKeyRecord {
  id: string;
  installationId: string;
  spaceKey: string;
  source: string;
  keyHash: string;
  prefix: string;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export type RevokeOutcome = 'revoked' | 'already_revoked' | 'not_found';

export interface IngestKeyRepository {
  create(key: Omit<IngestKeyRecord, 'lastUsedAt' | 'revokedAt'>): Promise<void>;
  /** Looks a presented key up by its hash (revoked keys included: the caller decides). */
  findByHash(keyHash: string): Promise<IngestKeyRecord | null>;
  list(installationId: string, spaceKey: string): Promise<IngestKeySummary[]>;
  /** Revokes only within the given installation and space: an id from elsewhere is "not_found". */
  revoke(installationId: string, spaceKey: string, id: string, by: string, now: Date): Promise<RevokeOutcome>;
  /** Notes a use; written at most once a minute per key so ingest traffic does not turn into writes. */
  markUsed(id: string, now: Date): Promise<void>;
}

const USE_RECORD_INTERVAL_MS = 60_000;

export function createIngestKeyRepository(db: Kysely<Tables>): IngestKeyRepository {
  return {
    ...keyLifecycle(db),
    ...keyUse(db),
  };
}

/** Creating, listing and revoking a space's keys. */
function keyLifecycle(db: Kysely<Tables>): Pick<IngestKeyRepository, 'create' | 'list' | 'revoke'> {
  return {
    async create(key) {
      await db
        .insertInto('ingest_keys')
        .values({
          id: key.id,
          installation_id: key.installationId,
          space_key: key.spaceKey,
          source: key.source,
          key_hash: key.keyHash,
          prefix: key.prefix,
          created_at: key.createdAt,
          created_by: key.createdBy,
          last_used_at: null,
          revoked_at: null,
          revoked_by: null,
        })
        .execute();
    },

    async list(installationId, spaceKey) {
      const rows = await db
        .selectFrom('ingest_keys')
        .selectAll()
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute();
      return rows.map((row) => ({
        id: row.id,
        source: row.source,
        prefix: row.prefix,
        createdAt: row.created_at,
        createdBy: row.created_by,
        lastUsedAt: row.last_used_at,
        revokedAt: row.revoked_at,
      }));
    },

    async revoke(installationId, spaceKey, id, by, now) {
      const updated = await db
        .updateTable('ingest_keys')
        .set({ revoked_at: now.toISOString(), revoked_by: by })
        .where('id', '=', id)
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 1) return 'revoked';
      const existing = await db
        .selectFrom('ingest_keys')
        .select('id')
        .where('id', '=', id)
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .executeTakeFirst();
      return existing === undefined ? 'not_found' : 'already_revoked';
    },
  };
}

/** What every ingest request does: find the key by its hash and note its use. */
function keyUse(db: Kysely<Tables>): Pick<IngestKeyRepository, 'findByHash' | 'markUsed'> {
  return {
    async findByHash(keyHash) {
      const row = await db
        .selectFrom('ingest_keys')
        .selectAll()
        .where('key_hash', '=', keyHash)
        .executeTakeFirst();
      if (row === undefined) return null;
      return {
        id: row.id,
        installationId: row.installation_id,
        spaceKey: row.space_key,
        source: row.source,
        keyHash: row.key_hash,
        prefix: row.prefix,
        createdAt: row.created_at,
        createdBy: row.created_by,
        lastUsedAt: row.last_used_at,
        revokedAt: row.revoked_at,
      };
    },

    async markUsed(id, now) {
      const threshold = new Date(now.getTime() - USE_RECORD_INTERVAL_MS).toISOString();
      await db
        .updateTable('ingest_keys')
        .set({ last_used_at: now.toISOString() })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', threshold)]))
        .execute();
    },
  };
}
