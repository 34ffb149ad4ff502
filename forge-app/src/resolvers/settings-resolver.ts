import type { OperationName } from '@pagewire/shared';
import { SPACE_SETTINGS_MODULE_KEY } from '../manifest-keys';
import {
  createOperationResolver,
  type ResolverDependencies,
  type ResolverHandler,
} from './operation-resolvers';

/**
 * Every settings operation. The lifecycle operations are not exposed: Forge
 * reaches them through the manifest's triggers with the app system token, and a
 * browser has no business re-running installation bookkeeping.
 */
export const SETTINGS_OPERATIONS = [
  'settings.get',
  'settings.update',
  'apiToken.set',
  'apiToken.remove',
  'ingestKeys.create',
  'ingestKeys.revoke',
  'exportKeys.create',
  'exportKeys.revoke',
  'activity.list',
  'blocks.overview',
  'blocks.delete',
  'pages.list',
  'pages.overwrite',
  'pages.release',
  'webhooks.create',
  'webhooks.list',
  'webhooks.delete',
  'webhooks.test',
] as const satisfies readonly OperationName[];

export function createSettingsResolver(deps: ResolverDependencies): ResolverHandler {
  return createOperationResolver(
    {
      moduleKey: SPACE_SETTINGS_MODULE_KEY,
      operations: SETTINGS_OPERATIONS,
      // The page asks once on load, so it can show non-admins a read-only view.
      reportAdminOn: ['settings.get'],
    },
    deps,
  );
}
