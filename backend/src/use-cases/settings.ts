import {
  type DeploymentMode,
  defaultExportSettings,
  type OperationOutput,
  type SpaceSettings,
} from '@pagewire/shared';
import type { Logger } from 'pino';
import type { ApiTokenService } from '../credentials/api-token-service';
import type { AppTokenStore } from '../credentials/app-token-store';
import { ProblemError } from '../domain/problem-error';
import type { SettingsEvents } from '../domain/settings-events';
import type { SpaceScope } from './blocks';
import {
  type ActivityLog,
  type ExportSettingsPart,
  type IngestKeyStore,
  type SnapshotScheduler,
  type SpaceSettingsStore,
  SYSTEM_SOURCE,
} from './ports';

export interface SettingsUseCasesDeps {
  spaceSettings: SpaceSettingsStore;
  ingestKeys: Pick<IngestKeyStore, 'list'>;
  activity: ActivityLog;
  appTokens: Pick<AppTokenStore, 'status'>;
  apiTokens: Pick<ApiTokenService, 'status'>;
  snapshots: SnapshotScheduler;
  /** Other parts of the backend told about a change, after the snapshot decision. */
  settingsEvents: SettingsEvents;
  mode: DeploymentMode;
  /** The scopes to tick when creating a scoped API token (from the token-health module). */
  requiredApiTokenScopes: readonly string[];
  /** `PAGEWIRE_PUBLIC_URL`, shown on the settings page; null when unset. */
  publicUrl: string | null;
  /** The export module's part of the settings, when it runs. */
  exportSettings?: ExportSettingsPart | undefined;
  now: () => Date;
}

/** Who asks, from where: the settings page of a space. */
export interface SettingsViewer extends SpaceScope {
  /** The space id Confluence gave the call; the stored one otherwise. */
  spaceId: string | null;
  canEdit: boolean;
}

export interface SettingsEditor extends SpaceScope {
  accountId: string;
  spaceId: string | null;
}

export interface SettingsUseCases {
  /** What the settings page shows: settings, credentials' state, ingest keys, where sources send. */
  view(viewer: SettingsViewer): Promise<OperationOutput<'settings.get'>>;
  /** Changes a space's settings: stored, logged in the admins' words, snapshots queued on a switch to `snapshot`. */
  update(
    editor: SettingsEditor,
    change: Partial<SpaceSettings>,
    log: Logger,
    exportChange?: ExportChange,
  ): Promise<SpaceSettings>;
}

/** `settings.update`'s `export` field: turn export on or off, include restricted pages or not. */
export interface ExportChange {
  enabled: boolean;
  includeRestricted?: boolean | undefined;
}

export function createSettingsUseCases(deps: SettingsUseCasesDeps): SettingsUseCases {
  return {
    async view(viewer) {
      const { installationId, spaceKey } = viewer;
      const [stored, appToken, apiToken, ingestKeys, exportView] = await Promise.all([
        deps.spaceSettings.get(installationId, spaceKey),
        deps.appTokens.status(installationId),
        deps.apiTokens.status(installationId, spaceKey),
        deps.ingestKeys.list(installationId, spaceKey),
        deps.exportSettings?.view({ installationId, spaceKey }),
      ]);
      return {
        space: { key: spaceKey, id: viewer.spaceId ?? stored.spaceId },
        mode: deps.mode,
        canEdit: viewer.canEdit,
        settings: stored.settings,
        appToken,
        apiToken: deps.mode === 'marketplace' ? null : apiToken,
        // Settings hide the API token section in marketplace mode; no scopes to tick there.
        requiredApiTokenScopes: deps.mode === 'marketplace' ? [] : [...deps.requiredApiTokenScopes],
        ingestKeys,
        ingestUrl: deps.publicUrl,
        // What the export extension reports when it runs; without it export is off and has no keys.
        export: exportView ?? {
          settings: defaultExportSettings,
          keys: [],
          sync: { state: 'off' as const, lastFullSyncAt: null, nextSyncAt: null, pages: 0, lastError: null },
          exportUrl: null,
        },
      };
    },

    async update(editor, change, log, exportChange) {
      const { installationId, spaceKey, accountId } = editor;
      if (exportChange !== undefined && deps.exportSettings === undefined) {
        throw new ProblemError('service_unavailable', 'Export is not part of this backend.');
      }
      const now = deps.now();
      const previous = (await deps.spaceSettings.get(installationId, spaceKey)).settings;
      // Only `export` given: the space's own settings stay as they are.
      const settings =
        Object.keys(change).length === 0
          ? previous
          : await deps.spaceSettings.update(installationId, spaceKey, change, {
              accountId,
              spaceId: editor.spaceId ?? undefined,
              now,
            });
      const exportWords =
        exportChange === undefined || deps.exportSettings === undefined
          ? null
          : await deps.exportSettings.updateSettings({
              installationId,
              spaceKey,
              spaceId: editor.spaceId,
              accountId,
              change: exportChange,
              now,
            });
      await deps.activity.append({
        installationId,
        spaceKey,
        actor: { kind: 'user', id: accountId },
        action: 'settings.updated',
        result: 'ok',
        detail: `Settings changed: ${[describeChange(change), ...(exportWords === null ? [] : [exportWords])].filter((part) => part !== '').join('; ')}.`,
        at: now,
      });
      if (settings.publishingPolicy === 'snapshot' && previous.publishingPolicy !== 'snapshot') {
        // The settings are stored whatever happens here; the snapshot reconciler queues what this missed.
        await deps.snapshots
          .refreshSpace({ installationId, spaceKey, source: SYSTEM_SOURCE })
          .catch((error: unknown) => log.error({ err: error }, 'queueing the space’s snapshots failed'));
      }
      const failures = await deps.settingsEvents.publish({
        installationId,
        spaceKey,
        previous,
        current: settings,
        accountId,
        at: now,
      });
      for (const error of failures) log.error({ err: error }, 'a settings-changed listener failed');
      return settings;
    },
  };
}

/** Read by admins in the activity log: the settings page's words, not field names. */
function describeChange(change: Partial<SpaceSettings>): string {
  return [
    ...(change.publishingPolicy === undefined ? [] : [`publishing policy is now ${change.publishingPolicy}`]),
    ...(change.staleAfterMinutes === undefined
      ? []
      : [
          `blocks are marked stale after ${change.staleAfterMinutes} minute${change.staleAfterMinutes === 1 ? '' : 's'}`,
        ]),
  ].join('; ');
}
