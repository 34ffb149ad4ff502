import type { Kysely } from 'kysely';
import type { CoreTables } from './schema';

/** A secret as stored: which master key sealed it and the sealed bytes (base64). */
export interface SealedSecret {
  keyId: string;
  ciphertext: string;
}

export interface StoredAppToken {
  sealed: SealedSecret;
  expiresAt: Date;
}

export interface SealedRow {
  /** What the associated data is bound to. */
  installationId: string;
  spaceKey: string | null;
  sealed: SealedSecret;
}

export interface AppTokenRepository {
  /**
   * Stores the token unless the stored one expires at the same time or later,
   * in one statement, so replicas receiving tokens concurrently converge on the
   * later-expiring one. Returns whether this token was stored.
   */
  keepLater(installationId: string, sealed: SealedSecret, expiresAt: Date, now: Date): Promise<boolean>;
  find(installationId: string): Promise<StoredAppToken | null>;
  listSealed(): Promise<SealedRow[]>;
  /** Replaces a sealed value only if it is still the one read (a newer token may have arrived meanwhile). */
  reseal(row: SealedRow, next: SealedSecret): Promise<boolean>;
}

export function createAppTokenRepository(db: Kysely<CoreTables>): AppTokenRepository {
  return {
    async keepLater(installationId, sealed, expiresAt, now) {
      const result = await db
        .insertInto('app_tokens')
        .values({
          installation_id: installationId,
          key_id: sealed.keyId,
          ciphertext: sealed.ciphertext,
          expires_at: expiresAt.toISOString(),
          updated_at: now.toISOString(),
        })
        .onConflict((conflict) =>
          conflict
            .column('installation_id')
            .doUpdateSet((eb) => ({
              key_id: eb.ref('excluded.key_id'),
              ciphertext: eb.ref('excluded.ciphertext'),
              expires_at: eb.ref('excluded.expires_at'),
              updated_at: eb.ref('excluded.updated_at'),
            }))
            .where('app_tokens.expires_at', '<', expiresAt.toISOString()),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },

    async find(installationId) {
      const row = await db
        .selectFrom('app_tokens')
        .selectAll()
        .where('installation_id', '=', installationId)
        .executeTakeFirst();
      if (row === undefined) return null;
      return {
        sealed: { keyId: row.key_id, ciphertext: row.ciphertext },
        expiresAt: new Date(row.expires_at),
      };
    },

    async listSealed() {
      const rows = await db
        .selectFrom('app_tokens')
        .select(['installation_id', 'key_id', 'ciphertext'])
        .execute();
      return rows.map((row) => ({
        installationId: row.installation_id,
        spaceKey: null,
        sealed: { keyId: row.key_id, ciphertext: row.ciphertext },
      }));
    },

    async reseal(row, next) {
      const result = await db
        .updateTable('app_tokens')
        .set({ key_id: next.keyId, ciphertext: next.ciphertext })
        .where('installation_id', '=', row.installationId)
        .where('ciphertext', '=', row.sealed.ciphertext)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
