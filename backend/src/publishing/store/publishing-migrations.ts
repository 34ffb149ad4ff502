import type { Kysely } from 'kysely';
import type { NamedMigration } from '../../store/migrations';

/** The engine's tables that hold an installation's rows, emptied by the uninstall purge. */
export const PUBLISHING_TENANT_TABLES = [
  'publish_jobs',
  'publish_work',
  'publish_pages',
  'publish_snapshots',
] as const;

/**
 * The publishing engine's tables, appended after the core migrations (their
 * names sort after `00xx-…`). `main.ts` passes `[...coreMigrations,
 * ...publishingMigrations]` to the migrator.
 */
export const publishingMigrations: readonly NamedMigration[] = [
  {
    name: '0100-publishing-queue',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('publish_jobs')
          .addColumn('id', 'text', (column) => column.primaryKey())
          .addColumn('installation_id', 'text', (column) => column.notNull())
          .addColumn('space_key', 'text', (column) => column.notNull())
          .addColumn('source', 'text', (column) => column.notNull())
          .addColumn('kind', 'text', (column) => column.notNull())
          .addColumn('target_key', 'text', (column) => column.notNull())
          .addColumn('seq', 'integer', (column) => column.notNull())
          .addColumn('external_id', 'text')
          .addColumn('dry_run', 'integer', (column) => column.notNull())
          .addColumn('request_json', 'text', (column) => column.notNull())
          .addColumn('state', 'text', (column) => column.notNull())
          .addColumn('attempts', 'integer', (column) => column.notNull())
          .addColumn('claimed_by', 'text')
          .addColumn('page_id', 'text')
          .addColumn('version', 'integer')
          .addColumn('error_code', 'text')
          .addColumn('error_detail', 'text')
          .addColumn('plan_json', 'text')
          .addColumn('human_edit_json', 'text')
          .addColumn('warnings_json', 'text')
          .addColumn('superseded_by', 'text')
          .addColumn('created_at', 'text', (column) => column.notNull())
          .addColumn('updated_at', 'text', (column) => column.notNull())
          .addColumn('finished_at', 'text')
          .execute();
        // Finishing a drain marks every job of the target up to the written one.
        await db.schema
          .createIndex('publish_jobs_target_seq')
          .on('publish_jobs')
          .columns(['installation_id', 'target_key', 'seq'])
          .execute();
        // The metrics count jobs by state.
        await db.schema.createIndex('publish_jobs_state').on('publish_jobs').columns(['state']).execute();

        await db.schema
          .createTable('publish_work')
          .addColumn('id', 'text', (column) => column.primaryKey())
          .addColumn('installation_id', 'text', (column) => column.notNull())
          .addColumn('space_key', 'text', (column) => column.notNull())
          .addColumn('target_key', 'text', (column) => column.notNull())
          .addColumn('kind', 'text', (column) => column.notNull())
          .addColumn('latest_seq', 'integer', (column) => column.notNull())
          .addColumn('latest_job_id', 'text', (column) => column.notNull())
          .addColumn('state', 'text', (column) => column.notNull())
          .addColumn('available_at', 'text', (column) => column.notNull())
          .addColumn('lease_owner', 'text')
          .addColumn('lease_expires_at', 'text')
          .addColumn('leased_seq', 'integer')
          .addColumn('leased_job_id', 'text')
          .addColumn('attempts', 'integer', (column) => column.notNull())
          .addColumn('last_error', 'text')
          .addColumn('intent_json', 'text')
          .addColumn('created_at', 'text', (column) => column.notNull())
          .addColumn('updated_at', 'text', (column) => column.notNull())
          .addUniqueConstraint('publish_work_target', ['installation_id', 'target_key'])
          .execute();
        // What a worker scans when it looks for work.
        await db.schema
          .createIndex('publish_work_claimable')
          .on('publish_work')
          .columns(['state', 'available_at'])
          .execute();

        await db.schema
          .createTable('publish_pages')
          .addColumn('installation_id', 'text', (column) => column.notNull())
          .addColumn('space_key', 'text', (column) => column.notNull())
          .addColumn('external_id', 'text', (column) => column.notNull())
          .addColumn('page_id', 'text', (column) => column.notNull())
          .addColumn('space_id', 'text', (column) => column.notNull())
          .addColumn('title', 'text', (column) => column.notNull())
          .addColumn('last_version', 'integer', (column) => column.notNull())
          .addColumn('last_hash', 'text', (column) => column.notNull())
          .addColumn('labels_json', 'text', (column) => column.notNull())
          .addColumn('last_job_id', 'text', (column) => column.notNull())
          .addColumn('updated_at', 'text', (column) => column.notNull())
          .addPrimaryKeyConstraint('publish_pages_pk', ['installation_id', 'space_key', 'external_id'])
          .execute();

        // Which block revision each macro's snapshot shows: lets a restarted
        // engine find block changes whose refresh a crash swallowed.
        await db.schema
          .createTable('publish_snapshots')
          .addColumn('installation_id', 'text', (column) => column.notNull())
          .addColumn('content_id', 'text', (column) => column.notNull())
          .addColumn('local_id', 'text', (column) => column.notNull())
          .addColumn('block_key', 'text', (column) => column.notNull())
          .addColumn('revision', 'integer', (column) => column.notNull())
          .addColumn('property_version', 'integer', (column) => column.notNull())
          .addColumn('written_at', 'text', (column) => column.notNull())
          .addPrimaryKeyConstraint('publish_snapshots_pk', ['installation_id', 'content_id', 'local_id'])
          .execute();
      },
    },
  },
  {
    // One Confluence request per update (issue 21): the fast path writes from
    // what the backend recorded, without reading the page or the property first.
    name: '0110-one-request-writes',
    migration: {
      async up(db: Kysely<unknown>) {
        // The parent Pagewire last put the page under: a move is sent only when it changes.
        await db.schema.alterTable('publish_pages').addColumn('parent_id', 'text').execute();
        // The page the homepage index is known to name for this external id;
        // the indexer writes the rows where it differs from page_id, in batches.
        await db.schema.alterTable('publish_pages').addColumn('indexed_page_id', 'text').execute();
        await db.schema
          .createIndex('publish_pages_unindexed')
          .on('publish_pages')
          .columns(['installation_id', 'space_key', 'indexed_page_id'])
          .execute();
        // The snapshot property's id (v2 addresses properties by id) and the
        // hash of the value written, so a refresh is one PUT of version + 1.
        await db.schema.alterTable('publish_snapshots').addColumn('property_id', 'text').execute();
        await db.schema.alterTable('publish_snapshots').addColumn('value_hash', 'text').execute();
      },
    },
  },
  {
    // Confluence's page events (the webhooks extension) mark a managed page a
    // person edited as soon as it happens, not at the next publish.
    name: '0120-human-edit-mark',
    migration: {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('publish_pages').addColumn('human_edit_json', 'text').execute();
      },
    },
  },
];
