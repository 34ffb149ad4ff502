import type { ActivityAction, ActivityResult } from '@pagewire/shared';
import type { ActivityRepository } from '../store/activity-repository';
import { SYSTEM_SOURCE } from '../use-cases/ports';
import type { PublishResult } from './page-publisher';
import type { PublishingMetrics } from './publishing-metrics';
import type { Lease } from './store/queue-repository';

export interface JobAuditDeps {
  activity: Pick<ActivityRepository, 'append'>;
  metrics: PublishingMetrics | null;
  now: () => Date;
}

/** What a finished job leaves behind: its metrics and, when worth it, a line in the space's activity log. */
export type JobAudit = (lease: Lease, result: PublishResult, superseded: number) => Promise<void>;

export function createJobAudit(deps: JobAuditDeps): JobAudit {
  const { metrics, now } = deps;
  return async (lease, result, superseded) => {
    const job = lease.job;
    metrics?.jobFinished(
      lease.kind,
      result.state,
      (now().getTime() - Date.parse(job.createdAt)) / 1000,
      superseded,
    );
    if (result.state === 'failed') metrics?.deadLettered(lease.kind);
    const entry = activityFor(lease.kind, result);
    if (entry === null) return;
    const warnings = result.warnings ?? [];
    const coalesced =
      superseded > 0 ? ` (carrying ${superseded} earlier update${superseded === 1 ? '' : 's'})` : '';
    const warned =
      warnings.length > 0 ? ` Warnings: ${warnings.map((warning) => warning.detail).join(' ')}` : '';
    await deps.activity.append({
      installationId: job.installationId,
      spaceKey: job.spaceKey,
      // Snapshots the engine queues itself (after a switch to the snapshot policy) are the system's doing.
      actor:
        job.source === SYSTEM_SOURCE
          ? { kind: 'system', id: SYSTEM_SOURCE }
          : { kind: 'source', id: job.source },
      action: entry.action,
      result: warnings.length > 0 && entry.result === 'ok' ? 'warning' : entry.result,
      detail: truncate(
        `${result.detail}${job.externalId ? ` [${job.externalId}, job ${job.id}]` : ` [job ${job.id}]`}${coalesced}.${warned}`,
      ),
      pageId: result.pageId,
      humanEdit:
        result.humanEdit === undefined ? undefined : { by: result.humanEdit.by, at: result.humanEdit.at },
      version:
        result.state === 'published' || result.state === 'skipped_human_edit' ? result.version : undefined,
      at: now(),
    });
  };
}

function activityFor(
  kind: Lease['kind'],
  result: PublishResult,
): { action: ActivityAction; result: ActivityResult } | null {
  if (kind === 'snapshot') {
    switch (result.state) {
      case 'published':
        return { action: 'snapshot.written', result: 'ok' };
      case 'failed':
        return { action: 'snapshot.failed', result: 'failed' };
      default:
        // Nothing written and nothing wrong: not worth a line in the space's log.
        return null;
    }
  }
  switch (result.state) {
    case 'published':
      return { action: result.written === 'archived' ? 'page.archived' : 'page.published', result: 'ok' };
    case 'unchanged':
      return { action: 'page.unchanged', result: 'ok' };
    case 'skipped_human_edit':
      return { action: 'page.skipped_human_edit', result: 'skipped' };
    case 'planned':
      return { action: 'page.dry_run', result: 'ok' };
    case 'failed':
      return { action: 'page.failed', result: 'failed' };
    default:
      return null;
  }
}

function truncate(text: string): string {
  return text.length > 1000 ? `${text.slice(0, 999)}…` : text;
}
