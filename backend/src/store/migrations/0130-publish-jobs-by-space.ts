import type { Kysely } from 'kysely';

/**
 * `GET /ingest/v1/jobs` lists one space's page jobs newest first; without this
 * index that is a scan of every installation's jobs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('publish_jobs_space_id')
    .on('publish_jobs')
    .columns(['installation_id', 'space_key', 'id'])
    .execute();
}
