import type { Kysely } from 'kysely';
import type { Tables } from '../../store/schema';
import type { QueueRepository } from './queue-types';

/** What the metrics, the settings page and housekeeping read about the queue. */
export function createQueueInspection(
  db: Kysely<Tables>,
): Pick<
  QueueRepository,
  'listDeadLetters' | 'pruneFinishedJobs' | 'countJobsByState' | 'countWorkByState' | 'oldestDueAt'
> {
  async function countByState(table: 'publish_jobs' | 'publish_work'): Promise<Record<string, number>> {
    const rows = await db
      .selectFrom(table)
      .select(['state', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('state')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
  }

  return {
    async listDeadLetters(installationId, spaceKey) {
      const rows = await db
        .selectFrom('publish_work')
        .selectAll()
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('state', '=', 'dead')
        .orderBy('updated_at', 'desc')
        .execute();
      return rows.map((row) => ({
        workId: row.id,
        installationId: row.installation_id,
        spaceKey: row.space_key,
        targetKey: row.target_key,
        latestJobId: row.latest_job_id,
        reason: row.last_error ?? 'unknown',
        updatedAt: row.updated_at,
      }));
    },

    async pruneFinishedJobs(before) {
      const result = await db
        .deleteFrom('publish_jobs')
        .where('finished_at', 'is not', null)
        .where('finished_at', '<', before.toISOString())
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    countJobsByState: () => countByState('publish_jobs'),
    countWorkByState: () => countByState('publish_work'),

    async oldestDueAt(now) {
      const row = await db
        .selectFrom('publish_work')
        .select((eb) => eb.fn.min('available_at').as('oldest'))
        .where('state', '=', 'ready')
        .where('available_at', '<=', now.toISOString())
        .executeTakeFirst();
      return (row?.oldest as string | null | undefined) ?? null;
    },
  };
}
