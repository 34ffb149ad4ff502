import type { Kysely } from 'kysely';
import type { Tables } from '../../store/schema';

/*
 * "Stop managing" (pages.release): the pages a space admin took back from
 * Pagewire, read by the Pages tab, the page notice, the ingest route (which
 * refuses the source's pushes) and the worker (which fails jobs queued before).
 */

/** Whether a space admin released this external id: its source's pushes are then refused with `page_released`. */
export async function findRelease(
  db: Kysely<Tables>,
  installationId: string,
  spaceKey: string,
  externalId: string,
) {
  return db
    .selectFrom('publish_page_releases')
    .selectAll()
    .where('installation_id', '=', installationId)
    .where('space_key', '=', spaceKey)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

export function listReleases(db: Kysely<Tables>, installationId: string, spaceKey: string) {
  return db
    .selectFrom('publish_page_releases')
    .selectAll()
    .where('installation_id', '=', installationId)
    .where('space_key', '=', spaceKey)
    .orderBy('title')
    .limit(500)
    .execute();
}
