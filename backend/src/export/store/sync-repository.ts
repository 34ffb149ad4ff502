import type { Kysely } from 'kysely';
import type { ExportSpacesTable, Tables } from '../../store/schema';
import type { MirrorTarget } from '../page-mirror';

export type SyncMode = 'full' | 'incremental';

/** Where a crashed run picks up: the run, how far its listing got, and the link to the next listing page. */
export interface SyncCheckpoint {
  runId: string;
  mode: SyncMode;
  /** `list` walks the listing; `sweep` checks the pages the listing no longer showed. */
  phase: 'list' | 'sweep';
  next: string | null;
  startedAt: string;
  /** Confluence requests the run made so far, across resumes. */
  requests: number;
}

export interface SpaceExport {
  installationId: string;
  spaceKey: string;
  spaceId: string | null;
  enabled: boolean;
  includeRestricted: boolean;
  mode: SyncMode;
  dueAt: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  checkpoint: SyncCheckpoint | null;
  runningSince: string | null;
  attempts: number;
  lastError: { code: string; detail: string; at: string } | null;
  lastFullSyncAt: string | null;
  lastSyncAt: string | null;
}

export interface SyncLease {
  owner: string;
  space: SpaceExport;
}

export interface SyncRepository {
  get(target: MirrorTarget): Promise<SpaceExport | null>;
  findBySpaceId(installationId: string, spaceId: string): Promise<SpaceExport | null>;
  /**
   * Turns export on (or changes `includeRestricted`); turning it on queues a
   * full sync now. Resolves to the state before, or null for a space never set up.
   */
  configure(
    target: MirrorTarget,
    settings: { enabled: boolean; includeRestricted: boolean; spaceId: string | null },
    now: Date,
  ): Promise<SpaceExport | null>;
  /** Asks for a sync now (coalesced: a space has one sync item); false when export is off. */
  request(target: MirrorTarget, now: Date): Promise<boolean>;
  /** Takes the next due sync whose lease is free or ran out, or null. */
  claim(owner: string, now: Date, leaseMs: number): Promise<SyncLease | null>;
  /** Records progress and extends the lease; false when the lease was lost. */
  checkpoint(lease: SyncLease, checkpoint: SyncCheckpoint, now: Date, leaseMs: number): Promise<boolean>;
  setSpaceId(target: MirrorTarget, spaceId: string): Promise<void>;
  finish(lease: SyncLease, outcome: { now: Date; nextDueAt: Date; full: boolean }): Promise<void>;
  fail(lease: SyncLease, error: { code: string; detail: string }, retryAt: Date, now: Date): Promise<void>;
  countDue(now: Date): Promise<number>;
}

function toSpaceExport(row: ExportSpacesTable): SpaceExport {
  return {
    installationId: row.installation_id,
    spaceKey: row.space_key,
    spaceId: row.space_id,
    enabled: row.enabled === 1,
    includeRestricted: row.include_restricted === 1,
    mode: row.mode as SyncMode,
    dueAt: row.due_at,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    checkpoint: row.checkpoint_json === null ? null : (JSON.parse(row.checkpoint_json) as SyncCheckpoint),
    runningSince: row.running_since,
    attempts: row.attempts,
    lastError:
      row.last_error_code === null
        ? null
        : { code: row.last_error_code, detail: row.last_error_detail ?? '', at: row.last_error_at ?? '' },
    lastFullSyncAt: row.last_full_sync_at,
    lastSyncAt: row.last_sync_at,
  };
}

