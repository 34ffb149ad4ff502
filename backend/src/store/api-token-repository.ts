import { type ExpiryWarning, type TokenHealth, tokenHealthSchema } from '@pagewire/shared';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { SealedRow, SealedSecret } from './app-token-repository';
import type { CoreTables, Tables } from './schema';

export interface ApiTokenRecord {
  installationId: string;
  spaceKey: string;
  email: string;
  sealed: SealedSecret;
  /** The admin-entered expiry date, `YYYY-MM-DD`. */
  expiresOn: string;
  health: TokenHealth;
  grantedScopes: string[];
  lastUsedAt: string | null;
  expiryWarning: ExpiryWarning['level'] | null;
  nextCheckAt: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export type NewApiToken = Omit<ApiTokenRecord, 'lastUsedAt' | 'expiryWarning' | 'updatedAt'>;

export interface ApiTokenCheck {
  health: TokenHealth;
  grantedScopes: string[];
  nextCheckAt: Date;
}

export interface ApiTokenRepository {
  /** Stores a verified token, replacing the space's previous one. */
  save(token: NewApiToken, now: Date): Promise<void>;
  find(installationId: string, spaceKey: string): Promise<ApiTokenRecord | null>;
  remove(installationId: string, spaceKey: string): Promise<boolean>;
  markUsed(installationId: string, spaceKey: string, at: Date): Promise<void>;
  /**
   * Records a health check of the token sealed as `checked`; does nothing if the
   * token was replaced while the check ran (the new one has its own health).
   */
  recordCheck(
    installationId: string,
    spaceKey: string,
    checked: SealedSecret,
    check: ApiTokenCheck,
  ): Promise<boolean>;
  /**
   * Claims up to `limit` tokens whose re-check is due, moving their next check
   * to `nextCheckAt` row by row with a compare-and-set, so that of several
   * replicas running the daily job each token is checked by one.
   */
  claimDue(now: Date, nextCheckAt: Date, limit: number): Promise<ApiTokenRecord[]>;
  /** How many tokens are waiting for their re-check (a queue depth). */
  countDue(now: Date): Promise<number>;
  setExpiryWarning(
    installationId: string,
    spaceKey: string,
    level: ExpiryWarning['level'] | null,
  ): Promise<void>;
  /** Every stored token's admin-entered expiry date (for the expiring-tokens gauge). */
  listExpiryDates(): Promise<string[]>;
  listSealed(): Promise<SealedRow[]>;
  reseal(row: SealedRow, next: SealedSecret): Promise<boolean>;
}

const scopesSchema = z.array(z.string());

type ApiTokenRow = CoreTables['api_tokens'];

function toRecord(row: ApiTokenRow): ApiTokenRecord {
  return {
    installationId: row.installation_id,
    spaceKey: row.space_key,
    email: row.email,
    sealed: { keyId: row.key_id, ciphertext: row.ciphertext },
    expiresOn: row.expires_on,
    health: tokenHealthSchema.parse(JSON.parse(row.health_json)),
    grantedScopes: scopesSchema.parse(JSON.parse(row.granted_scopes_json)),
    lastUsedAt: row.last_used_at,
    expiryWarning: row.expiry_warning as ApiTokenRecord['expiryWarning'],
    nextCheckAt: row.next_check_at,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
  };
}

export function createApiTokenRepository(db: Kysely<Tables>): ApiTokenRepository {
  return { ...tokenRows(db), ...recheckRows(db), ...sealedRows(db) };
}

/** A space's token: stored, read, removed, marked used and warned about. */
function tokenRows(
  db: Kysely<Tables>,
): Pick<ApiTokenRepository, 'save' | 'find' | 'remove' | 'markUsed' | 'setExpiryWarning'> {
  return {
    async save(token, now) {
      const at = now.toISOString();
      const values = {
        email: token.email,
        key_id: token.sealed.keyId,
        ciphertext: token.sealed.ciphertext,
        expires_on: token.expiresOn,
        health_json: JSON.stringify(token.health),
        granted_scopes_json: JSON.stringify(token.grantedScopes),
        // A new token starts with no use and no warning announced yet.
        last_used_at: null,
        expiry_warning: null,
        next_check_at: token.nextCheckAt,
        created_at: token.createdAt,
        created_by: token.createdBy,
        updated_at: at,
      };
      await db
        .insertInto('api_tokens')
        .values({ installation_id: token.installationId, space_key: token.spaceKey, ...values })
        .onConflict((conflict) => conflict.columns(['installation_id', 'space_key']).doUpdateSet(values))
        .execute();
    },

    async find(installationId, spaceKey) {
      const row = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .executeTakeFirst();
      return row === undefined ? null : toRecord(row);
    },

    async remove(installationId, spaceKey) {
      const result = await db
        .deleteFrom('api_tokens')
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    async markUsed(installationId, spaceKey, at) {
      const iso = at.toISOString();
      await db
        .updateTable('api_tokens')
        .set({ last_used_at: iso })
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', iso)]))
        .execute();
    },

    async setExpiryWarning(installationId, spaceKey, level) {
      await db
        .updateTable('api_tokens')
        .set({ expiry_warning: level })
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .execute();
    },
  };
}

/** The daily re-check: which tokens are due, claiming them, recording results. */
function recheckRows(
  db: Kysely<Tables>,
): Pick<ApiTokenRepository, 'recordCheck' | 'claimDue' | 'countDue' | 'listExpiryDates'> {
  return {
    async recordCheck(installationId, spaceKey, checked, check) {
      const result = await db
        .updateTable('api_tokens')
        .set({
          health_json: JSON.stringify(check.health),
          granted_scopes_json: JSON.stringify(check.grantedScopes),
          next_check_at: check.nextCheckAt.toISOString(),
        })
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('ciphertext', '=', checked.ciphertext)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async claimDue(now, nextCheckAt, limit) {
      const candidates = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('next_check_at', '<=', now.toISOString())
        .orderBy('next_check_at')
        .limit(limit)
        .execute();
      const claimed: ApiTokenRecord[] = [];
      for (const row of candidates) {
        const result = await db
          .updateTable('api_tokens')
          .set({ next_check_at: nextCheckAt.toISOString() })
          .where('installation_id', '=', row.installation_id)
          .where('space_key', '=', row.space_key)
          .where('next_check_at', '=', row.next_check_at)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) claimed.push(toRecord(row));
      }
      return claimed;
    },

    async countDue(now) {
      const row = await db
        .selectFrom('api_tokens')
        .select((eb) => eb.fn.countAll().as('due'))
        .where('next_check_at', '<=', now.toISOString())
        .executeTakeFirst();
      // PostgreSQL answers count(*) as a bigint string, SQLite as a number.
      return Number(row?.due ?? 0);
    },

    async listExpiryDates() {
      const rows = await db.selectFrom('api_tokens').select('expires_on').execute();
      return rows.map((row) => row.expires_on);
    },
  };
}

/** Master-key rotation: every sealed token, and re-sealing one that is unchanged. */
function sealedRows(db: Kysely<Tables>): Pick<ApiTokenRepository, 'listSealed' | 'reseal'> {
  return {
    async listSealed() {
      const rows = await db
        .selectFrom('api_tokens')
        .select(['installation_id', 'space_key', 'key_id', 'ciphertext'])
        .execute();
      return rows.map((row) => ({
        installationId: row.installation_id,
        spaceKey: row.space_key,
        sealed: { keyId: row.key_id, ciphertext: row.ciphertext },
      }));
    },

    async reseal(row, next) {
      const result = await db
        .updateTable('api_tokens')
        .set({ key_id: next.keyId, ciphertext: next.ciphertext })
        .where('installation_id', '=', row.installationId)
        .where('space_key', '=', row.spaceKey ?? '')
        .where('ciphertext', '=', row.sealed.ciphertext)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
