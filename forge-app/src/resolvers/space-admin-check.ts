import type { ResolverResult } from '@pagewire/shared';
import { z } from 'zod';
import { resolverError, retryAtFrom } from './resolver-errors';

export interface ConfluenceResponse {
  status: number;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
}

/**
 * GETs a Confluence path **as the user** who invoked the resolver (in
 * production `asUser().requestConfluence(route\`…\`)`), so Confluence answers
 * with that user's permissions, not the app's.
 */
export type RequestConfluenceAsUser = (spaceId: string) => Promise<ConfluenceResponse>;

/** Whether the invoking user administers the space; an error when Confluence cannot say. */
export type SpaceAdminCheck = (spaceId: string) => Promise<ResolverResult<boolean>>;

/**
 * `GET /wiki/api/v2/spaces/{id}/operations` answers `PermittedOperationsResponse`
 * (`{operations: [{operation, targetType}]}`) for the calling user; a space admin
 * gets `administer` on `space`. Scope `read:space:confluence`; 404 when the user
 * cannot view the space (Confluence v2 OpenAPI spec, operation `getSpaceOperations`).
 */
const permittedOperationsSchema = z.object({
  operations: z.array(z.object({ operation: z.string(), targetType: z.string() })).default([]),
});

export interface SpaceAdminCheckOptions {
  requestAsUser: RequestConfluenceAsUser;
  timeoutMs: number;
  now: () => Date;
}

class DeadlineExceeded extends Error {}

export function createSpaceAdminCheck(options: SpaceAdminCheckOptions): SpaceAdminCheck {
  return async (spaceId) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineExceeded()), options.timeoutMs);
    });
    try {
      const { response, body } = await Promise.race([
        (async () => {
          const response = await options.requestAsUser(spaceId);
          const body = response.status === 200 ? await response.json().catch(() => undefined) : undefined;
          return { response, body };
        })(),
        deadline,
      ]);
      if (response.status === 200) {
        const parsed = permittedOperationsSchema.safeParse(body);
        if (!parsed.success) return { ok: false, error: unverifiable() };
        const administers = parsed.data.operations.some(
          (entry) => entry.operation === 'administer' && entry.targetType === 'space',
        );
        return { ok: true, data: administers };
      }
      // Confluence hides spaces a user cannot view behind 404; either way this
      // user does not administer it.
      if (response.status === 403 || response.status === 404) return { ok: true, data: false };
      if (response.status === 429) {
        const retryAt = retryAtFrom(undefined, response.headers.get('retry-after'), options.now());
        return {
          ok: false,
          error: resolverError(
            'confluence_rate_limited',
            retryAt ? { retry: { at: retryAt, now: options.now() } } : {},
          ),
        };
      }
      if (response.status === 401) {
        return {
          ok: false,
          error: resolverError('confluence_auth_failed', {
            message:
              'Confluence did not let Pagewire check your permissions in this space. Reload the page and allow Pagewire access if Confluence asks.',
          }),
        };
      }
      return { ok: false, error: unverifiable() };
    } catch (error) {
      // Forge turns this error into its "Allow access" consent prompt, so it
      // has to reach the platform instead of becoming a value.
      if (isNeedsAuthenticationError(error)) throw error;
      return { ok: false, error: unverifiable() };
    } finally {
      clearTimeout(timer);
    }
  };
}

function unverifiable() {
  return resolverError('confluence_unavailable', {
    message:
      'Pagewire could not check your permissions in this space because Confluence did not answer. Try again in a moment.',
  });
}

/**
 * `@forge/api` throws `NeedsAuthenticationError` (its `name` is
 * `NEEDS_AUTHENTICATION_ERR`) when the user has not yet granted the app access
 * as themselves. Checked by name, not class, so that a second copy of
 * `@forge/api` in the bundle is still recognised.
 */
export function isNeedsAuthenticationError(error: unknown): boolean {
  return error instanceof Error && error.name === 'NEEDS_AUTHENTICATION_ERR';
}
