import type { JobList, JobListQuery, JobView, PublishedPage } from '@pagewire/shared';
import type { Kysely } from 'kysely';
import type { IngestPrincipal } from '../auth/ingest-key';
import type { InstallationRepository } from '../store/installation-repository';
import type { Tables } from '../store/schema';
import type { PageIdentityRepository } from './store/page-identity-repository';
import { type StoredJob, toJobView, toStoredJob } from './store/queue-repository';

/**
 * What a script driving Pagewire needs besides `PUT`: wait for a job to end
 * (long poll), list jobs by state or external id, find the page an external
 * id became, and the page's URL in every job view. Reads only; the queue and
 * the publisher are untouched.
 */
export interface JobAutomation {
  /** A job of the key's space as its source sees it (with `pageUrl`); null for any other job. */
  findJob(principal: IngestPrincipal, jobId: string): Promise<JobView | null>;
  /**
   * The job once it has ended, or as it is after `waitMs`, or when `signal`
   * aborts (the caller hung up). Polls the database, which is the one place
   * every replica's worker writes to.
   */
  waitForJob(
    principal: IngestPrincipal,
    jobId: string,
    waitMs: number,
    signal: AbortSignal,
  ): Promise<JobView | null>;
  listJobs(principal: IngestPrincipal, query: JobListQuery): Promise<JobList>;
  findPage(principal: IngestPrincipal, externalId: string): Promise<PublishedPage | null>;
}

export interface JobAutomationDeps {
  db: Kysely<Tables>;
  identities: PageIdentityRepository;
  installations: InstallationRepository;
  /** How often a waiting request looks at its job again. */
  pollMs?: number;
}

const TERMINAL = new Set(['published', 'unchanged', 'skipped_human_edit', 'failed', 'planned']);

export function createJobAutomation(deps: JobAutomationDeps): JobAutomation {
  const pollMs = deps.pollMs ?? 250;

  async function siteUrlOf(installationId: string): Promise<string | null> {
    const installation = await deps.installations.find(installationId);
    return installation?.siteUrl?.replace(/\/+$/, '') ?? null;
  }

  function viewOf(job: StoredJob, siteUrl: string | null): JobView {
    const view = toJobView(job);
    return job.pageId === null || siteUrl === null
      ? view
      : { ...view, pageUrl: pageUrlOf(siteUrl, job.spaceKey, job.pageId) };
  }

  async function loadJob(principal: IngestPrincipal, jobId: string): Promise<StoredJob | null> {
    const row = await deps.db
      .selectFrom('publish_jobs')
      .selectAll()
      .where('id', '=', jobId)
      .where('installation_id', '=', principal.installationId)
      .where('space_key', '=', principal.spaceKey)
      .where('kind', '=', 'page')
      .executeTakeFirst();
    return row === undefined ? null : toStoredJob(row);
  }

  return {
    async findJob(principal, jobId) {
      const job = await loadJob(principal, jobId);
      return job === null ? null : viewOf(job, await siteUrlOf(principal.installationId));
    },

    async waitForJob(principal, jobId, waitMs, signal) {
      const deadline = Date.now() + waitMs;
      let job = await loadJob(principal, jobId);
      while (job !== null && !TERMINAL.has(job.state) && !signal.aborted && Date.now() < deadline) {
        await pause(Math.min(pollMs, Math.max(0, deadline - Date.now())), signal);
        job = await loadJob(principal, jobId);
      }
      return job === null ? null : viewOf(job, await siteUrlOf(principal.installationId));
    },

    async listJobs(principal, query) {
      let select = deps.db
        .selectFrom('publish_jobs')
        .selectAll()
        .where('installation_id', '=', principal.installationId)
        .where('space_key', '=', principal.spaceKey)
        .where('kind', '=', 'page');
      if (query.state !== undefined) select = select.where('state', '=', query.state);
      if (query.externalId !== undefined) select = select.where('external_id', '=', query.externalId);
      // Ids are time-ordered: the cursor is the last id handed out, and older jobs sort below it.
      if (query.cursor !== undefined) select = select.where('id', '<', query.cursor);
      const rows = await select
        .orderBy('id', 'desc')
        .limit(query.limit + 1)
        .execute();
      const siteUrl = await siteUrlOf(principal.installationId);
      const page = rows.slice(0, query.limit).map((row) => viewOf(toStoredJob(row), siteUrl));
      return { jobs: page, nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null };
    },

    async findPage(principal, externalId) {
      const identity = await deps.identities.find(principal.installationId, principal.spaceKey, externalId);
      if (identity === null) return null;
      const siteUrl = await siteUrlOf(principal.installationId);
      const lastJob = await loadJob(principal, identity.lastJobId);
      return {
        externalId,
        pageId: identity.pageId,
        title: identity.title,
        version: identity.lastVersion,
        ...(siteUrl === null ? {} : { pageUrl: pageUrlOf(siteUrl, principal.spaceKey, identity.pageId) }),
        updatedAt: identity.updatedAt,
        lastJob: lastJob === null ? null : viewOf(lastJob, siteUrl),
      };
    },
  };
}

/** Confluence Cloud opens a page by id at this path (docs/platform-notes.md#ui-kit-links). */
export function pageUrlOf(siteUrl: string, spaceKey: string, pageId: string): string {
  return `${siteUrl}/wiki/spaces/${encodeURIComponent(spaceKey)}/pages/${encodeURIComponent(pageId)}`;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
