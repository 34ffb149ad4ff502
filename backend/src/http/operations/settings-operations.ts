import { defaultExportSettings } from '@pagewire/shared';
import { ProblemError } from '../problem-error';
import type { OperationDeps, OperationHandlers } from './operation-types';
import { actorOf, spaceOf } from './operation-types';

export function createSettingsOperations(
  deps: OperationDeps,
): Pick<OperationHandlers, 'settings.get' | 'settings.update'> {
  return {
    async 'settings.get'(call) {
      const installationId = call.invocation.installationId;
      const spaceKey = spaceOf(call.context);
      const [stored, appToken, apiToken, ingestKeys, exportView] = await Promise.all([
        deps.repositories.spaceSettings.get(installationId, spaceKey),
        deps.appTokens.status(installationId),
        deps.apiTokens.status(installationId, spaceKey),
        deps.repositories.ingestKeys.list(installationId, spaceKey),
        deps.exportSettings?.view({ installationId, spaceKey }),
      ]);
      return {
        space: { key: spaceKey, id: call.context.spaceId ?? stored.spaceId },
        mode: deps.mode,
        canEdit: call.context.isSpaceAdmin,
        settings: stored.settings,
        appToken,
        apiToken: deps.mode === 'marketplace' ? null : apiToken,
        // Settings hide the API token section in marketplace mode; no scopes to tick there.
        requiredApiTokenScopes: deps.mode === 'marketplace' ? [] : [...deps.requiredApiTokenScopes],
        ingestKeys,
        ingestUrl: deps.publicUrl ?? null,
        // What the export extension reports when it runs; without it export is off and has no keys.
        export: exportView ?? {
          settings: defaultExportSettings,
          keys: [],
          sync: { state: 'off' as const, lastFullSyncAt: null, nextSyncAt: null, pages: 0, lastError: null },
          exportUrl: null,
        },
      };
    },

    async 'settings.update'(call) {
      const installationId = call.invocation.installationId;
      const spaceKey = spaceOf(call.context);
      const change = {
        ...(call.input.publishingPolicy === undefined
          ? {}
          : { publishingPolicy: call.input.publishingPolicy }),
        ...(call.input.staleAfterMinutes === undefined
          ? {}
          : { staleAfterMinutes: call.input.staleAfterMinutes }),
      };
      const now = deps.now();
      if (call.input.export !== undefined && deps.exportSettings === undefined) {
        throw new ProblemError('service_unavailable', 'Export is not part of this backend.');
      }
      const previous = (await deps.repositories.spaceSettings.get(installationId, spaceKey)).settings;
      // Only `export` given: the space's own settings stay as they are.
      const settings =
        Object.keys(change).length === 0
          ? previous
          : await deps.repositories.spaceSettings.update(installationId, spaceKey, change, {
              accountId: actorOf(call.context),
              spaceId: call.context.spaceId ?? undefined,
              now,
            });
      const exportChange =
        call.input.export === undefined || deps.exportSettings === undefined
          ? null
          : await deps.exportSettings.updateSettings({
              installationId,
              spaceKey,
              spaceId: call.context.spaceId,
              accountId: actorOf(call.context),
              change: call.input.export,
              now,
            });
      // Read by admins in the activity log: the settings page's words, not field names.
      const described = [
        ...(change.publishingPolicy === undefined
          ? []
          : [`publishing policy is now ${change.publishingPolicy}`]),
        ...(change.staleAfterMinutes === undefined
          ? []
          : [
              `blocks are marked stale after ${change.staleAfterMinutes} minute${change.staleAfterMinutes === 1 ? '' : 's'}`,
            ]),
        ...(exportChange === null ? [] : [exportChange]),
      ].join('; ');
      await deps.repositories.activity.append({
        installationId,
        spaceKey,
        actor: { kind: 'user', id: actorOf(call.context) },
        action: 'settings.updated',
        result: 'ok',
        detail: `Settings changed: ${described}.`,
        at: now,
      });
      const failures = await deps.settingsEvents.publish({
        installationId,
        spaceKey,
        previous,
        current: settings,
        accountId: actorOf(call.context),
        at: now,
      });
      for (const error of failures) call.log.error({ err: error }, 'a settings-changed listener failed');
      return { settings };
    },
  };
}
