import { type InvocationContext, invocationContextSchema, type ResolverResult } from '@pagewire/shared';
import { resolverError } from './resolver-errors';

/**
 * The part of the context `@forge/resolver` hands a resolver that Pagewire
 * reads. Forge fills it on the server from the invocation, and documents it as
 * "secure, unalterable, and valid to be used for authorization"
 * (https://developer.atlassian.com/platform/forge/app-context-security/); the
 * payload, by contrast, is whatever the browser sent.
 */
export interface PlatformContext {
  accountId?: string;
  cloudId?: string;
  siteUrl?: string;
  localId?: string;
  moduleKey?: string;
  extension?: {
    type?: string;
    space?: { id?: string | number; key?: string };
    content?: { id?: string | number; type?: string };
  };
}

/**
 * Builds the envelope's context **only** from the platform context. Nothing
 * here looks at the payload, so a frontend cannot name another user or space.
 */
export function invocationContextFrom(
  platform: PlatformContext,
  isSpaceAdmin?: boolean,
): ResolverResult<InvocationContext> {
  if (!platform.accountId) {
    return {
      ok: false,
      error: resolverError('invalid_invocation_token', {
        message: 'Log in to Confluence to see Pagewire content.',
      }),
    };
  }
  const candidate: Record<string, unknown> = {
    cloudId: platform.cloudId,
    accountId: platform.accountId,
    siteUrl: platform.siteUrl,
    spaceKey: platform.extension?.space?.key,
    spaceId: idString(platform.extension?.space?.id),
    contentId: idString(platform.extension?.content?.id),
    // The macro can sit on a page or a blog post; snapshots go to that content's properties.
    contentType: contentTypeOf(platform.extension?.content?.type),
    localId: platform.localId,
    isSpaceAdmin,
  };
  for (const key of Object.keys(candidate)) if (candidate[key] === undefined) delete candidate[key];
  const parsed = invocationContextSchema.safeParse(candidate);
  if (!parsed.success) {
    return {
      ok: false,
      error: resolverError('space_required', {
        message: 'Confluence did not say which site and space this is. Reload the page and try again.',
      }),
    };
  }
  return { ok: true, data: parsed.data };
}

function contentTypeOf(type: string | undefined): 'page' | 'blogpost' | undefined {
  return type === 'page' || type === 'blogpost' ? type : undefined;
}

function idString(id: string | number | undefined): string | undefined {
  return id === undefined ? undefined : String(id);
}
