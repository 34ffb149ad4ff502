import {
  type ActivityAction,
  type ActivityActor,
  type ActivityItem,
  type ActivityKind,
  type ActivityResult,
  exportActivityActions,
  publishingActivityActions,
} from '@pagewire/shared';
import type { Kysely } from 'kysely';
import type { Tables } from './schema';
import { createTimeOrderedIdGenerator } from './time-ordered-id';

export interface ActivityEntry {
  installationId: string;
  spaceKey: string;
  actor: ActivityActor;
  action: ActivityAction;
  result: ActivityResult;
  /** Human-readable and secret-free: it is shown to every reader of the space. */
  detail?: string | undefined;
  pageId?: string | undefined;
  version?: number | undefined;
  humanEdit?: { by: string; at: string } | undefined;
  at: Date;
}

export interface ActivityPage {
  items: ActivityItem[];
  /** The id of the last item when more may follow, else null. */
  nextCursor: string | null;
}

export interface ActivityFilter {
  kind?: ActivityKind | undefined;
  /** Only rows whose actor is this source. */
  source?: string | undefined;
}

export interface ActivityRepository {
  append(entry: ActivityEntry): Promise<ActivityItem>;
  /** Newest first; `before` is the cursor from the previous page. */
  list(
    installationId: string,
    spaceKey: string,
    page: { before?: string | undefined; limit: number; filter?: ActivityFilter | undefined },
  ): Promise<ActivityPage>;
}

export function createActivityRepository(
  db: Kysely<Tables>,
  nextId: () => string = createTimeOrderedIdGenerator(),
): ActivityRepository {
  return {
    async append(entry) {
      const item: ActivityItem = {
        id: nextId(),
        at: entry.at.toISOString(),
        actor: entry.actor,
        action: entry.action,
        result: entry.result,
        ...(entry.detail === undefined ? {} : { detail: entry.detail }),
        ...(entry.pageId === undefined ? {} : { pageId: entry.pageId }),
        ...(entry.version === undefined ? {} : { version: entry.version }),
        ...(entry.humanEdit === undefined ? {} : { humanEdit: entry.humanEdit }),
      };
      await db
        .insertInto('activity')
        .values({
          id: item.id,
          installation_id: entry.installationId,
          space_key: entry.spaceKey,
          at: item.at,
          actor_kind: entry.actor.kind,
          actor_id: entry.actor.id,
          action: entry.action,
          result: entry.result,
          detail: entry.detail ?? null,
          page_id: entry.pageId ?? null,
          version: entry.version ?? null,
          edited_by: entry.humanEdit?.by ?? null,
          edited_at: entry.humanEdit?.at ?? null,
        })
        .execute();
      return item;
    },

    async list(installationId, spaceKey, page) {
      let query = db
        .selectFrom('activity')
        .selectAll()
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey);
      if (page.before !== undefined) query = query.where('id', '<', page.before);
      const filter = page.filter ?? {};
      if (filter.kind === 'admin') query = query.where('actor_kind', '=', 'user');
      if (filter.kind === 'publishing') query = query.where('action', 'in', [...publishingActivityActions]);
      if (filter.kind === 'errors') query = query.where('result', 'in', ['failed', 'warning']);
      if (filter.kind === 'export') query = query.where('action', 'in', [...exportActivityActions]);
      if (filter.source !== undefined) {
        query = query.where('actor_kind', '=', 'source').where('actor_id', '=', filter.source);
      }
      // One extra row tells whether another page follows without a count query.
      const rows = await query
        .orderBy('id', 'desc')
        .limit(page.limit + 1)
        .execute();
      const items = rows.slice(0, page.limit).map(
        (row): ActivityItem => ({
          id: row.id,
          at: row.at,
          actor: { kind: row.actor_kind as ActivityActor['kind'], id: row.actor_id },
          action: row.action as ActivityAction,
          result: row.result as ActivityResult,
          ...(row.detail === null ? {} : { detail: row.detail }),
          ...(row.page_id === null ? {} : { pageId: row.page_id }),
          ...(row.version === null ? {} : { version: row.version }),
          ...(row.edited_by === null
            ? {}
            : { humanEdit: { by: row.edited_by, at: row.edited_at ?? row.at } }),
        }),
      );
      const nextCursor = rows.length > page.limit ? (items.at(-1)?.id ?? null) : null;
      return { items, nextCursor };
    },
  };
}
