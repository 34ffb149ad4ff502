import { type PageIngestBody, type PageOrigin, pageIngestBodySchema } from '@pagewire/shared';
import type { Kysely } from 'kysely';
import type { PageOriginsTable, Tables } from '../../store/schema';
import { ACTIVE_JOB_STATES } from './queue-rows';

/** Where a page stands, for a page that names it as its parent or links to it. */
export type PageStanding =
  /** Pagewire wrote it: this is its Confluence page. */
  | { state: 'written'; pageId: string }
  /** Not written yet, but a job to publish it is queued or running. */
  | { state: 'pending' }
  /** Neither written nor on its way. */
  | { state: 'missing' };

export interface OriginRecord {
  installationId: string;
  spaceKey: string;
  externalId: string;
  origin: PageOrigin;
  title: string;
  parentExternalId: string | null;
  jobId: string;
  at: string;
}

export interface PageTreeRepository {
  standing(installationId: string, spaceKey: string, externalId: string): Promise<PageStanding>;
  /** Records (or moves) a page's origin when its publish is accepted; it is `current` again. */
  recordOrigin(record: OriginRecord): Promise<void>;
  findOrigin(installationId: string, spaceKey: string, externalId: string): Promise<PageOriginsTable | null>;
  /** One page of a tree's rows, in external-id order, after `cursor` (an external id). */
  listTree(
    installationId: string,
    spaceKey: string,
    tree: string,
    cursor: string | null,
    limit: number,
  ): Promise<PageOriginsTable[]>;
  /** The archive job finished: the page is `archived` in its tree. */
  markArchived(
    installationId: string,
    spaceKey: string,
    externalId: string,
    jobId: string,
    at: string,
  ): Promise<void>;
  /** Replaces the links from `source` to pages that are not written yet. */
  replacePendingLinks(
    installationId: string,
    spaceKey: string,
    source: string,
    targets: readonly string[],
    at: string,
  ): Promise<void>;
  /** The pages that link to `target` while it was not written yet. */
  linkingPages(installationId: string, spaceKey: string, target: string): Promise<string[]>;
  /** External ids of Pagewire's pages directly under this Confluence page that are not archived. */
  childrenOf(installationId: string, spaceKey: string, pageId: string): Promise<string[]>;
  /** The newest publish (not archive, not dry run) accepted for the page: what a re-publish sends again. */
  lastPublishRequest(
    installationId: string,
    spaceKey: string,
    externalId: string,
  ): Promise<{ request: PageIngestBody; source: string } | null>;
}

export function createPageTreeRepository(db: Kysely<Tables>): PageTreeRepository {
  return { ...lookupRows(db), ...originRows(db), ...linkRows(db) };
}

/** Where other pages stand: written, on their way, under a page, last asked for. */
function lookupRows(
  db: Kysely<Tables>,
): Pick<PageTreeRepository, 'standing' | 'childrenOf' | 'lastPublishRequest'> {
  return {
    async standing(installationId, spaceKey, externalId) {
      const page = await db
        .selectFrom('publish_pages')
        .select('page_id')
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('external_id', '=', externalId)
        .executeTakeFirst();
      if (page !== undefined) return { state: 'written', pageId: page.page_id };
      const job = await db
        .selectFrom('publish_jobs')
        .select('id')
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('external_id', '=', externalId)
        .where('kind', '=', 'page')
        .where('dry_run', '=', 0)
        .where('state', 'in', ACTIVE_JOB_STATES)
        .limit(1)
        .executeTakeFirst();
      return job === undefined ? { state: 'missing' } : { state: 'pending' };
    },

    async childrenOf(installationId, spaceKey, pageId) {
      const rows = await db
        .selectFrom('publish_pages')
        .leftJoin('page_origins', (join) =>
          join
            .onRef('page_origins.installation_id', '=', 'publish_pages.installation_id')
            .onRef('page_origins.space_key', '=', 'publish_pages.space_key')
            .onRef('page_origins.external_id', '=', 'publish_pages.external_id'),
        )
        .select('publish_pages.external_id')
        .where('publish_pages.installation_id', '=', installationId)
        .where('publish_pages.space_key', '=', spaceKey)
        .where('publish_pages.parent_id', '=', pageId)
        .where((eb) =>
          eb.or([eb('page_origins.status', 'is', null), eb('page_origins.status', '!=', 'archived')]),
        )
        .orderBy('publish_pages.external_id')
        .execute();
      return rows.map((row) => row.external_id);
    },

    async lastPublishRequest(installationId, spaceKey, externalId) {
      const rows = await db
        .selectFrom('publish_jobs')
        .select(['request_json', 'source'])
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('external_id', '=', externalId)
        .where('kind', '=', 'page')
        .where('dry_run', '=', 0)
        .orderBy('id', 'desc')
        .limit(10)
        .execute();
      for (const row of rows) {
        const parsed = pageIngestBodySchema.safeParse(JSON.parse(row.request_json));
        if (parsed.success) return { request: parsed.data, source: row.source };
      }
      return null;
    },
  };
}

