import type { AdfValidator } from '@pagewire/shared/adf-validator';
import type { JsonParse } from '../http/http-io';
import type { RouteParams } from '../http/router';
import type { EmulatorState, Page, Site, Space } from '../state/emulator-state';
import { type ConfluenceResult, v2BadRequest } from './confluence-results';
import { restrictionAllows } from './content-restrictions';
import type { Caller, ScopeRequirement } from './credentials';

export interface ConfluenceContext {
  readonly state: EmulatorState;
  readonly site: Site;
  readonly caller: Caller;
  readonly params: RouteParams;
  readonly query: URLSearchParams;
  /** Site-relative path, e.g. `/wiki/api/v2/pages`. */
  readonly wikiPath: string;
  /** `<site URL>/wiki`, what production sends as `_links.base`. */
  readonly siteWikiBase: string;
  readonly now: Date;
  readonly adf: AdfValidator;
  /** The parsed request body, for methods that carry one. */
  readonly body: JsonParse;
}

/**
 * One Confluence REST endpoint the emulator serves: its method, path, scopes
 * and handler (in OpenAPI's words, one operation of Atlassian's spec). Named
 * an endpoint so that "operation" keeps one meaning in this repository: the
 * backend's catalogue of Forge operations (`POST /forge/v1/<operation>`).
 */
export interface EmulatedEndpoint {
  /** The v2 (or v1) OpenAPI `operationId` this emulates. */
  readonly operationId: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Site-relative path pattern with `:param` segments. */
  readonly path: string;
  /** From the spec's `x-atlassian-oauth2-scopes` (v1: classic or granular). */
  readonly scopes: ScopeRequirement;
  handle(context: ConfluenceContext): ConfluenceResult | Promise<ConfluenceResult>;
}

/**
 * Space permissions, enough for what Pagewire needs: members view and edit,
 * admins also administer. An app's system token acts as the app's bot user,
 * which can see and edit every space of the site it is installed on but
 * administers none. Confluence hides what a caller may not view behind 404
 * (docs/platform-notes.md#telling-confluence-401s-apart), so "not visible" and "not found" look the same.
 */
export function canView(space: Space, caller: Caller): boolean {
  const principal = caller.principal;
  if (principal.kind === 'app') return true;
  return space.admins.has(principal.accountId) || space.members.has(principal.accountId);
}

export const canEdit = canView;

export function canAdminister(space: Space, caller: Caller): boolean {
  const principal = caller.principal;
  return principal.kind === 'user' && space.admins.has(principal.accountId);
}

export function isBlogPost(page: Page): boolean {
  return page.contentType === 'blogpost';
}

/** A page (or, with `type: 'blogpost'`, a blog post) the caller may see; the other type is not found. */
export function visiblePage(
  context: ConfluenceContext,
  pageId: string,
  type: 'page' | 'blogpost' = 'page',
): { page: Page; space: Space } | undefined {
  const page = context.site.pages.get(pageId);
  if (!page || page.status === 'deleted') return undefined;
  if (isBlogPost(page) !== (type === 'blogpost')) return undefined;
  const space = context.site.spaces.get(page.spaceId);
  if (!space || !canView(space, context.caller)) return undefined;
  if (!restrictionAllows(context.site, page, context.caller)) return undefined;
  return { page, space };
}

export function visibleSpace(context: ConfluenceContext, spaceId: string): Space | undefined {
  const space = context.site.spaces.get(spaceId);
  return space && canView(space, context.caller) ? space : undefined;
}

/** Query arrays arrive as `a=1&a=2` or `a=1,2`; both forms are accepted by Confluence. */
export function queryList(query: URLSearchParams, name: string): string[] | undefined {
  const values = query.getAll(name);
  if (values.length === 0) return undefined;
  return values
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
}

export function queryFlag(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const raw = query.get(name);
  if (raw === null) return fallback;
  return raw === 'true';
}

/** Page, space and property ids are Longs in the v2 spec: digits only, at most 19 of them. */
export const NUMERIC_ID = /^\d{1,19}$/;

/** A content or space id given in a request body, as a string or a positive number. */
export function idString(value: unknown): string | undefined {
  if (typeof value === 'string' && NUMERIC_ID.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  return undefined;
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export type RequestObject =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; error: ConfluenceResult };

/** The JSON object a v2 write carries, or the 400 Confluence answers for anything else. */
export function requestObject(context: ConfluenceContext): RequestObject {
  if (context.body.kind === 'malformed') {
    return { ok: false, error: v2BadRequest('Invalid JSON in request body') };
  }
  const body = context.body.kind === 'ok' ? asRecord(context.body.value) : undefined;
  if (!body) return { ok: false, error: v2BadRequest('Request body must be a JSON object') };
  return { ok: true, body };
}
