import type { Kysely } from 'kysely';
import type { CoreTables, Tables } from './schema';

export interface Installation {
  installationId: string;
  cloudId: string;
  siteUrl: string | null;
  apiBaseUrl: string;
  environmentType: string | null;
  createdAt: string;
  updatedAt: string;
  /** When the app was uninstalled from the site; null while installed. */
  uninstalledAt: string | null;
}

export interface InstallationSighting {
  installationId: string;
  cloudId: string;
  apiBaseUrl: string;
  environmentType: string | null;
  /** Only overwrites the stored site URL when known. */
  siteUrl?: string | undefined;
}

export interface InstallationRepository {
  /** Records an installation seen on a verified call; returns whether anything changed. */
  record(sighting: InstallationSighting, now: Date): Promise<boolean>;
  find(installationId: string): Promise<Installation | null>;
  /** Records the uninstall once (a redelivery keeps the first time); returns the time recorded. */
  markUninstalled(installationId: string, at: Date): Promise<Date | null>;
  /** The most recently uninstalled other installation on this site since `since`, for a reinstall remap. */
  findUninstalledOnSite(cloudId: string, since: Date, except: string): Promise<Installation | null>;
  /** Installations uninstalled before `cutoff`: due for purging. */
  listUninstalledBefore(cutoff: Date): Promise<string[]>;
}

function toInstallation(row: CoreTables['installations']): Installation {
  return {
    installationId: row.installation_id,
    cloudId: row.cloud_id,
    siteUrl: row.site_url,
    apiBaseUrl: row.api_base_url,
    environmentType: row.environment_type,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    uninstalledAt: row.uninstalled_at ?? null,
  };
}

export function createInstallationRepository(db: Kysely<Tables>): InstallationRepository {
  return {
    ...installationSightings(db),
    ...installationUninstalls(db),
  };
}

/** Recording and reading installations as Forge calls reveal them. */
function installationSightings(db: Kysely<Tables>): Pick<InstallationRepository, 'record' | 'find'> {
  return {
    async record(sighting, now) {
      const existing = await db
        .selectFrom('installations')
        .selectAll()
        .where('installation_id', '=', sighting.installationId)
        .executeTakeFirst();
      const siteUrl = sighting.siteUrl ?? existing?.site_url ?? null;
      if (
        existing !== undefined &&
        existing.cloud_id === sighting.cloudId &&
        existing.api_base_url === sighting.apiBaseUrl &&
        existing.environment_type === sighting.environmentType &&
        existing.site_url === siteUrl
      ) {
        return false;
      }
      const at = now.toISOString();
      await db
        .insertInto('installations')
        .values({
          installation_id: sighting.installationId,
          cloud_id: sighting.cloudId,
          site_url: siteUrl,
          api_base_url: sighting.apiBaseUrl,
          environment_type: sighting.environmentType,
          created_at: at,
          updated_at: at,
        })
        .onConflict((conflict) =>
          conflict.column('installation_id').doUpdateSet({
            cloud_id: sighting.cloudId,
            site_url: siteUrl,
            api_base_url: sighting.apiBaseUrl,
            environment_type: sighting.environmentType,
            updated_at: at,
          }),
        )
        .execute();
      return true;
    },

    async find(installationId) {
      const row = await db
        .selectFrom('installations')
        .selectAll()
        .where('installation_id', '=', installationId)
        .executeTakeFirst();
      return row === undefined ? null : toInstallation(row);
    },
  };
}

/** Uninstall and reinstall: marking, finding a recent uninstall on a site, and purge candidates. */
function installationUninstalls(
  db: Kysely<Tables>,
): Pick<InstallationRepository, 'markUninstalled' | 'findUninstalledOnSite' | 'listUninstalledBefore'> {
  return {
    async markUninstalled(installationId, at) {
      await db
        .updateTable('installations')
        .set({ uninstalled_at: at.toISOString() })
        .where('installation_id', '=', installationId)
        .where('uninstalled_at', 'is', null)
        .execute();
      const row = await db
        .selectFrom('installations')
        .select('uninstalled_at')
        .where('installation_id', '=', installationId)
        .executeTakeFirst();
      return row?.uninstalled_at == null ? null : new Date(row.uninstalled_at);
    },

    async findUninstalledOnSite(cloudId, since, except) {
      const row = await db
        .selectFrom('installations')
        .selectAll()
        .where('cloud_id', '=', cloudId)
        .where('installation_id', '!=', except)
        .where('uninstalled_at', 'is not', null)
        .where('uninstalled_at', '>=', since.toISOString())
        .orderBy('uninstalled_at', 'desc')
        .executeTakeFirst();
      return row === undefined ? null : toInstallation(row);
    },

    async listUninstalledBefore(cutoff) {
      const rows = await db
        .selectFrom('installations')
        .select('installation_id')
        .where('uninstalled_at', 'is not', null)
        .where('uninstalled_at', '<', cutoff.toISOString())
        .execute();
      return rows.map((row) => row.installation_id);
    },
  };
}
