import type { ContentType } from '@pagewire/shared';
import type { Generated } from 'kysely';

/**
 * Table types for Kysely, one interface per table the core migrations create.
 *
 * Portable on purpose: the same queries run on SQLite and PostgreSQL, so
 * timestamps are ISO-8601 UTC strings with milliseconds (they sort as text on
 * both), JSON documents are text, booleans are nullable timestamps
 * (`revoked_at`), and ciphertexts are base64 text. The other areas' tables
 * are typed next to this file (publishing.ts, pacer.ts) and joined in
 * `Tables` (index.ts).
 */
export interface InstallationsTable {
  /** `ari:cloud:ecosystem::installation/…` from the signed FIT: the tenant key. */
  installation_id: string;
  cloud_id: string;
  site_url: string | null;
  api_base_url: string;
  environment_type: string | null;
  created_at: string;
  updated_at: string;
  /** When Forge's pre-uninstall trigger arrived; null while installed. */
  uninstalled_at: string | null;
}

export interface SpaceSettingsTable {
  installation_id: string;
  space_key: string;
  space_id: string | null;
  publishing_policy: string;
  stale_after_minutes: number;
  updated_at: string;
  updated_by: string | null;
}

export interface BlocksTable {
  installation_id: string;
  space_key: string;
  block_key: string;
  kind: string;
  title: string;
  /** The validated content as JSON text (a JSON string for Markdown). */
  content_json: string;
  /** SHA-256 of the canonical payload: the same content again is not a new revision. */
  content_hash: string;
  revision: number;
  source: string;
  created_at: string;
  updated_at: string;
}

/** Where a block is embedded: one row per macro instance (page + macro local id). */
export interface BlockPlacementsTable {
  installation_id: string;
  space_key: string;
  block_key: string;
  content_id: string;
  /** `page` or `blogpost` (migration 0040). */
  content_type: Generated<ContentType>;
  local_id: string;
  first_seen_at: string;
  last_seen_at: string;
}

export interface IngestKeysTable {
  id: string;
  installation_id: string;
  space_key: string;
  source: string;
  /** SHA-256 of the whole key, hex. The key itself is never stored. */
  key_hash: string;
  /** Enough of the key to recognise it in a list, not enough to use it. */
  prefix: string;
  created_at: string;
  created_by: string;
  last_used_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
}

export interface ActivityTable {
  /** Time-ordered (UUIDv7): ordering by id is ordering by time. */
  id: string;
  installation_id: string;
  space_key: string;
  at: string;
  actor_kind: string;
  actor_id: string;
  action: string;
  result: string;
  detail: string | null;
  page_id: string | null;
  version: number | null;
  /** Set on page rows about a person's edit: their account id and when they edited. */
  edited_by: string | null;
  edited_at: string | null;
}

export interface AppTokensTable {
  installation_id: string;
  key_id: string;
  /** base64(nonce ‖ ciphertext ‖ tag), AES-256-GCM. */
  ciphertext: string;
  /** The token's own `exp`, as ISO time. */
  expires_at: string;
  updated_at: string;
  /** SHA-256 (hex) of the token: recognises a refused token when Forge delivers it again. */
  token_hash: string | null;
  /** When Confluence answered 401 to this token; it is then never handed out again. */
  refused_at: string | null;
}

export interface ApiTokensTable {
  installation_id: string;
  space_key: string;
  email: string;
  key_id: string;
  ciphertext: string;
  /** The admin-entered expiry date, `YYYY-MM-DD`. */
  expires_on: string;
  /** `TokenHealth` as JSON. */
  health_json: string;
  granted_scopes_json: string;
  last_used_at: string | null;
  /** The last expiry warning level already announced, so each fires once. */
  expiry_warning: string | null;
  next_check_at: string;
  created_at: string;
  created_by: string;
  updated_at: string;
}

export interface DeletedBlocksTable {
  installation_id: string;
  space_key: string;
  block_key: string;
  title: string;
  deleted_at: string;
  /** `user` (an admin in the settings page) or `source` (an ingest key). */
  deleted_by_kind: string;
  deleted_by_id: string;
}

/** Forge invocation tokens already used (migration 0010), until they expire: the replay rule. */
export interface FitTokenUsesTable {
  jti: string;
  /** The operation the token was first used for: a repeat of the same trigger is a platform retry. */
  operation: string;
  expires_at: string;
}

export interface CoreTables {
  installations: InstallationsTable;
  space_settings: SpaceSettingsTable;
  blocks: BlocksTable;
  block_placements: BlockPlacementsTable;
  deleted_blocks: DeletedBlocksTable;
  ingest_keys: IngestKeysTable;
  activity: ActivityTable;
  app_tokens: AppTokensTable;
  api_tokens: ApiTokensTable;
  fit_token_uses: FitTokenUsesTable;
}
