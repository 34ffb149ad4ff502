import type { AdfDocument, ExportPageStatus } from '@pagewire/shared';
import { type Kysely, sql, type Transaction } from 'kysely';
import { hashAdf } from '../../adf/canonical-adf';
import type { ExportPagesTable, Tables } from '../../store/schema';
import type { MirroredPage, MirrorTarget, ObservedPage } from '../page-mirror';

/** How long a tombstone stays in the feed (docs/EXPORT.md). */
export const TOMBSTONE_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** What the sync compares a listing with, for every row of a space. */
export interface MirrorEntry {
  pageId: string;
  status: ExportPageStatus;
  version: number;
  title: string;
  parentId: string | null;
  ownRestricted: boolean;
  restricted: boolean;
  path: readonly string[];
  seenRun: string | null;
  readRun: string | null;
}

export interface MirrorUpdate {
  before: MirroredPage | null;
  after: MirroredPage;
}

export interface FeedQuery {
  /** Only changes after this position (from a cursor). */
  afterSeq: number | null;
  /** Only changes recorded at or after this time. */
  since: string | null;
  limit: number;
}

export interface MirrorRepository {
  get(target: MirrorTarget, pageId: string): Promise<MirroredPage | null>;
  entries(target: MirrorTarget): Promise<Map<string, MirrorEntry>>;
  /**
   * Upserts what a read saw. An older version than the mirror's is ignored
   * (the mirror never goes back); the same state only marks the row read.
   * Resolves to the change, or null when nothing a consumer sees changed.
   */
  upsert(
    target: MirrorTarget,
    page: ObservedPage,
    options: { now: Date; runId: string | null },
  ): Promise<MirrorUpdate | null>;
  /** Notes that a listing of run `runId` showed these pages. */
  markSeen(target: MirrorTarget, pageIds: readonly string[], runId: string): Promise<void>;
  /** The page is gone from Confluence (purged, or no longer readable by the app). */
  tombstone(target: MirrorTarget, pageId: string, now: Date): Promise<MirrorUpdate | null>;
  /** Sets derived fields (path, inherited restriction) where they changed; each such row is a change. */
  setDerived(
    target: MirrorTarget,
    derived: ReadonlyMap<string, { path: readonly string[]; restricted: boolean }>,
    now: Date,
  ): Promise<number>;
  /** Re-announces every restricted row (the admin changed `includeRestricted`: they appear or disappear). */
  touchRestricted(target: MirrorTarget, now: Date): Promise<number>;
  feed(target: MirrorTarget, query: FeedQuery): Promise<MirroredPage[]>;
  countLive(target: MirrorTarget): Promise<number>;
  body(target: MirrorTarget, pageId: string, version: number): Promise<AdfDocument | null>;
  putBody(target: MirrorTarget, pageId: string, version: number, body: AdfDocument): Promise<void>;
  /** Deletes tombstones older than `before` and their bodies; resolves to how many. */
  pruneTombstones(before: Date): Promise<number>;
}

function toMirroredPage(row: ExportPagesTable): MirroredPage {
  return {
    installationId: row.installation_id,
    spaceKey: row.space_key,
    pageId: row.page_id,
    title: row.title,
    status: row.status as ExportPageStatus,
    version: row.version,
    parentId: row.parent_id,
    path: JSON.parse(row.path_json) as string[],
    labels: JSON.parse(row.labels_json) as string[],
    checksum: row.checksum,
    url: row.web_url,
    updatedAt: row.updated_at,
    changedAt: row.changed_at,
    changeSeq: row.change_seq,
    ownRestricted: row.own_restricted === 1,
    restricted: row.restricted === 1,
    deletedAt: row.deleted_at,
  };
}

/**
 * Hands out `count` change positions of the space. The UPDATE takes the
 * space row's lock until the transaction commits, so on PostgreSQL writers of
 * one space commit in the order of their positions, and a consumer that read
 * up to position n never later finds a smaller one appear behind it.
 */
async function allocateSeq(trx: Transaction<Tables>, target: MirrorTarget, count: number) {
  const row = await trx
    .updateTable('export_spaces')
    .set({ next_seq: sql`next_seq + ${count}` })
    .where('installation_id', '=', target.installationId)
    .where('space_key', '=', target.spaceKey)
    .returning('next_seq')
    .executeTakeFirst();
  if (row === undefined) throw new Error(`export is not set up for space ${target.spaceKey}`);
  return Number(row.next_seq) - count;
}

const sortedLabels = (labels: readonly string[]) => [...new Set(labels)].sort();

