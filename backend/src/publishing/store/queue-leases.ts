import { type Kysely, sql, type Updateable } from 'kysely';
import type { PublishWorkTable, Tables } from '../../store/schema';
import { toLease, toStoredJob, updateActiveJobs } from './queue-rows';
import type { Lease, QueueRepository } from './queue-types';

/** Taking work and holding it: claims, heartbeats, the recorded intent, and letting go of dead owners' leases. */
export function createLeaseOperations(
  db: Kysely<Tables>,
  dialect: 'sqlite' | 'postgres',
): Pick<QueueRepository, 'claim' | 'heartbeat' | 'recordIntent' | 'releaseLeases' | 'leaseOwners'> {
  /** Updates the work row while `lease` still holds it; false when the lease was lost. */
  async function updateHeldWork(lease: Lease, values: Updateable<PublishWorkTable>): Promise<boolean> {
    const result = await db
      .updateTable('publish_work')
      .set(values)
      .where('id', '=', lease.workId)
      .where('lease_owner', '=', lease.owner)
      .where('state', '=', 'leased')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  return {
    claim: (owner, now, leaseMs) => claimNextWork(db, dialect, owner, now, leaseMs),

    heartbeat: (lease, now, leaseMs) =>
      updateHeldWork(lease, { lease_expires_at: new Date(now.getTime() + leaseMs).toISOString() }),

    recordIntent: (lease, intent) =>
      updateHeldWork(lease, { intent_json: intent === null ? null : JSON.stringify(intent) }),

    async releaseLeases(owners, now) {
      if (owners.length === 0) return 0;
      const result = await db
        .updateTable('publish_work')
        .set({ lease_expires_at: new Date(now.getTime() - 1).toISOString() })
        .where('state', '=', 'leased')
        .where('lease_owner', 'in', [...owners])
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async leaseOwners() {
      const rows = await db
        .selectFrom('publish_work')
        .select('lease_owner')
        .distinct()
        .where('state', '=', 'leased')
        .execute();
      return rows.map((row) => row.lease_owner).filter((owner): owner is string => owner !== null);
    },
  };
}

/**
 * Takes the next due work item (or one whose holder's lease ran out) for
 * `owner`, marks its waiting jobs running and counts the attempt on the job
 * it will process: the newest one of the target.
 */
async function claimNextWork(
  db: Kysely<Tables>,
  dialect: 'sqlite' | 'postgres',
  owner: string,
  now: Date,
  leaseMs: number,
): Promise<Lease | null> {
  const at = now.toISOString();
  const expires = new Date(now.getTime() + leaseMs).toISOString();
  return db.transaction().execute(async (trx) => {
    let candidate = trx
      .selectFrom('publish_work')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'ready'), eb('available_at', '<=', at)]),
          eb.and([eb('state', '=', 'leased'), eb('lease_expires_at', '<', at)]),
        ]),
      )
      .orderBy('available_at')
      .orderBy('id')
      .limit(1);
    // Several replicas on PostgreSQL: each takes a different row without
    // waiting on the others' locks. SQLite has one writer at a time, so the
    // single UPDATE below is already atomic there.
    if (dialect === 'postgres') candidate = candidate.forUpdate().skipLocked();
    const work = await trx
      .updateTable('publish_work')
      .set({
        // A lease that ran out means its holder died mid-job: that counts as an attempt.
        attempts: sql<number>`case when state = 'leased' then attempts + 1 else attempts end`,
        last_error: sql<
          string | null
        >`case when state = 'leased' then 'the worker processing this stopped before finishing' else last_error end`,
        state: 'leased',
        lease_owner: owner,
        lease_expires_at: expires,
        leased_seq: sql<number>`latest_seq`,
        leased_job_id: sql<string>`latest_job_id`,
        updated_at: at,
      })
      .where('id', '=', candidate)
      .returningAll()
      .executeTakeFirst();
    if (work === undefined) return null;
    const seq = Number(work.leased_seq);
    await updateActiveJobs(
      trx,
      { installationId: work.installation_id, targetKey: work.target_key },
      '<=',
      seq,
      { state: 'running', updated_at: at },
    ).execute();
    const job = await trx
      .updateTable('publish_jobs')
      .set({ attempts: sql<number>`attempts + 1`, claimed_by: owner })
      .where('id', '=', work.leased_job_id!)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toLease(work, owner, toStoredJob(job));
  });
}
