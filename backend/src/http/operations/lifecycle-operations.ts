import { isAllowedSiteUrl, normaliseSiteUrl } from '../../domain/site-url';
import type { OperationCall, OperationDeps, OperationHandlers } from './operation-types';

type LifecycleCall =
  | OperationCall<'lifecycle.installed'>
  | OperationCall<'lifecycle.tokenRefresh'>
  | OperationCall<'lifecycle.uninstalled'>;

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
async function recordInstallation(deps: OperationDeps, call: LifecycleCall): Promise<void> {
  const claimed = call.event?.id;
  const signed = call.invocation.installationId;
  if (claimed !== undefined && claimed !== signed && claimed !== signed.slice(signed.lastIndexOf('/') + 1)) {
    call.log.warn('a Forge event body names another installation than its signed token; the body is ignored');
  }
  const candidate = call.context.siteUrl;
  const siteUrl =
    candidate !== null && isAllowedSiteUrl(candidate, deps.atlassianApiBase) ? candidate : undefined;
  const changed = await deps.repositories.installations.record(
    {
      installationId: call.invocation.installationId,
      cloudId: call.invocation.cloudId,
      apiBaseUrl: call.invocation.apiBaseUrl,
      environmentType: call.invocation.environmentType,
      siteUrl: siteUrl === undefined ? undefined : normaliseSiteUrl(siteUrl),
    },
    deps.now(),
  );
  if (changed) call.log.info({ installationId: call.invocation.installationId }, 'installation recorded');
}

/**
 * A reinstall gets a new installationId on the same site (cloudId is stable:
 * https://developer.atlassian.com/platform/forge/remote/essentials/, "Recovering
 * data if installationId changes"): the spaces' settings of the installation
 * uninstalled from this site within the grace period are copied over, once.
 */
async function remapReinstall(deps: OperationDeps, call: LifecycleCall): Promise<void> {
  const installationId = call.invocation.installationId;
  const now = deps.now();
  const previous = await deps.repositories.installations.findUninstalledOnSite(
    call.invocation.cloudId,
    new Date(now.getTime() - deps.uninstallGraceMs),
    installationId,
  );
  if (previous === null) return;
  const copied = await deps.repositories.spaceSettings.copyAll(previous.installationId, installationId, now);
  if (copied > 0) {
    call.log.info(
      { previousInstallationId: previous.installationId, spaces: copied },
      'a reinstall on the same site got its spaces’ settings back',
    );
  }
}

export function createLifecycleOperations(
  deps: OperationDeps,
): Pick<OperationHandlers, 'lifecycle.installed' | 'lifecycle.tokenRefresh' | 'lifecycle.uninstalled'> {
  return {
    async 'lifecycle.installed'(call) {
      await recordInstallation(deps, call);
      await remapReinstall(deps, call);
      return { installationId: call.invocation.installationId };
    },
    async 'lifecycle.uninstalled'(call) {
      await recordInstallation(deps, call);
      const at =
        (await deps.repositories.installations.markUninstalled(call.invocation.installationId, deps.now())) ??
        deps.now();
      const purgeAfter = new Date(at.getTime() + deps.uninstallGraceMs);
      call.log.info({ purgeAfter: purgeAfter.toISOString() }, 'the app was uninstalled; publishing stops');
      return { installationId: call.invocation.installationId, purgeAfter: purgeAfter.toISOString() };
    },
    async 'lifecycle.tokenRefresh'(call) {
      await recordInstallation(deps, call);
      const status = await deps.appTokens.status(call.invocation.installationId);
      return { installationId: call.invocation.installationId, appTokenExpiresAt: status.expiresAt };
    },
  };
}
