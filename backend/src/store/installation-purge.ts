import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { BackgroundJob } from '../credentials/api-token-recheck-job';
import type { InstallationRepository } from './installation-repository';
import type { CoreTables } from './schema';

/**
 * Deletes everything the backend keeps for one installation, in one
 * transaction: blocks and their placements, settings, ingest keys, activity,
 * both tokens, and the installation row last. Run only for installations
 * uninstalled longer ago than the grace period.
 */
export async function purgeInstallation(db: Kysely<CoreTables>, installationId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const table of [
      'block_placements',
      'blocks',
      'space_settings',
      'ingest_keys',
      'activity',
      'app_tokens',
      'api_tokens',
      'installations',
    ] as const) {
      await trx.deleteFrom(table).where('installation_id', '=', installationId).execute();
    }
  });
}

/** Purges, once an hour, every installation whose grace period after uninstall has passed. */
export function startInstallationPurgeJob(deps: {
  db: Kysely<CoreTables>;
  installations: InstallationRepository;
  graceMs: number;
  now: () => Date;
  logger: Logger;
  intervalMs?: number;
}): BackgroundJob {
  const interval = deps.intervalMs ?? 60 * 60 * 1000;
  let running: Promise<void> | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function pass(): Promise<void> {
    const due = await deps.installations.listUninstalledBefore(new Date(deps.now().getTime() - deps.graceMs));
    for (const installationId of due) {
      await purgeInstallation(deps.db, installationId);
      deps.logger.info({ installationId }, 'purged an installation whose uninstall grace period had passed');
    }
  }

  function runNow(): Promise<void> {
    if (running !== null) return running;
    running = pass()
      .catch((error: unknown) => {
        deps.logger.error({ err: error }, 'the uninstall purge pass failed');
      })
      .finally(() => {
        running = null;
      });
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void runNow().finally(schedule);
    }, interval);
    timer.unref();
  }

  schedule();
  return {
    runNow,
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      if (running !== null) await running;
    },
  };
}