export function createSyncRepository(db: Kysely<Tables>): SyncRepository {
  const where = (target: MirrorTarget) => (query: ReturnType<typeof update>) =>
    query.where('installation_id', '=', target.installationId).where('space_key', '=', target.spaceKey);
  const update = () => db.updateTable('export_spaces');

  async function get(target: MirrorTarget) {
    const row = await db
      .selectFrom('export_spaces')
      .selectAll()
      .where('installation_id', '=', target.installationId)
      .where('space_key', '=', target.spaceKey)
      .executeTakeFirst();
    return row === undefined ? null : toSpaceExport(row);
  }

  const heldBy = (lease: SyncLease) => where(lease.space)(update()).where('lease_owner', '=', lease.owner);

  return {
    get,

    async findBySpaceId(installationId, spaceId) {
      const row = await db
        .selectFrom('export_spaces')
        .selectAll()
        .where('installation_id', '=', installationId)
        .where('space_id', '=', spaceId)
        .executeTakeFirst();
      return row === undefined ? null : toSpaceExport(row);
    },

    async configure(target, settings, now) {
      const at = now.toISOString();
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('export_spaces')
          .selectAll()
          .where('installation_id', '=', target.installationId)
          .where('space_key', '=', target.spaceKey)
          .executeTakeFirst();
        const previous = row === undefined ? null : toSpaceExport(row);
        const turningOn = settings.enabled && previous?.enabled !== true;
        const values = {
          enabled: settings.enabled ? 1 : 0,
          include_restricted: settings.includeRestricted ? 1 : 0,
          // Turning export on starts with a backfill; turning it off leaves nothing due.
          ...(turningOn ? { mode: 'full', due_at: at } : {}),
          ...(settings.enabled ? {} : { due_at: null }),
          ...(settings.spaceId === null ? {} : { space_id: settings.spaceId }),
          updated_at: at,
        };
        if (row === undefined) {
          await trx
            .insertInto('export_spaces')
            .values({
              installation_id: target.installationId,
              space_key: target.spaceKey,
              space_id: settings.spaceId,
              mode: 'full',
              due_at: null,
              lease_owner: null,
              lease_expires_at: null,
              checkpoint_json: null,
              running_since: null,
              attempts: 0,
              last_error_code: null,
              last_error_detail: null,
              last_error_at: null,
              last_full_sync_at: null,
              last_sync_at: null,
              next_seq: 1,
              ...values,
            })
            .execute();
        } else {
          await trx
            .updateTable('export_spaces')
            .set(values)
            .where('installation_id', '=', target.installationId)
            .where('space_key', '=', target.spaceKey)
            .execute();
        }
        return previous;
      });
    },

    async request(target, now) {
      const at = now.toISOString();
      const result = await where(target)(update())
        .set({ due_at: at, updated_at: at })
        .where('enabled', '=', 1)
        // While a sync runs, asking again makes another one due after it: the running one may be past the change.
        .where((eb) =>
          eb.or([eb('due_at', 'is', null), eb('due_at', '>', at), eb('lease_owner', 'is not', null)]),
        )
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0) return true;
      return (await get(target))?.enabled === true;
    },

    async claim(owner, now, leaseMs) {
      const at = now.toISOString();
      for (let attempt = 0; attempt < 5; attempt++) {
        const candidate = await db
          .selectFrom('export_spaces')
          .selectAll()
          .where('enabled', '=', 1)
          .where('due_at', '<=', at)
          .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_expires_at', '<', at)]))
          .orderBy('due_at')
          .limit(1)
          .executeTakeFirst();
        if (candidate === undefined) return null;
        const expiresAt = new Date(now.getTime() + leaseMs).toISOString();
        // Taken only if nobody took it since the read: the lease columns are the compare-and-set.
        let take = db
          .updateTable('export_spaces')
          .set({
            lease_owner: owner,
            lease_expires_at: expiresAt,
            running_since: candidate.running_since ?? at,
          })
          .where('installation_id', '=', candidate.installation_id)
          .where('space_key', '=', candidate.space_key);
        take =
          candidate.lease_owner === null
            ? take.where('lease_owner', 'is', null)
            : take
                .where('lease_owner', '=', candidate.lease_owner)
                .where('lease_expires_at', '=', candidate.lease_expires_at);
        const result = await take.executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) {
          return {
            owner,
            space: toSpaceExport({
              ...candidate,
              lease_owner: owner,
              lease_expires_at: expiresAt,
              running_since: candidate.running_since ?? at,
            }),
          };
        }
      }
      return null;
    },

    async checkpoint(lease, checkpoint, now, leaseMs) {
      const result = await heldBy(lease)
        .set({
          checkpoint_json: JSON.stringify(checkpoint),
          lease_expires_at: new Date(now.getTime() + leaseMs).toISOString(),
        })
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async setSpaceId(target, spaceId) {
      await where(target)(update()).set({ space_id: spaceId }).execute();
    },

    async finish(lease, { now, nextDueAt, full }) {
      const at = now.toISOString();
      // A sync asked for while this one ran (due_at moved past the claim) stays due.
      const row = await get(lease.space);
      const askedMeanwhile =
        row?.dueAt !== null && row?.dueAt !== undefined && row.dueAt > (lease.space.dueAt ?? '');
      await heldBy(lease)
        .set({
          lease_owner: null,
          lease_expires_at: null,
          checkpoint_json: null,
          running_since: null,
          attempts: 0,
          last_error_code: null,
          last_error_detail: null,
          last_error_at: null,
          last_sync_at: at,
          mode: 'incremental',
          ...(full ? { last_full_sync_at: at } : {}),
          due_at: row?.enabled === false ? null : askedMeanwhile ? row!.dueAt : nextDueAt.toISOString(),
        })
        .execute();
    },

    async fail(lease, error, retryAt, now) {
      await heldBy(lease)
        .set({
          lease_owner: null,
          lease_expires_at: null,
          attempts: lease.space.attempts + 1,
          last_error_code: error.code,
          last_error_detail: error.detail,
          last_error_at: now.toISOString(),
          due_at: retryAt.toISOString(),
        })
        .execute();
    },

    async countDue(now) {
      const row = await db
        .selectFrom('export_spaces')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('enabled', '=', 1)
        .where('due_at', '<=', now.toISOString())
        .executeTakeFirst();
      return Number(row?.count ?? 0);
    },
  };
}
