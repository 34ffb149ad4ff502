import type { Kysely } from 'kysely';
import type { Tables } from './schema';

/** A secret as stored: which master key sealed it and the sealed bytes (base64). */
export interface SealedSecret {
  keyId: string;
  ciphertext: string;
}

export interface StoredAppToken {
  sealed: SealedSecret;
  expiresAt: Date;
  /** SHA-256 (hex) of the token; null for rows stored before it was recorded. */
  tokenHash: string | null;
  /** When Confluence refused this token (401); null while it is believed good. */
  refusedAt: Date | null;
}

export interface SealedRow {
  /** What the associated data is bound to. */
  installationId: string;
  spaceKey: string | null;
  sealed: SealedSecret;
}

export interface AppTokenRepository {
  /**
   * Stores the newest delivered token, whatever the stored one's expiry
   * (a later `exp` proves nothing: a browser could invent one). Clears a refusal.
   */
  store(
    installationId: string,
    token: { sealed: SealedSecret; expiresAt: Date; tokenHash: string },
    now: Date,
  ): Promise<void>;
  /** Marks the stored token refused if it is still the one with this hash; returns whether it was. */
  refuse(installationId: string, tokenHash: string, now: Date): Promise<boolean>;
  find(installationId: string): Promise<StoredAppToken | null>;
  listSealed(): Promise<SealedRow[]>;
  /** Replaces a sealed value only if it is still the one read (a newer token may have arrived meanwhile). */
  reseal(row: SealedRow, next: SealedSecret): Promise<boolean>;
}

export function createAppTokenRepository(db: Kysely<Tables>): AppTokenRepository {
  return {
    async store(installationId, token, now) {
      const values = {
        key_id: token.sealed.keyId,
        ciphertext: token.sealed.ciphertext,
        expires_at: token.expiresAt.toISOString(),
        updated_at: now.toISOString(),
        token_hash: token.tokenHash,
        refused_at: null,
      };
      await db
        .insertInto('app_tokens')
        .values({ installation_id: installationId, ...values })
        .onConflict((conflict) => conflict.column('installation_id').doUpdateSet(values))
        .execute();
    },

    async refuse(installationId, tokenHash, now) {
      const result = await db
        .updateTable('app_tokens')
        .set({ refused_at: now.toISOString() })
        .where('installation_id', '=', installationId)
        .where('token_hash', '=', tokenHash)
        .where('refused_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
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
        tokenHash: row.token_hash ?? null,
        refusedAt: row.refused_at == null ? null : new Date(row.refused_at),
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
