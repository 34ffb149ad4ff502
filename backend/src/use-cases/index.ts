import type { AdfDocument, DeploymentMode } from '@pagewire/shared';
import type { Logger } from 'pino';
import type { ApiTokenService } from '../credentials/api-token-service';
import type { AppTokenStore } from '../credentials/app-token-store';
import type { BlockEvents } from '../domain/block-events';
import type { SettingsEvents } from '../domain/settings-events';
import { type ActivityUseCases, createActivityUseCases } from './activity';
import { type ApiTokenUseCases, createApiTokenUseCases } from './api-tokens';
import { type BlockUseCases, createBlockUseCases } from './blocks';
import type { DeferredWork } from './deferred-work';
import { createIngestKeyUseCases, type IngestKeyUseCases } from './ingest-keys';
import { createLifecycleUseCases, type LifecycleUseCases } from './lifecycle';
import { createPlacementUseCases, type PlacementUseCases } from './placements';
import type {
  ActivityLog,
  BlockStore,
  ExportSettingsPart,
  IngestKeyStore,
  InstallationStore,
  PlacementStore,
  SnapshotScheduler,
  SpaceSettingsStore,
} from './ports';
import { createRenderedMarkdownCache } from './rendered-markdown-cache';
import { createSettingsUseCases, type SettingsUseCases } from './settings';

/**
 * The core's decisions, one module per area. The edges (the Forge operation
 * handlers, the ingest routers) translate a request into one of these calls
 * and its answer back; everything a use case reads or changes comes through
 * the ports it declares (ports.ts), wired in compose.ts.
 */
export interface UseCases {
  blocks: BlockUseCases;
  placements: PlacementUseCases;
  settings: SettingsUseCases;
  ingestKeys: IngestKeyUseCases;
  apiTokens: ApiTokenUseCases;
  activity: ActivityUseCases;
  lifecycle: LifecycleUseCases;
}

export interface UseCaseDeps {
  stores: {
    blocks: BlockStore;
    placements: PlacementStore;
    activity: ActivityLog;
    spaceSettings: SpaceSettingsStore;
    ingestKeys: IngestKeyStore;
    installations: InstallationStore;
  };
  appTokens: Pick<AppTokenStore, 'status'>;
  apiTokens: Pick<ApiTokenService, 'status' | 'set' | 'remove'>;
  snapshots: SnapshotScheduler;
  deferred: DeferredWork;
  blockEvents: BlockEvents;
  settingsEvents: SettingsEvents;
  /**
   * Renders Markdown blocks to ADF for the macro (the publishing engine's
   * mapping, on the render pool); rejects with a `ContentTooComplexError` for
   * Markdown over the render budget. Null: the macro gets no rendering.
   */
  renderMarkdown: ((markdown: string) => Promise<AdfDocument>) | null;
  mode: DeploymentMode;
  atlassianApiBase: URL;
  requiredApiTokenScopes: readonly string[];
  publicUrl: string | null;
  /** The export module's part of the settings page, when it runs. */
  exportSettings?: ExportSettingsPart | undefined;
  uninstallGraceMs: number;
  now: () => Date;
  logger: Logger;
}

export function createUseCases(deps: UseCaseDeps): UseCases {
  const { stores, now } = deps;
  const placements = createPlacementUseCases({
    placements: stores.placements,
    snapshots: deps.snapshots,
    deferred: deps.deferred,
    now,
  });
  return {
    placements,
    blocks: createBlockUseCases({
      blocks: stores.blocks,
      placements: stores.placements,
      activity: stores.activity,
      placementUseCases: placements,
      snapshots: deps.snapshots,
      blockEvents: deps.blockEvents,
      renderedMarkdown:
        deps.renderMarkdown === null ? null : createRenderedMarkdownCache(deps.renderMarkdown, deps.logger),
      now,
    }),
    settings: createSettingsUseCases({
      spaceSettings: stores.spaceSettings,
      ingestKeys: stores.ingestKeys,
      activity: stores.activity,
      appTokens: deps.appTokens,
      apiTokens: deps.apiTokens,
      snapshots: deps.snapshots,
      settingsEvents: deps.settingsEvents,
      mode: deps.mode,
      requiredApiTokenScopes: deps.requiredApiTokenScopes,
      publicUrl: deps.publicUrl,
      exportSettings: deps.exportSettings,
      now,
    }),
    ingestKeys: createIngestKeyUseCases({ ingestKeys: stores.ingestKeys, activity: stores.activity, now }),
    apiTokens: createApiTokenUseCases({
      apiTokens: deps.apiTokens,
      installations: stores.installations,
      mode: deps.mode,
      atlassianApiBase: deps.atlassianApiBase,
      now,
    }),
    activity: createActivityUseCases({ activity: stores.activity }),
    lifecycle: createLifecycleUseCases({
      installations: stores.installations,
      spaceSettings: stores.spaceSettings,
      appTokens: deps.appTokens,
      atlassianApiBase: deps.atlassianApiBase,
      uninstallGraceMs: deps.uninstallGraceMs,
      now,
    }),
  };
}

export type { SnapshotScheduler } from './ports';
