import { asApp, asUser, invokeRemote, route } from '@forge/api';
import type { AdfExportDependencies } from '../adf-export/macro-adf-export';
import { BACKEND_REMOTE_KEY } from '../manifest-keys';
import { createBackendClient } from '../resolvers/backend-client';
import type { ResolverDependencies } from '../resolvers/operation-resolvers';
import { createSpaceAdminCheck } from '../resolvers/space-admin-check';

/**
 * Time budgets inside the 25 s a UI resolver gets (docs/platform-notes.md#forge-invocation-time-limits): the
 * admin check, then one backend call, never retried, with room to spare for
 * Forge's own overhead.
 */
export const ADMIN_CHECK_TIMEOUT_MS = 5_000;
export const BACKEND_TIMEOUT_MS = 15_000;
/** adfExport runs once per macro per export; a slow property read must not stall an export. */
export const SNAPSHOT_READ_TIMEOUT_MS = 5_000;

const now = () => new Date();

/**
 * The composition root's wiring to the Forge runtime. Every call goes through
 * `@forge/api`, whose I/O the runtime (or the devkit's harness, in tests)
 * provides; nothing here is called at import time.
 */
export function forgeResolverDependencies(
  budgets: { adminCheckTimeoutMs?: number; backendTimeoutMs?: number } = {},
): ResolverDependencies {
  return {
    backend: createBackendClient({
      // Forge signs a Forge Invocation Token for every call and attaches the
      // app system token configured under `remotes[].auth` (manifest.yml).
      transport: (path, request) => invokeRemote(BACKEND_REMOTE_KEY, { path, ...request }),
      timeoutMs: budgets.backendTimeoutMs ?? BACKEND_TIMEOUT_MS,
      now,
    }),
    snapshots: forgeAdfExportDependencies(),
    checkSpaceAdmin: createSpaceAdminCheck({
      requestAsUser: (spaceId) =>
        asUser().requestConfluence(route`/wiki/api/v2/spaces/${spaceId}/operations`, {
          headers: { accept: 'application/json' },
        }),
      timeoutMs: budgets.adminCheckTimeoutMs ?? ADMIN_CHECK_TIMEOUT_MS,
      now,
    }),
  };
}

export function forgeAdfExportDependencies(): AdfExportDependencies {
  return {
    // Blog posts carry content properties under their own path; the macro can
    // sit on either (macro extension context `content.type`).
    readContentProperties: (content, key) =>
      asApp().requestConfluence(
        content.type === 'blogpost'
          ? route`/wiki/api/v2/blogposts/${content.id}/properties?key=${key}`
          : route`/wiki/api/v2/pages/${content.id}/properties?key=${key}`,
        { headers: { accept: 'application/json' } },
      ),
    timeoutMs: SNAPSHOT_READ_TIMEOUT_MS,
  };
}
