import type { Kysely } from 'kysely';
import type { CoreTables } from './schema';

export interface Installation {
  installationId: string;
  cloudId: string;
  siteUrl: string | null;
  apiBaseUrl: string;
  environmentType: string | null;
  createdAt: string;
  updatedAt: string;
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
}

export function createInstallationRepository(db: Kysely<CoreTables>): InstallationRepository {
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
      if (row === undefined) return null;
      return {
        installationId: row.installation_id,
        cloudId: row.cloud_id,
        siteUrl: row.site_url,
        apiBaseUrl: row.api_base_url,
        environmentType: row.environment_type,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      };
    },
  };
}
