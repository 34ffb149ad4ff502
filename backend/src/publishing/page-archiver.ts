import { z } from 'zod';
import { archivePages, getLongTask } from '../confluence/api/archive';
import { isScopeError } from '../confluence/errors';
import type { JobConfluenceClients, PublishingConfluence, PublishTarget } from './confluence-gateway';
import type { PublishResult } from './page-publisher';
import { DependencyPendingError, PermanentPublishError } from './publish-errors';
import type { PageIdentityRepository } from './store/page-identity-repository';
import type { PageTreeRepository } from './store/page-tree-repository';
import type { StoredJob } from './store/queue-types';

/**
 * An archive job's request (`POST /ingest/v1/pages/{externalId}/archive`):
 * queued on the page's own work item, so it is serialised with the page's
 * publishes (and, like them, the newest request for the page wins).
 */
export const archiveJobRequestSchema = z.strictObject({
  archive: z.literal(true),
  dryRun: z.boolean(),
});
export type ArchiveJobRequest = z.infer<typeof archiveJobRequestSchema>;

export function isArchiveRequest(request: unknown): request is ArchiveJobRequest {
  return archiveJobRequestSchema.safeParse(request).success;
}

export interface PageArchiveDeps {
  confluence: PublishingConfluence;
  clients: JobConfluenceClients;
  identities: PageIdentityRepository;
  trees: PageTreeRepository;
  now(): Date;
  signal?: AbortSignal;
  /** How often, and how many times, the long task is looked at before the job is tried again later. */
  taskPollMs?: number;
  taskPolls?: number;
}

/**
 * Archives the page in Confluence, never deletes it. Refused while pages
 * Pagewire published still sit under it (archiving moves a page out of the
 * tree, and its children with it: mark's orphan handling skips such pages for
 * the same reason). A page already archived (an earlier attempt's task
 * finished) counts as done.
 */
export async function archivePage(job: StoredJob, deps: PageArchiveDeps): Promise<PublishResult> {
  const externalId = job.externalId ?? '';
  const target: PublishTarget = { installationId: job.installationId, spaceKey: job.spaceKey };
  const identity = await deps.identities.find(job.installationId, job.spaceKey, externalId);
  if (identity === null) {
    throw new PermanentPublishError(
      'page_not_found',
      `No page is published as "${externalId}" in space ${job.spaceKey}; there is nothing to archive.`,
    );
  }
  const children = await deps.trees.childrenOf(job.installationId, job.spaceKey, identity.pageId);
  if (children.length > 0) {
    throw new PermanentPublishError('page_has_children', childrenDetail(externalId, children));
  }
  const plan = { action: 'archive' as const, pageId: identity.pageId, currentVersion: identity.lastVersion };
  const page = await deps.confluence.getPage(target, identity.pageId);
  if (job.dryRun) {
    return {
      state: 'planned',
      pageId: identity.pageId,
      plan,
      warnings: [],
      detail: `Dry run: would archive "${identity.title}" (page ${identity.pageId})`,
    };
  }
  if (page !== null && page.status === 'current') {
    const client = await deps.clients.clientFor(target, 'page.archive');
    const taskId = await archivePages(client, {
      pageIds: [identity.pageId],
      ...(deps.signal === undefined ? {} : { signal: deps.signal }),
    });
    await waitForTask(target, taskId, identity.pageId, deps);
  } else if (page === null) {
    throw new PermanentPublishError(
      'page_not_found',
      `Page ${identity.pageId} ("${identity.title}") no longer exists in Confluence; there is nothing to archive.`,
    );
  }
  await deps.trees.markArchived(
    job.installationId,
    job.spaceKey,
    externalId,
    job.id,
    deps.now().toISOString(),
  );
  return {
    state: 'published',
    pageId: identity.pageId,
    version: identity.lastVersion,
    plan,
    warnings: [],
    written: 'archived',
    detail: `Archived "${identity.title}" (page ${identity.pageId}) for ${externalId}`,
  };
}

export function childrenDetail(externalId: string, children: readonly string[]): string {
  const shown = children.slice(0, 5).join(', ');
  const more = children.length > 5 ? ` and ${children.length - 5} more` : '';
  return `Pages Pagewire published still sit under "${externalId}" (${shown}${more}); archive or move them first.`;
}

/**
 * Follows the long task until it finished. A credential that may archive but
 * not read long tasks (the app token, whose manifest has neither long-task
 * scope) watches the page's status instead.
 */
async function waitForTask(
  target: PublishTarget,
  taskId: string,
  pageId: string,
  deps: PageArchiveDeps,
): Promise<void> {
  const polls = deps.taskPolls ?? 20;
  const pollMs = deps.taskPollMs ?? 500;
  let readTask = true;
  for (let poll = 0; poll < polls; poll += 1) {
    const task = readTask ? await readLongTask(target, taskId, deps) : null;
    if (task === null) {
      readTask = false;
      const page = await deps.confluence.getPage(target, pageId);
      if (page?.status === 'archived') return;
    } else if (task.finished === true || task.percentageComplete === 100) {
      if (task.successful === false) {
        const why = task.messages?.map((message) => message.translation).find(Boolean);
        throw new PermanentPublishError(
          'confluence_conflict',
          `Confluence did not archive the page${why ? `: ${why}` : ''}.`,
        );
      }
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  // Still running: the next attempt reads the page and sees whether it is archived by then.
  throw new DependencyPendingError(
    `Confluence's archive task ${taskId} has not finished yet.`,
    'archive_pending',
  );
}

/** The task as Confluence reports it; null when no credential may read long tasks. */
async function readLongTask(target: PublishTarget, taskId: string, deps: PageArchiveDeps) {
  try {
    const client = await deps.clients.clientFor(target, 'longtask.read');
    return await getLongTask(client, {
      taskId,
      ...(deps.signal === undefined ? {} : { signal: deps.signal }),
    });
  } catch (error) {
    if (isScopeError(error)) return null;
    throw error;
  }
}
