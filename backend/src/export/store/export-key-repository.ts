import type { ExportKeySummary } from '@pagewire/shared';
import type { Kysely } from 'kysely';
import type { Tables } from '../../store/schema';

export interface ExportKeyRecord {
  id: string;
  installationId: string;
  spaceKey: string;
  consumer: string;
  keyHash: string;
  prefix: string;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export type ExportKeyRevokeOutcome = 'revoked' | 'already_revoked' | 'not_found';

export interface ExportKeyRepository {
  create(key: Omit<ExportKeyRecord, 'lastUsedAt' | 'revokedAt'>): Promise<void>;
  /** Looks a presented key up by its hash (revoked keys included: the caller decides). */
  findByHash(keyHash: string): Promise<ExportKeyRecord | null>;
  list(installationId: string, spaceKey: string): Promise<ExportKeySummary[]>;
  /** Revokes only within the given installation and space: an id from elsewhere is "not_found". */
  revoke(
    installationId: string,
    spaceKey: string,
    id: string,
    by: string,
    now: Date,
  ): Promise<ExportKeyRevokeOutcome>;
  /** Notes a use, at most once a minute per key, so a polling consumer does not turn into writes. */
  markUsed(id: string, now: Date): Promise<void>;
}

const USE_RECORD_INTERVAL_MS = 60_000;

export function createExportKeyRepository(db: Kysely<Tables>): ExportKeyRepository {
  return {
    async create(key) {
      await db
        .insertInto('export_keys')
        .values({
          id: key.id,
          installation_id: key.installationId,
          space_key: key.spaceKey,
          consumer: key.consumer,
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

    async findByHash(keyHash) {
      const row = await db
        .selectFrom('export_keys')
        .selectAll()
        .where('key_hash', '=', keyHash)
        .executeTakeFirst();
      if (row === undefined) return null;
      return {
        id: row.id,
        installationId: row.installation_id,
        spaceKey: row.space_key,
        consumer: row.consumer,
        keyHash: row.key_hash,
        prefix: row.prefix,
        createdAt: row.created_at,
        createdBy: row.created_by,
        lastUsedAt: row.last_used_at,
        revokedAt: row.revoked_at,
      };
    },

    async list(installationId, spaceKey) {
      const rows = await db
        .selectFrom('export_keys')
        .select(['id', 'consumer', 'prefix', 'created_at', 'created_by', 'last_used_at', 'revoked_at'])
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map((row) => ({
        id: row.id,
        consumer: row.consumer,
        prefix: row.prefix,
        createdAt: row.created_at,
        createdBy: row.created_by,
        lastUsedAt: row.last_used_at,
        revokedAt: row.revoked_at,
      }));
    },

    async revoke(installationId, spaceKey, id, by, now) {
      const row = await db
        .selectFrom('export_keys')
        .select(['revoked_at'])
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('id', '=', id)
        .executeTakeFirst();
      if (row === undefined) return 'not_found';
      if (row.revoked_at !== null) return 'already_revoked';
      await db
        .updateTable('export_keys')
        .set({ revoked_at: now.toISOString(), revoked_by: by })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
      return 'revoked';
    },

    async markUsed(id, now) {
      const threshold = new Date(now.getTime() - USE_RECORD_INTERVAL_MS).toISOString();
      await db
        .updateTable('export_keys')
        .set({ last_used_at: now.toISOString() })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', threshold)]))
        .execute();
    },
  };
}
