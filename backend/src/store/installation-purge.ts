import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import { type BackgroundJob, startPeriodicJob } from '../domain/periodic-job';
import type { InstallationRepository } from './installation-repository';
import type { Tables } from './schema';

/**
 * Deletes everything the backend keeps for one installation, in one
 * transaction: the extensions' tables first (the publishing engine's jobs,
 * work items, page identities and snapshots: `extensionTables`, each keyed by
 * `installation_id`), then blocks and their placements, deleted-block
 * records, settings, ingest keys, activity, both tokens, and the installation
 * row last. Run only for installations uninstalled longer ago than the grace
 * period.
 */
export async function purgeInstallation(
  db: Kysely<Tables>,
  installationId: string,
  extensionTables: readonly string[] = [],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const table of extensionTables) {
      await sql`delete from ${sql.table(table)} where installation_id = ${installationId}`.execute(trx);
    }
    for (const table of [
      'block_placements',
      'blocks',
      'deleted_blocks',
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
  db: Kysely<Tables>;
  installations: InstallationRepository;
  graceMs: number;
  now: () => Date;
  logger: Logger;
  /** The extensions' tables keyed by installation_id (`BackendExtension.tenantTables`). */
  extensionTables?: readonly string[];
  intervalMs?: number;
}): BackgroundJob {
  return startPeriodicJob({
    async pass() {
      const due = await deps.installations.listUninstalledBefore(
        new Date(deps.now().getTime() - deps.graceMs),
      );
      for (const installationId of due) {
        await purgeInstallation(deps.db, installationId, deps.extensionTables);
        deps.logger.info(
          { installationId },
          'purged an installation whose uninstall grace period had passed',
        );
      }
    },
    logger: deps.logger,
    failureMessage: 'the uninstall purge pass failed',
    intervalMs: deps.intervalMs,
  });
}
