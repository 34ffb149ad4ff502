import type { Kysely } from 'kysely';
import { type ActivityRepository, createActivityRepository } from './activity-repository';
import { type ApiTokenRepository, createApiTokenRepository } from './api-token-repository';
import { type AppTokenRepository, createAppTokenRepository } from './app-token-repository';
import { type BlockRepository, createBlockRepository } from './block-repository';
import { createIngestKeyRepository, type IngestKeyRepository } from './ingest-key-repository';
import { createInstallationRepository, type InstallationRepository } from './installation-repository';
import { createPlacementRepository, type PlacementRepository } from './placement-repository';
import type { Tables } from './schema';
import { createSpaceSettingsRepository, type SpaceSettingsRepository } from './space-settings-repository';

/** Every repository over one database: what the composition hands to the HTTP layer and the jobs. */
export interface Repositories {
  installations: InstallationRepository;
  spaceSettings: SpaceSettingsRepository;
  blocks: BlockRepository;
  placements: PlacementRepository;
  ingestKeys: IngestKeyRepository;
  activity: ActivityRepository;
  appTokens: AppTokenRepository;
  apiTokens: ApiTokenRepository;
}

export function createRepositories(db: Kysely<Tables>): Repositories {
  return {
    installations: createInstallationRepository(db),
    spaceSettings: createSpaceSettingsRepository(db),
    blocks: createBlockRepository(db),
    placements: createPlacementRepository(db),
    ingestKeys: createIngestKeyRepository(db),
    activity: createActivityRepository(db),
    appTokens: createAppTokenRepository(db),
    apiTokens: createApiTokenRepository(db),
  };
}
