import { pageIngestBodySchema } from '@pagewire/shared';
import type { Kysely } from 'kysely';
import type { OperationHandlers } from '../http/operations';
import { spaceOf } from '../http/operations/operation-types';
import { ProblemError } from '../http/problem-error';
import type { ActivityRepository } from '../store/activity-repository';
import type { Tables } from '../store/schema';
import { type ConfluenceClientResolver, createPublishingConfluence } from './confluence-gateway';
import { PAGE_OWNERSHIP_PROPERTY_KEY, pageIndexPropertyKey } from './page-ownership';
import type { PublishingService } from './publishing-service';
import { findRelease, listReleases } from './store/page-release-repository';
import { type HumanEdit, type StoredJob, toStoredJob } from './store/queue-repository';

export interface PageManagementDeps {
  db: Kysely<Tables>;
  service: PublishingService;
  activity: ActivityRepository;
  /** Confluence access for "stop managing", which removes Pagewire's marker properties from the page. */
  clientFor: ConfluenceClientResolver;
  now: () => Date;
}

/**
 * The settings page's "Pages" tab: every page the space's sources publish,
 * with what happened to it last, and "overwrite with the source's version"
 * for a page a person edited (the source's last request again, with
 * `onHumanEdit: overwrite`, queued as that source's job).
 */
