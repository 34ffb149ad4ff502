import type { Kysely } from 'kysely';
import type { NamedMigration } from '../../store/migrations';

/**
 * `GET /ingest/v1/jobs` lists one space's page jobs newest first; without this
 * index that is a scan of every installation's jobs.
 */
export const automationMigrations: readonly NamedMigration[] = [
  {
    name: '0130-publish-jobs-by-space',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createIndex('publish_jobs_space_id')
          .on('publish_jobs')
          .columns(['installation_id', 'space_key', 'id'])
          .execute();
      },
    },
  },
];
