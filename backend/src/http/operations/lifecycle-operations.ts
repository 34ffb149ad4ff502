import type { LifecycleEvent } from '../../use-cases/lifecycle';
import type { OperationCall, OperationDeps, OperationHandlers } from './operation-types';

type LifecycleCall =
  | OperationCall<'lifecycle.installed'>
  | OperationCall<'lifecycle.tokenRefresh'>
  | OperationCall<'lifecycle.uninstalled'>;

/** The installation from the signed token, the site URL from the call's context, the body's claim beside it. */
function eventOf(call: LifecycleCall): LifecycleEvent {
  return {
    installationId: call.invocation.installationId,
    cloudId: call.invocation.cloudId,
    apiBaseUrl: call.invocation.apiBaseUrl,
    environmentType: call.invocation.environmentType,
    siteUrl: call.context.siteUrl,
    claimedInstallationId: call.event?.id,
  };
}

export function createLifecycleOperations(
  deps: OperationDeps,
): Pick<OperationHandlers, 'lifecycle.installed' | 'lifecycle.tokenRefresh' | 'lifecycle.uninstalled'> {
  const { lifecycle } = deps.useCases;
  return {
    'lifecycle.installed': (call) => lifecycle.installed(eventOf(call), call.log),
    'lifecycle.uninstalled': (call) => lifecycle.uninstalled(eventOf(call), call.log),
    'lifecycle.tokenRefresh': (call) => lifecycle.tokenRefreshed(eventOf(call), call.log),
  };
}