export function createPageManagementOperations(
  deps: PageManagementDeps,
): Pick<OperationHandlers, 'pages.list' | 'pages.overwrite' | 'pages.release' | 'pages.notice'> {
  async function latestJob(
    installationId: string,
    spaceKey: string,
    externalId: string,
  ): Promise<StoredJob | null> {
    const row = await deps.db
      .selectFrom('publish_jobs')
      .selectAll()
      .where('installation_id', '=', installationId)
      .where('target_key', '=', `page:${spaceKey}:${externalId}`)
      .where('dry_run', '=', 0)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? null : toStoredJob(row);
  }

  return {
    async 'pages.list'(call) {
      const installationId = call.invocation.installationId;
      const spaceKey = spaceOf(call.context);
      const rows = await deps.db
        .selectFrom('publish_pages')
        .selectAll()
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .orderBy('title')
        .limit(500)
        .execute();
      const pages = [];
      for (const row of rows) {
        const job = await latestJob(installationId, spaceKey, row.external_id);
        pages.push({
          externalId: row.external_id,
          pageId: row.page_id,
          title: row.title,
          version: Number(row.last_version),
          updatedAt: row.updated_at,
          releasedAt: null,
          lastJob:
            job === null
              ? null
              : {
                  id: job.id,
                  state: job.state,
                  source: job.source,
                  updatedAt: job.updatedAt,
                  // The job's own finding, else a person's edit a Confluence event reported since.
                  ...(job.humanEdit !== null
                    ? { humanEdit: job.humanEdit }
                    : row.human_edit_json !== null
                      ? { humanEdit: JSON.parse(row.human_edit_json) as HumanEdit }
                      : {}),
                },
        });
      }
      for (const released of await listReleases(deps.db, installationId, spaceKey)) {
        const job = await latestJob(installationId, spaceKey, released.external_id);
        pages.push({
          externalId: released.external_id,
          pageId: released.page_id,
          title: released.title,
          version: job?.version ?? 0,
          updatedAt: released.released_at,
          releasedAt: released.released_at,
          lastJob:
            job === null
              ? null
              : { id: job.id, state: job.state, source: job.source, updatedAt: job.updatedAt },
        });
      }
      return { pages };
    },

    async 'pages.overwrite'(call) {
      const installationId = call.invocation.installationId;
      const spaceKey = spaceOf(call.context);
      const job = await latestJob(installationId, spaceKey, call.input.externalId);
      const request = pageIngestBodySchema.safeParse(job?.request);
      if (job === null || !request.success) {
        throw new ProblemError(
          'page_not_found',
          `No source has published "${call.input.externalId}" in space ${spaceKey}.`,
        );
      }
      const accepted = await deps.service.acceptPage(
        { keyId: 'settings', installationId, spaceKey, source: job.source },
        call.input.externalId,
        { ...request.data, onHumanEdit: 'overwrite', dryRun: false },
      );
      await deps.activity.append({
        installationId,
        spaceKey,
        actor: { kind: 'user', id: call.context.accountId ?? 'unknown' },
        action: 'page.overwrite_requested',
        result: 'ok',
        detail: `Asked for "${request.data.title}" to be published again from its source "${job.source}", over the edit in Confluence.`,
        at: deps.now(),
      });
      return { jobId: accepted.id };
    },

    async 'pages.release'(call) {
      const installationId = call.invocation.installationId;
      const spaceKey = spaceOf(call.context);
      const externalId = call.input.externalId;
      const row = await deps.db
        .selectFrom('publish_pages')
        .selectAll()
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('external_id', '=', externalId)
        .executeTakeFirst();
      if (row === undefined) {
        const earlier = await findRelease(deps.db, installationId, spaceKey, externalId);
        if (earlier !== undefined) return { released: true, releasedAt: earlier.released_at };
        throw new ProblemError(
          'page_not_found',
          `No source has published "${externalId}" in space ${spaceKey}.`,
        );
      }
      const job = await latestJob(installationId, spaceKey, externalId);
      // Confluence first: if the markers can't be removed, nothing changes here and the admin can try again.
      await removeMarkers(deps, { installationId, spaceKey }, row.page_id, externalId);
      const releasedAt = deps.now().toISOString();
      const actor = call.context.accountId ?? 'unknown';
      await deps.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('publish_page_releases')
          .values({
            installation_id: installationId,
            space_key: spaceKey,
            external_id: externalId,
            page_id: row.page_id,
            title: row.title,
            source: job?.source ?? 'unknown',
            released_at: releasedAt,
            released_by: actor,
          })
          .onConflict((conflict) => conflict.doNothing())
          .execute();
        await trx
          .deleteFrom('publish_pages')
          .where('installation_id', '=', installationId)
          .where('space_key', '=', spaceKey)
          .where('external_id', '=', externalId)
          .execute();
      });
      await deps.activity.append({
        installationId,
        spaceKey,
        actor: { kind: 'user', id: actor },
        action: 'page.released',
        result: 'ok',
        detail: `Stopped managing "${row.title}": Pagewire no longer writes it, and its source's updates to "${externalId}" are refused. The page stays as it is.`,
        at: deps.now(),
      });
      return { released: true, releasedAt };
    },

    async 'pages.notice'(call) {
      const installationId = call.invocation.installationId;
      const spaceKey = spaceOf(call.context);
      const pageId = call.context.contentId;
      if (pageId === undefined) return { managed: false };
      const row = await deps.db
        .selectFrom('publish_pages')
        .selectAll()
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('page_id', '=', pageId)
        .executeTakeFirst();
      if (row === undefined) {
        const released = await deps.db
          .selectFrom('publish_page_releases')
          .selectAll()
          .where('installation_id', '=', installationId)
          .where('page_id', '=', pageId)
          .where('space_key', '=', spaceKey)
          .executeTakeFirst();
        return released === undefined
          ? { managed: false }
          : {
              managed: false,
              externalId: released.external_id,
              source: released.source,
              title: released.title,
              releasedAt: released.released_at,
            };
      }
      const job = await latestJob(installationId, spaceKey, row.external_id);
      const request = pageIngestBodySchema.safeParse(job?.request);
      return {
        managed: true,
        externalId: row.external_id,
        title: row.title,
        lastPublishedAt: row.updated_at,
        ...(job === null ? {} : { source: job.source }),
        onHumanEdit: request.success ? request.data.onHumanEdit : 'skip',
      };
    },
  };
}

/**
 * Removes the ownership property (the page notice's display condition and
 * what a backend that lost its database re-discovers pages by) and the
 * homepage index entry, so nothing adopts the page again.
 */
async function removeMarkers(
  deps: PageManagementDeps,
  target: { installationId: string; spaceKey: string },
  pageId: string,
  externalId: string,
): Promise<void> {
  const confluence = createPublishingConfluence(deps.clientFor.forJob());
  const ownership = await confluence.getProperty(target, pageId, PAGE_OWNERSHIP_PROPERTY_KEY);
  if (ownership !== null) await confluence.deleteProperty(target, pageId, ownership.id);
  const space = await confluence.findSpace(target);
  if (space?.homepageId) {
    const entry = await confluence.getProperty(target, space.homepageId, pageIndexPropertyKey(externalId));
    if (entry !== null) await confluence.deleteProperty(target, space.homepageId, entry.id);
  }
}
