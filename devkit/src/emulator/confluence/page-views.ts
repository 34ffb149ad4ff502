import type { AdfValidator } from '@pagewire/shared/adf-validator';
import {
  type BodyRepresentation,
  type ContentProperty,
  currentVersion,
  type Label,
  type Page,
  type PageVersion,
  type Site,
  type Space,
  type StoredBody,
} from '../state/emulator-state';
import { type ConfluenceResult, v2BadRequest } from './confluence-results';

/**
 * How pages, spaces, versions, properties and labels look on the wire: the v2
 * `PageSingle`/`PageBulk`, `SpaceBulk`, `Version`, `ContentProperty` and
 * `Label` schemas, field for field, so a client that validates responses
 * (confluence.js does, with zod) accepts them.
 */

export const LIST_BODY_FORMATS = ['storage', 'atlas_doc_format'] as const;
/** `PrimaryBodyRepresentationSingle` allows more formats on single reads. */
export const SINGLE_BODY_FORMATS = [
  'storage',
  'atlas_doc_format',
  'view',
  'export_view',
  'anonymous_export_view',
  'styled_view',
  'editor',
] as const;

export type BodyFormatParse =
  | { ok: true; format: string | undefined }
  | { ok: false; error: ConfluenceResult };

export function parseBodyFormat(query: URLSearchParams, allowed: readonly string[]): BodyFormatParse {
  const format = query.get('body-format') ?? undefined;
  if (format === undefined || allowed.includes(format)) return { ok: true, format };
  return {
    ok: false,
    error: v2BadRequest(`Invalid value for parameter body-format`, `Expected one of: ${allowed.join(', ')}`),
  };
}

export function renderVersion(version: PageVersion | ContentProperty['version']): Record<string, unknown> {
  return {
    createdAt: version.createdAt.toISOString(),
    message: version.message,
    number: version.number,
    minorEdit: version.minorEdit,
    authorId: version.authorId,
  };
}

/**
 * Without `body-format` the body comes back empty (docs/platform-notes.md#reading-a-page-body).
 * The emulator stores a body in the representation it was written in and does
 * not convert between storage and ADF, so another format also reads as empty;
 * DEVKIT.md lists this under "not emulated".
 */
export function renderBody(body: StoredBody | null, format: string | undefined): Record<string, unknown> {
  if (!format || !body || body.representation !== format) return {};
  return { [format]: { representation: format, value: body.value } };
}

/**
 * `_links` of a page or blog post; `section` is the web UI path between the
 * space and the id (`pages`, or `blog/<yyyy>/<mm>/<dd>` for a blog post).
 */
export function contentLinks(
  content: Page,
  space: Space,
  section: string,
  title: string,
): Record<string, string> {
  const slug = encodeURIComponent(title.replace(/ /g, '+')).replace(/%2B/g, '+');
  return {
    webui: `/spaces/${encodeURIComponent(space.key)}/${section}/${content.id}/${slug}`,
    editui: `/pages/resumedraft.action?draftId=${content.id}`,
    tinyui: `/x/${Buffer.from(content.id).toString('base64url')}`,
  };
}

export interface PageRenderOptions {
  readonly space: Space;
  readonly bodyFormat: string | undefined;
  readonly siteWikiBase?: string | undefined;
  readonly version?: PageVersion | undefined;
  readonly includeVersion?: boolean;
}

/**
 * What a page and a blog post share on the wire; `fields` are the type's own,
 * between `spaceId` and `createdAt`.
 */
export function renderContent(
  content: Page,
  options: PageRenderOptions & { section: string },
  fields: Record<string, unknown>,
): Record<string, unknown> {
  const version = options.version ?? currentVersion(content);
  const links = contentLinks(content, options.space, options.section, version.title);
  if (options.siteWikiBase) links.base = options.siteWikiBase;
  const rendered: Record<string, unknown> = {
    id: content.id,
    status: content.status,
    title: version.title,
    spaceId: content.spaceId,
    ...fields,
    createdAt: content.createdAt.toISOString(),
    body: renderBody(version.body, options.bodyFormat),
    _links: links,
  };
  if (options.includeVersion !== false) rendered.version = renderVersion(version);
  return rendered;
}

export function renderPage(page: Page, options: PageRenderOptions): Record<string, unknown> {
  return renderContent(
    page,
    { ...options, section: 'pages' },
    {
      parentId: page.parentId,
      parentType: page.parentId === null ? null : 'page',
      position: null,
      authorId: page.authorId,
      ownerId: page.ownerId,
      lastOwnerId: null,
    },
  );
}