/** Each page's origin in its tree, and the listing. */
function originRows(
  db: Kysely<Tables>,
): Pick<PageTreeRepository, 'recordOrigin' | 'findOrigin' | 'listTree' | 'markArchived'> {
  return {
    async recordOrigin(record) {
      const values = {
        tree: record.origin.tree,
        path: record.origin.path,
        source_hash: record.origin.sourceHash,
        title: record.title,
        parent_external_id: record.parentExternalId,
        status: 'current',
        last_job_id: record.jobId,
        updated_at: record.at,
      };
      await db
        .insertInto('page_origins')
        .values({
          installation_id: record.installationId,
          space_key: record.spaceKey,
          external_id: record.externalId,
          created_at: record.at,
          ...values,
        })
        .onConflict((conflict) =>
          conflict.columns(['installation_id', 'space_key', 'external_id']).doUpdateSet(values),
        )
        .execute();
    },

    async findOrigin(installationId, spaceKey, externalId) {
      const row = await db
        .selectFrom('page_origins')
        .selectAll()
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('external_id', '=', externalId)
        .executeTakeFirst();
      return row ?? null;
    },

    async listTree(installationId, spaceKey, tree, cursor, limit) {
      let select = db
        .selectFrom('page_origins')
        .selectAll()
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('tree', '=', tree);
      if (cursor !== null) select = select.where('external_id', '>', cursor);
      return select.orderBy('external_id').limit(limit).execute();
    },

    async markArchived(installationId, spaceKey, externalId, jobId, at) {
      await db
        .updateTable('page_origins')
        .set({ status: 'archived', last_job_id: jobId, updated_at: at })
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('external_id', '=', externalId)
        .execute();
    },
  };
}

/** Links to pages not written yet. */
function linkRows(db: Kysely<Tables>): Pick<PageTreeRepository, 'replacePendingLinks' | 'linkingPages'> {
  return {
    async replacePendingLinks(installationId, spaceKey, source, targets, at) {
      await db.transaction().execute(async (trx) => {
        await trx
          .deleteFrom('page_links')
          .where('installation_id', '=', installationId)
          .where('space_key', '=', spaceKey)
          .where('source_external_id', '=', source)
          .execute();
        const unique = [...new Set(targets)];
        if (unique.length === 0) return;
        await trx
          .insertInto('page_links')
          .values(
            unique.map((target) => ({
              installation_id: installationId,
              space_key: spaceKey,
              source_external_id: source,
              target_external_id: target,
              recorded_at: at,
            })),
          )
          .execute();
      });
    },

    async linkingPages(installationId, spaceKey, target) {
      const rows = await db
        .selectFrom('page_links')
        .select('source_external_id')
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('target_external_id', '=', target)
        .orderBy('source_external_id')
        .execute();
      return rows.map((row) => row.source_external_id);
    },
  };
}
