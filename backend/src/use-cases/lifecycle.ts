import type { Logger } from 'pino';
import type { AppTokenStore } from '../credentials/app-token-store';
import { isAllowedSiteUrl, normaliseSiteUrl } from '../domain/site-url';
import type { InstallationStore, SpaceSettingsStore } from './ports';

export interface LifecycleUseCasesDeps {
  installations: InstallationStore;
  spaceSettings: Pick<SpaceSettingsStore, 'copyAll'>;
  appTokens: Pick<AppTokenStore, 'status'>;
  atlassianApiBase: URL;
  /** How long an uninstalled installation's data is kept (config `PAGEWIRE_UNINSTALL_GRACE_DAYS`). */
  uninstallGraceMs: number;
  now: () => Date;
}

/** An installation as a verified Forge call shows it: the signed token's fields and the call's site URL. */
export interface InstallationSeen {
  installationId: string;
  cloudId: string;
  apiBaseUrl: string;
  environmentType: string | null;
  /** From the call's context (signed, or our function's envelope); only kept when it is an Atlassian site. */
  siteUrl: string | null;
}

/** A lifecycle event: the installation seen, and the installation id Forge's unsigned event body claims. */
export interface LifecycleEvent extends InstallationSeen {
  claimedInstallationId: string | undefined;
}

export interface LifecycleUseCases {
  /** Records the installation and gives a reinstall on the same site its spaces' settings back. */
  installed(event: LifecycleEvent, log: Logger): Promise<{ installationId: string }>;
  /** Records the uninstall once; the data is purged after the grace period. */
  uninstalled(event: LifecycleEvent, log: Logger): Promise<{ installationId: string; purgeAfter: string }>;
  /** A scheduled token refresh: when the app token the router was offered expires. */
  tokenRefreshed(
    event: LifecycleEvent,
    log: Logger,
  ): Promise<{ installationId: string; appTokenExpiresAt: string | null }>;
  /**
   * Records the installation a verified call came from, skipping the write when
   * this process recorded the same sighting last (a steady stream of calls does
   * not re-read the installations table every time).
   */
  noteSighting(seen: InstallationSeen): Promise<void>;
}

export function createLifecycleUseCases(deps: LifecycleUseCasesDeps): LifecycleUseCases {
  return {
    async installed(event, log) {
      await recordInstallation(deps, event, log);
      await remapReinstall(deps, event, log);
      return { installationId: event.installationId };
    },

    async uninstalled(event, log) {
      await recordInstallation(deps, event, log);
      const at = (await deps.installations.markUninstalled(event.installationId, deps.now())) ?? deps.now();
      const purgeAfter = new Date(at.getTime() + deps.uninstallGraceMs);
      log.info({ purgeAfter: purgeAfter.toISOString() }, 'the app was uninstalled; publishing stops');
      return { installationId: event.installationId, purgeAfter: purgeAfter.toISOString() };
    },

    async tokenRefreshed(event, log) {
      await recordInstallation(deps, event, log);
      const status = await deps.appTokens.status(event.installationId);
      return { installationId: event.installationId, appTokenExpiresAt: status.expiresAt };
    },

    noteSighting: createSightingRecorder(deps),
  };
}

function siteUrlOf(deps: LifecycleUseCasesDeps, candidate: string | null): string | undefined {
  return candidate !== null && isAllowedSiteUrl(candidate, deps.atlassianApiBase)
    ? normaliseSiteUrl(candidate)
    : undefined;
}

/**
 * Records the installation: installationId, cloudId and apiBaseUrl from the
 * signed FIT, the site URL from the call's context (signed, or our function's
 * envelope). Forge's event body is never identity: it is unsigned, and a body
 * naming another installation is ignored (and logged). Recording is an upsert
 * that changes nothing the second time, so Forge's redeliveries (any non-2xx
 * or timeout, 4 times: /remote/sending-product-events/) are harmless. The app
 * system token was already offered to the store by the router. Nothing here
 * calls out: Forge gives trigger deliveries 5 s (/remote/essentials/).
 */
async function recordInstallation(
  deps: LifecycleUseCasesDeps,
  event: LifecycleEvent,
  log: Logger,
): Promise<void> {
  const claimed = event.claimedInstallationId;
  const signed = event.installationId;
  if (claimed !== undefined && claimed !== signed && claimed !== signed.slice(signed.lastIndexOf('/') + 1)) {
    log.warn('a Forge event body names another installation than its signed token; the body is ignored');
  }
  const changed = await deps.installations.record(
    {
      installationId: event.installationId,
      cloudId: event.cloudId,
      apiBaseUrl: event.apiBaseUrl,
      environmentType: event.environmentType,
      siteUrl: siteUrlOf(deps, event.siteUrl),
    },
    deps.now(),
  );
  if (changed) log.info({ installationId: event.installationId }, 'installation recorded');
}

/**
 * A reinstall gets a new installationId on the same site (cloudId is stable:
 * https://developer.atlassian.com/platform/forge/remote/essentials/, "Recovering
 * data if installationId changes"): the spaces' settings of the installation
 * uninstalled from this site within the grace period are copied over, once.
 */
async function remapReinstall(
  deps: LifecycleUseCasesDeps,
  event: LifecycleEvent,
  log: Logger,
): Promise<void> {
  const now = deps.now();
  const previous = await deps.installations.findUninstalledOnSite(
    event.cloudId,
    new Date(now.getTime() - deps.uninstallGraceMs),
    event.installationId,
  );
  if (previous === null) return;
  const copied = await deps.spaceSettings.copyAll(previous.installationId, event.installationId, now);
  if (copied > 0) {
    log.info(
      { previousInstallationId: previous.installationId, spaces: copied },
      'a reinstall on the same site got its spaces’ settings back',
    );
  }
}

function createSightingRecorder(deps: LifecycleUseCasesDeps): (seen: InstallationSeen) => Promise<void> {
  // What this process last recorded per installation. Keyed by the sighting as it arrived (before
  // the site URL is parsed and normalised): the same inputs always give the same record.
  const recorded = new Map<string, string>();
  return async (seen) => {
    const fingerprint = `${seen.cloudId}\n${seen.apiBaseUrl}\n${seen.environmentType}\n${seen.siteUrl ?? ''}`;
    if (recorded.get(seen.installationId) === fingerprint) return;
    await deps.installations.record(
      {
        installationId: seen.installationId,
        cloudId: seen.cloudId,
        apiBaseUrl: seen.apiBaseUrl,
        environmentType: seen.environmentType,
        siteUrl: siteUrlOf(deps, seen.siteUrl),
      },
      deps.now(),
    );
    if (recorded.size > 10_000) recorded.clear();
    recorded.set(seen.installationId, fingerprint);
  };
}
