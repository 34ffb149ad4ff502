import type { Kysely } from 'kysely';
import type { Tables } from '../../store/schema';
import type { HumanEdit } from './queue-repository';

/** What the backend remembers about one published page. */
export interface PageIdentity {
  installationId: string;
  spaceKey: string;
  externalId: string;
  pageId: string;
  spaceId: string;
  title: string;
  /** The version Pagewire's last write created: anything else on the page means someone else wrote. */
  lastVersion: number;
  lastHash: string;
  labels: string[];
  lastJobId: string;
  updatedAt: string;
  /** The parent Pagewire last put the page under; null when not known. */
  parentId: string | null;
  /** A person's edit a Confluence event reported since Pagewire's last write (read only: `markHumanEdit` sets it, `save` clears it). */
  humanEdit?: HumanEdit | null;
}

/** A page the homepage index does not name yet (or names an older page for). */
export interface UnindexedPage {
  installationId: string;
  spaceKey: string;
  externalId: string;
  pageId: string;
}

export interface PageIdentityRepository {
  find(installationId: string, spaceKey: string, externalId: string): Promise<PageIdentity | null>;
  /** Saves what Pagewire wrote; whether the index names the page is the indexer's (markIndexed). */
  save(identity: PageIdentity): Promise<void>;
  /** Records whose page the space's homepage index does not name yet, oldest first. */
  listUnindexed(limit: number): Promise<UnindexedPage[]>;
  /** The index now names these pages (a record whose page changed since stays unindexed). */
  markIndexed(pages: readonly UnindexedPage[]): Promise<void>;
  forget(installationId: string, spaceKey: string, externalId: string): Promise<void>;
  /**
   * Marks the managed page with this id as edited by a person, when the edit
   * is newer than Pagewire's last write.
   * Resolves to whether a managed page was marked.
   */
  markHumanEdit(installationId: string, pageId: string, edit: HumanEdit): Promise<boolean>;
}

export function createPageIdentityRepository(db: Kysely<Tables>): PageIdentityRepository {
  return {
    ...identityRows(db),
    ...indexRows(db),
  };
}

/** externalId ↔ pageId and what Pagewire last wrote there. */
function identityRows(db: Kysely<Tables>): Pick<PageIdentityRepository, 'find' | 'save' | 'forget'> {
  return {
    async find(installationId, spaceKey, externalId) {
      const row = await db
        .selectFrom('publish_pages')
        .selectAll()
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('external_id', '=', externalId)
        .executeTakeFirst();
      if (row === undefined) return null;
      return {
        installationId: row.installation_id,
        spaceKey: row.space_key,
        externalId: row.external_id,
        pageId: row.page_id,
        spaceId: row.space_id,
        title: row.title,
        lastVersion: Number(row.last_version),
        lastHash: row.last_hash,
        labels: JSON.parse(row.labels_json) as string[],
        lastJobId: row.last_job_id,
        updatedAt: row.updated_at,
        parentId: row.parent_id ?? null,
        humanEdit: row.human_edit_json === null ? null : (JSON.parse(row.human_edit_json) as HumanEdit),
      };
    },

    async save(identity) {
      const values = {
        page_id: identity.pageId,
        space_id: identity.spaceId,
        title: identity.title,
        last_version: identity.lastVersion,
        last_hash: identity.lastHash,
        labels_json: JSON.stringify([...new Set(identity.labels)].sort()),
        last_job_id: identity.lastJobId,
        updated_at: identity.updatedAt,
        parent_id: identity.parentId,
        // Pagewire's own write: whatever a person did before it is now behind it.
        human_edit_json: null,
      };
      await db
        .insertInto('publish_pages')
        .values({
          installation_id: identity.installationId,
          space_key: identity.spaceKey,
          external_id: identity.externalId,
          ...values,
        })
        .onConflict((conflict) =>
          conflict.columns(['installation_id', 'space_key', 'external_id']).doUpdateSet(values),
        )
        .execute();
    },

    async forget(installationId, spaceKey, externalId) {
      await db
        .deleteFrom('publish_pages')
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('external_id', '=', externalId)
        .execute();
    },
  };
}

/** The homepage index: pages whose entry is not yet written, and marking them written. */
function indexRows(
  db: Kysely<Tables>,
): Pick<PageIdentityRepository, 'listUnindexed' | 'markIndexed' | 'markHumanEdit'> {
  return {
    async listUnindexed(limit) {
      const rows = await db
        .selectFrom('publish_pages')
        .select(['installation_id', 'space_key', 'external_id', 'page_id'])
        .where((eb) =>
          eb.or([eb('indexed_page_id', 'is', null), eb('indexed_page_id', '!=', eb.ref('page_id'))]),
        )
        .orderBy('updated_at')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        installationId: row.installation_id,
        spaceKey: row.space_key,
        externalId: row.external_id,
        pageId: row.page_id,
      }));
    },

    async markIndexed(pages) {
      if (pages.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (const page of pages) {
          await trx
            .updateTable('publish_pages')
            .set({ indexed_page_id: page.pageId })
            .where('installation_id', '=', page.installationId)
            .where('space_key', '=', page.spaceKey)
            .where('external_id', '=', page.externalId)
            .where('page_id', '=', page.pageId)
            .execute();
        }
      });
    },

    async markHumanEdit(installationId, pageId, edit) {
      const result = await db
        .updateTable('publish_pages')
        .set({ human_edit_json: JSON.stringify(edit) })
        .where('installation_id', '=', installationId)
        .where('page_id', '=', pageId)
        .where('last_version', '<', edit.version)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}
