import {
  defaultSpaceSettings,
  type PublishingPolicy,
  publishingPolicySchema,
  type SpaceSettings,
} from '@pagewire/shared';
import type { Kysely } from 'kysely';
import type { Tables } from './schema';

export interface StoredSpaceSettings {
  settings: SpaceSettings;
  spaceId: string | null;
}

export interface SpaceSettingsRepository {
  /** The space's settings, or the defaults when nobody has changed them yet. */
  get(installationId: string, spaceKey: string): Promise<StoredSpaceSettings>;
  update(
    installationId: string,
    spaceKey: string,
    change: Partial<SpaceSettings>,
    by: { accountId: string; spaceId?: string | undefined; now: Date },
  ): Promise<SpaceSettings>;
  /**
   * Copies every space's settings of one installation to another (a reinstall
   * on the same site), keeping any the new installation already has. Returns how many were copied.
   */
  copyAll(fromInstallationId: string, toInstallationId: string, now: Date): Promise<number>;
}

export function createSpaceSettingsRepository(db: Kysely<Tables>): SpaceSettingsRepository {
  async function read(installationId: string, spaceKey: string): Promise<StoredSpaceSettings> {
    const row = await db
      .selectFrom('space_settings')
      .selectAll()
      .where('installation_id', '=', installationId)
      .where('space_key', '=', spaceKey)
      .executeTakeFirst();
    if (row === undefined) return { settings: { ...defaultSpaceSettings }, spaceId: null };
    return {
      settings: {
        publishingPolicy: publishingPolicySchema.parse(row.publishing_policy) as PublishingPolicy,
        staleAfterMinutes: row.stale_after_minutes,
      },
      spaceId: row.space_id,
    };
  }

  return {
    get: read,

    async update(installationId, spaceKey, change, by) {
      const at = by.now.toISOString();
      const initial: SpaceSettings = { ...defaultSpaceSettings, ...change };
      // Only the changed columns go into the conflict update, so two admins
      // changing different settings at the same moment both keep their change.
      const changed: Partial<Record<'publishing_policy' | 'stale_after_minutes', string | number>> = {};
      if (change.publishingPolicy !== undefined) changed.publishing_policy = change.publishingPolicy;
      if (change.staleAfterMinutes !== undefined) changed.stale_after_minutes = change.staleAfterMinutes;
      await db
        .insertInto('space_settings')
        .values({
          installation_id: installationId,
          space_key: spaceKey,
          space_id: by.spaceId ?? null,
          publishing_policy: initial.publishingPolicy,
          stale_after_minutes: initial.staleAfterMinutes,
          updated_at: at,
          updated_by: by.accountId,
        })
        .onConflict((conflict) =>
          conflict.columns(['installation_id', 'space_key']).doUpdateSet((eb) => ({
            ...(changed as { publishing_policy?: string; stale_after_minutes?: number }),
            space_id: by.spaceId ?? eb.ref('space_settings.space_id'),
            updated_at: at,
            updated_by: by.accountId,
          })),
        )
        .execute();
      return (await read(installationId, spaceKey)).settings;
    },

    async copyAll(fromInstallationId, toInstallationId, now) {
      const rows = await db
        .selectFrom('space_settings')
        .selectAll()
        .where('installation_id', '=', fromInstallationId)
        .execute();
      if (rows.length === 0) return 0;
      const result = await db
        .insertInto('space_settings')
        .values(
          rows.map((row) => ({ ...row, installation_id: toInstallationId, updated_at: now.toISOString() })),
        )
        .onConflict((conflict) => conflict.columns(['installation_id', 'space_key']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n);
    },
  };
}
