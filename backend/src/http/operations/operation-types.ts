import type {
  AdfDocument,
  ContentType,
  DeploymentMode,
  ExportSettingsView,
  ForgeEventPayload,
  OperationName,
  OperationOutput,
  ParsedOperationInput,
} from '@pagewire/shared';
import type { Logger } from 'pino';
import type { VerifiedInvocation } from '../../auth/forge-invocation-token';
import type { ApiTokenService } from '../../credentials/api-token-service';
import type { AppTokenStore } from '../../credentials/app-token-store';
import type { PlacementEvents } from '../../domain/block-events';
import type { SettingsEvents } from '../../domain/settings-events';
import type { Repositories } from '../../store/repositories';

/**
 * The context an operation runs in, after the envelope rules
 * (docs/BACKEND.md, "Whose context wins"): from the signed FIT on
 * UI-originated calls, from the envelope on function-originated ones, and
 * only the installation on trigger-originated ones.
 */
export interface EffectiveContext {
  origin: 'function' | 'ui' | 'trigger';
  cloudId: string;
  accountId: string | null;
  siteUrl: string | null;
  spaceKey: string | null;
  spaceId: string | null;
  contentId: string | null;
  /** What `contentId` is; null when the caller did not say (then it is taken for a page). */
  contentType: ContentType | null;
  localId: string | null;
  /** Only ever true on function-originated calls whose envelope said so. */
  isSpaceAdmin: boolean;
}

export interface OperationCall<Name extends OperationName> {
  invocation: VerifiedInvocation;
  context: EffectiveContext;
  input: ParsedOperationInput<Name>;
  /** Forge's event payload when a trigger called a lifecycle endpoint directly. */
  event: ForgeEventPayload | null;
  log: Logger;
}

export type OperationHandler<Name extends OperationName> = (
  call: OperationCall<Name>,
) => Promise<OperationOutput<Name>>;

export type OperationHandlers = { [Name in OperationName]: OperationHandler<Name> };

export interface OperationDeps {
  repositories: Repositories;
  appTokens: AppTokenStore;
  apiTokens: ApiTokenService;
  mode: DeploymentMode;
  atlassianApiBase: URL;
  /** The scopes to tick when creating a scoped API token (from the token-health module). */
  requiredApiTokenScopes: readonly string[];
  /** `PAGEWIRE_PUBLIC_URL`, shown on the settings page; null when unset. */
  publicUrl?: string | null;
  now: () => Date;
  settingsEvents: SettingsEvents;
  /** Told when `blocks.get` sees a block on a page it had not recorded it on. */
  placementEvents?: PlacementEvents | undefined;
  /** How long an uninstalled installation's data is kept (config `PAGEWIRE_UNINSTALL_GRACE_DAYS`). */
  uninstallGraceMs: number;
  /**
   * Renders Markdown blocks to ADF for `blocks.get` (the publishing engine's
   * mapping, on the render pool), when wired; rejects with a
   * `ContentTooComplexError` for Markdown over the render budget.
   */
  renderMarkdown?: ((markdown: string) => Promise<AdfDocument>) | undefined;
  logger?: Logger | undefined;
  /** The export extension's part of `settings.get`/`settings.update`, when it runs. */
  exportSettings?: ExportSettingsPart | undefined;
}

/** What `settings.get` shows of export and how `settings.update` applies its `export` field (export/). */
export interface ExportSettingsPart {
  view(target: { installationId: string; spaceKey: string }): Promise<ExportSettingsView>;
  /** Resolves to the change in words, for the settings activity row. */
  updateSettings(input: {
    installationId: string;
    spaceKey: string;
    spaceId: string | null;
    accountId: string;
    change: { enabled: boolean; includeRestricted?: boolean | undefined };
    now: Date;
  }): Promise<string>;
}

/** The space key of a call the router already checked names one (`needsSpace`). */
export function spaceOf(context: EffectiveContext): string {
  if (context.spaceKey === null) throw new Error('an operation that needs a space ran without one');
  return context.spaceKey;
}

export function actorOf(context: EffectiveContext): string {
  return context.accountId ?? 'unknown';
}
