import { isAllowedSiteUrl, normaliseSiteUrl } from '../../domain/site-url';
import type { OperationCall, OperationDeps, OperationHandlers } from './operation-types';

type LifecycleCall = OperationCall<'lifecycle.installed'> | OperationCall<'lifecycle.tokenRefresh'>;

/**
 * Records the installation (installationId, cloudId, apiBaseUrl from the
 * signed FIT; the site URL from the context or Forge's event payload, when it
 * is an Atlassian site). The app system token was already offered to the
 * store by the router. Nothing here calls out: Forge gives trigger
 * deliveries 5 s (/remote/essentials/).
 */
async function recordInstallation(deps: OperationDeps, call: LifecycleCall): Promise<void> {
  const candidates = [call.context.siteUrl, call.event?.context?.siteUrl];
  const siteUrl = candidates.find(
    (candidate): candidate is string =>
      typeof candidate === 'string' && isAllowedSiteUrl(candidate, deps.atlassianApiBase),
  );
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

export function createLifecycleOperations(
  deps: OperationDeps,
): Pick<OperationHandlers, 'lifecycle.installed' | 'lifecycle.tokenRefresh'> {
  return {
    async 'lifecycle.installed'(call) {
      await recordInstallation(deps, call);
      return { installationId: call.invocation.installationId };
    },
    async 'lifecycle.tokenRefresh'(call) {
      await recordInstallation(deps, call);
      const status = await deps.appTokens.status(call.invocation.installationId);
      return { installationId: call.invocation.installationId, appTokenExpiresAt: status.expiresAt };
    },
  };
}