/** Whether a consumer would see a difference between the stored row and the new state. */
function differs(row: ExportPagesTable, next: Omit<ExportPagesTable, 'change_seq' | 'changed_at'>): boolean {
  return (
    row.title !== next.title ||
    row.status !== next.status ||
    row.version !== next.version ||
    row.parent_id !== next.parent_id ||
    row.labels_json !== next.labels_json ||
    row.checksum !== next.checksum ||
    row.own_restricted !== next.own_restricted ||
    row.web_url !== next.web_url
  );
}

export function createMirrorRepository(db: Kysely<Tables>): MirrorRepository {
  const inSpace = (target: MirrorTarget) =>
    db
      .selectFrom('export_pages')
      .where('installation_id', '=', target.installationId)
      .where('space_key', '=', target.spaceKey);

  async function findRow(executor: Kysely<Tables>, target: MirrorTarget, pageId: string) {
    return executor
      .selectFrom('export_pages')
      .selectAll()
      .where('installation_id', '=', target.installationId)
      .where('space_key', '=', target.spaceKey)
      .where('page_id', '=', pageId)
      .executeTakeFirst();
  }

  async function putBodyWith(
    executor: Kysely<Tables>,
    target: MirrorTarget,
    pageId: string,
    version: number,
    body: AdfDocument,
  ) {
    // Older versions are never served again: the body of the current one is all a consumer reads.
    await executor
      .deleteFrom('export_page_bodies')
      .where('installation_id', '=', target.installationId)
      .where('space_key', '=', target.spaceKey)
      .where('page_id', '=', pageId)
      .where('version', '<', version)
      .execute();
    await executor
      .insertInto('export_page_bodies')
      .values({
        installation_id: target.installationId,
        space_key: target.spaceKey,
        page_id: pageId,
        version,
        adf_json: JSON.stringify(body),
      })
      .onConflict((conflict) =>
        conflict.columns(['installation_id', 'space_key', 'page_id', 'version']).doNothing(),
      )
      .execute();
  }

  async function entries(target: MirrorTarget): Promise<Map<string, MirrorEntry>> {
    const rows = await inSpace(target)
      .select([
        'page_id',
        'status',
        'version',
        'title',
        'parent_id',
        'own_restricted',
        'restricted',
        'path_json',
        'seen_run',
        'read_run',
      ])
      .execute();
    return new Map(
      rows.map((row) => [
        row.page_id,
        {
          pageId: row.page_id,
          status: row.status as ExportPageStatus,
          version: row.version,
          title: row.title,
          parentId: row.parent_id,
          ownRestricted: row.own_restricted === 1,
          restricted: row.restricted === 1,
          path: JSON.parse(row.path_json) as string[],
          seenRun: row.seen_run,
          readRun: row.read_run,
        },
      ]),
    );
  }

  return {
    entries,

    async get(target, pageId) {
      const row = await findRow(db, target, pageId);
      return row === undefined ? null : toMirroredPage(row);
    },

    async upsert(target, page, { now, runId }) {
      return db.transaction().execute(async (trx) => {
        const existing = await findRow(trx, target, page.pageId);
        // Never go back: a read that raced a newer one (an event and a reconcile) loses.
        if (existing !== undefined && existing.status !== 'deleted' && existing.version > page.version) {
          return null;
        }
        const sameVersion = existing !== undefined && existing.version === page.version;
        const checksum = page.body !== null ? hashAdf(page.body) : sameVersion ? existing.checksum : '';
        const next = {
          installation_id: target.installationId,
          space_key: target.spaceKey,
          page_id: page.pageId,
          title: page.title,
          status: page.status,
          version: page.version,
          parent_id: page.parentId,
          path_json: existing?.path_json ?? '[]',
          labels_json: JSON.stringify(sortedLabels(page.labels)),
          checksum,
          web_url: page.url,
          updated_at: page.updatedAt,
          own_restricted: page.ownRestricted ? 1 : 0,
          // Inherited restrictions are derived after the listing (setDerived); until then the page's own decides.
          restricted: existing === undefined ? (page.ownRestricted ? 1 : 0) : existing.restricted,
          seen_run: runId ?? existing?.seen_run ?? null,
          read_run: runId ?? existing?.read_run ?? null,
          deleted_at: null,
        };
        if (page.body !== null) await putBodyWith(trx, target, page.pageId, page.version, page.body);
        if (existing !== undefined && !differs(existing, next)) {
          if (runId !== null) {
            await trx
              .updateTable('export_pages')
              .set({ seen_run: runId, read_run: runId })
              .where('installation_id', '=', target.installationId)
              .where('space_key', '=', target.spaceKey)
              .where('page_id', '=', page.pageId)
              .execute();
          }
          return null;
        }
        const seq = await allocateSeq(trx, target, 1);
        const row = { ...next, changed_at: now.toISOString(), change_seq: seq };
        if (existing === undefined) {
          await trx.insertInto('export_pages').values(row).execute();
        } else {
          await trx
            .updateTable('export_pages')
            .set(row)
            .where('installation_id', '=', target.installationId)
            .where('space_key', '=', target.spaceKey)
            .where('page_id', '=', page.pageId)
            .execute();
        }
        return {
          before: existing === undefined ? null : toMirroredPage(existing),
          after: toMirroredPage(row),
        };
      });
    },

    async markSeen(target, pageIds, runId) {
      for (let start = 0; start < pageIds.length; start += 500) {
        await db
          .updateTable('export_pages')
          .set({ seen_run: runId })
          .where('installation_id', '=', target.installationId)
          .where('space_key', '=', target.spaceKey)
          .where('page_id', 'in', pageIds.slice(start, start + 500))
          .execute();
      }
    },

    async tombstone(target, pageId, now) {
      return db.transaction().execute(async (trx) => {
        const existing = await findRow(trx, target, pageId);
        if (existing === undefined || existing.status === 'deleted') return null;
        const seq = await allocateSeq(trx, target, 1);
        const at = now.toISOString();
        const row = {
          ...existing,
          status: 'deleted',
          updated_at: at,
          changed_at: at,
          change_seq: seq,
          deleted_at: at,
        };
        await trx
          .updateTable('export_pages')
          .set({ status: 'deleted', updated_at: at, changed_at: at, change_seq: seq, deleted_at: at })
          .where('installation_id', '=', target.installationId)
          .where('space_key', '=', target.spaceKey)
          .where('page_id', '=', pageId)
          .execute();
        await trx
          .deleteFrom('export_page_bodies')
          .where('installation_id', '=', target.installationId)
          .where('space_key', '=', target.spaceKey)
          .where('page_id', '=', pageId)
          .execute();
        return { before: toMirroredPage(existing), after: toMirroredPage(row) };
      });
    },

    async setDerived(target, derived, now) {
      const current = await entries(target);
      const changed = [...derived].filter(([pageId, value]) => {
        const entry = current.get(pageId);
        return (
          entry !== undefined &&
          entry.status !== 'deleted' &&
          (entry.restricted !== value.restricted || JSON.stringify(entry.path) !== JSON.stringify(value.path))
        );
      });
      if (changed.length === 0) return 0;
      await db.transaction().execute(async (trx) => {
        let seq = await allocateSeq(trx, target, changed.length);
        for (const [pageId, value] of changed) {
          await trx
            .updateTable('export_pages')
            .set({
              path_json: JSON.stringify(value.path),
              restricted: value.restricted ? 1 : 0,
              changed_at: now.toISOString(),
              change_seq: seq++,
            })
            .where('installation_id', '=', target.installationId)
            .where('space_key', '=', target.spaceKey)
            .where('page_id', '=', pageId)
            .execute();
        }
      });
      return changed.length;
    },

    async touchRestricted(target, now) {
      const rows = await inSpace(target)
        .select('page_id')
        .where('restricted', '=', 1)
        .where('status', '!=', 'deleted')
        .orderBy('change_seq')
        .execute();
      if (rows.length === 0) return 0;
      await db.transaction().execute(async (trx) => {
        let seq = await allocateSeq(trx, target, rows.length);
        for (const row of rows) {
          await trx
            .updateTable('export_pages')
            .set({ changed_at: now.toISOString(), change_seq: seq++ })
            .where('installation_id', '=', target.installationId)
            .where('space_key', '=', target.spaceKey)
            .where('page_id', '=', row.page_id)
            .execute();
        }
      });
      return rows.length;
    },

    async feed(target, query) {
      let select = inSpace(target).selectAll();
      if (query.afterSeq !== null) select = select.where('change_seq', '>', query.afterSeq);
      if (query.since !== null) select = select.where('changed_at', '>=', query.since);
      const rows = await select.orderBy('change_seq').limit(query.limit).execute();
      return rows.map(toMirroredPage);
    },

    async countLive(target) {
      const row = await inSpace(target)
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('status', '!=', 'deleted')
        .executeTakeFirst();
      return Number(row?.count ?? 0);
    },

    async body(target, pageId, version) {
      const row = await db
        .selectFrom('export_page_bodies')
        .select('adf_json')
        .where('installation_id', '=', target.installationId)
        .where('space_key', '=', target.spaceKey)
        .where('page_id', '=', pageId)
        .where('version', '=', version)
        .executeTakeFirst();
      return row === undefined ? null : (JSON.parse(row.adf_json) as AdfDocument);
    },

    async putBody(target, pageId, version, body) {
      await putBodyWith(db, target, pageId, version, body);
    },

    async pruneTombstones(before) {
      const result = await db
        .deleteFrom('export_pages')
        .where('status', '=', 'deleted')
        .where('deleted_at', '<', before.toISOString())
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
