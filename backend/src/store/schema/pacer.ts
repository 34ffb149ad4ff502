/**
 * The Confluence pacer's shared state on PostgreSQL (migration 0300,
 * ../pacer-store-postgres.ts). Times are epoch milliseconds; `bigint`
 * columns come back from `pg` as strings, hence the union.
 */

/** The theoretical arrival time (GCRA) per pacing key: the next start slot is derived from it. */
export interface ConfluencePacerSlotsTable {
  pacing_key: string;
  tat_ms: string | number;
}

/** A pause a quota 429 imposes on a pool of credentials, until `until_ms`. */
export interface ConfluencePacerPausesTable {
  pool: string;
  until_ms: string | number;
  reason: string | null;
}

export interface PacerTables {
  confluence_pacer_slots: ConfluencePacerSlotsTable;
  confluence_pacer_pauses: ConfluencePacerPausesTable;
}