/** A personal space's key is `~` and its owner (docs/platform-notes.md#space-keys); v2 types it `personal`. */
export function spaceTypeOf(space: Space): 'global' | 'personal' {
  return space.key.startsWith('~') ? 'personal' : 'global';
}

export function renderSpace(space: Space, siteWikiBase?: string): Record<string, unknown> {
  const links: Record<string, string> = { webui: `/spaces/${encodeURIComponent(space.key)}` };
  if (siteWikiBase) links.base = siteWikiBase;
  return {
    id: space.id,
    key: space.key,
    name: space.name,
    type: spaceTypeOf(space),
    status: 'current',
    authorId: space.authorId,
    spaceOwnerId: space.authorId,
    createdAt: space.createdAt.toISOString(),
    homepageId: space.homepageId ?? undefined,
    description: null,
    icon: null,
    currentActiveAlias: null,
    _links: links,
  };
}

export function renderProperty(property: ContentProperty): Record<string, unknown> {
  return {
    id: property.id,
    key: property.key,
    value: property.value,
    version: renderVersion(property.version),
  };
}

export function renderV2Label(label: Label): Record<string, unknown> {
  return { id: label.id, name: label.name, prefix: label.prefix };
}

export function renderV1Label(label: Label): Record<string, unknown> {
  return { prefix: label.prefix, name: label.name, id: label.id, label: label.name };
}

export type BodyInput = { ok: true; body: StoredBody | null } | { ok: false; error: ConfluenceResult };

/**
 * A page body on create or update: `{representation, value}` or the nested
 * `{storage: {…}}` form, exactly one format (docs/platform-notes.md#updating-a-page). ADF
 * travels as a JSON **string** and is checked against the ADF JSON schema;
 * storage (XHTML) is kept exactly as given.
 */
export function parseBodyInput(raw: unknown, adf: AdfValidator): BodyInput {
  if (raw === undefined || raw === null) return { ok: true, body: null };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, error: v2BadRequest('Invalid body', 'body must be an object') };
  }
  const record = raw as Record<string, unknown>;
  let representation: unknown;
  let value: unknown;
  if ('representation' in record || 'value' in record) {
    representation = record.representation;
    value = record.value;
  } else {
    const nested = Object.keys(record).filter((key) => record[key] !== undefined && record[key] !== null);
    if (nested.length !== 1) {
      return {
        ok: false,
        error: v2BadRequest('Invalid body', 'give exactly one body representation'),
      };
    }
    const inner = record[nested[0]!];
    if (typeof inner !== 'object' || inner === null) {
      return { ok: false, error: v2BadRequest('Invalid body', `body.${nested[0]} must be an object`) };
    }
    representation = (inner as Record<string, unknown>).representation ?? nested[0];
    value = (inner as Record<string, unknown>).value;
  }
  if (representation === 'wiki') {
    return {
      ok: false,
      error: v2BadRequest(
        'Unsupported body representation',
        'the devkit emulator stores storage and atlas_doc_format bodies only; it does not convert wiki markup',
      ),
    };
  }
  if (representation !== 'storage' && representation !== 'atlas_doc_format') {
    return {
      ok: false,
      error: v2BadRequest(
        'Invalid body representation',
        'representation must be storage or atlas_doc_format',
      ),
    };
  }
  if (typeof value !== 'string') {
    return { ok: false, error: v2BadRequest('Invalid body', 'body value must be a string') };
  }
  if (representation === 'atlas_doc_format') {
    let document: unknown;
    try {
      document = JSON.parse(value);
    } catch {
      return {
        ok: false,
        error: v2BadRequest('Invalid ADF content', 'the atlas_doc_format value is not JSON'),
      };
    }
    const validation = adf.validate(document);
    if (!validation.valid) {
      const first = validation.errors[0];
      return {
        ok: false,
        error: v2BadRequest(
          'Invalid ADF content',
          first ? `${first.path || '/'} ${first.message}` : 'the document does not match the ADF schema',
        ),
      };
    }
  }
  return { ok: true, body: { representation: representation as BodyRepresentation, value } };
}

/** Confluence refuses two current pages with one title in a space (docs/platform-notes.md#creating-a-page, 2nd-hand). */
export function titleTaken(site: Site, spaceId: string, title: string, exceptPageId?: string): boolean {
  const type = exceptPageId === undefined ? undefined : site.pages.get(exceptPageId)?.contentType;
  for (const page of site.pages.values()) {
    if (page.spaceId !== spaceId || page.status !== 'current' || page.id === exceptPageId) continue;
    if (page.contentType !== type) continue;
    if (currentVersion(page).title === title) return true;
  }
  return false;
}
