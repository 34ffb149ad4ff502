import { pageIngestBodySchema } from '@pagewire/shared';
import type { Kysely } from 'kysely';
import type { OperationHandlers } from '../http/operations';
import { spaceOf } from '../http/operations/operation-types';
import { ProblemError } from '../http/problem-error';
import type { ActivityRepository } from '../store/activity-repository';
import type { PublishingService } from './publishing-service';
import type { PublishingTables } from './store/publishing-schema';
import { type HumanEdit, type StoredJob, toStoredJob } from './store/queue-repository';

export interface PageManagementDeps {
  db: Kysely<PublishingTables>;
  service: PublishingService;
  activity: ActivityRepository;
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
): Pick<OperationHandlers, 'pages.list' | 'pages.overwrite'> {
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
  };
}
