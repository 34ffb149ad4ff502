import { type ConfluenceResult, v2BadRequest } from './confluence-results';

/**
 * v2 cursor pagination (docs/platform-notes.md#cursor-pagination): `limit` defaults to 25 and
 * must be 1–250; the next page is announced twice, in the `Link` header
 * (`<…>; rel="next"` plus `rel="base"`) and in `_links.next`, which is absent
 * on the last page. Both are **site-relative** (`/wiki/api/v2/…`), so behind the
 * gateway the client prefixes its own base URL. The cursor is opaque; a
 * damaged one answers 400 INVALID_REQUEST_PARAMETER "Expected type is Cursor"
 * (PipedreamHQ/pipedream #15776).
 */
export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 250;

export type LimitParse = { ok: true; limit: number } | { ok: false; error: ConfluenceResult };

export function parseLimit(query: URLSearchParams): LimitParse {
  const raw = query.get('limit');
  if (raw === null) return { ok: true, limit: DEFAULT_LIMIT };
  if (!/^\d{1,9}$/.test(raw)) {
    return { ok: false, error: v2BadRequest(`Expected type is Integer for parameter limit`, raw) };
  }
  const limit = Number(raw);
  if (limit < 1 || limit > MAX_LIMIT) {
    return {
      ok: false,
      error: v2BadRequest(`Limit must be between 1 and ${MAX_LIMIT}`, `limit: ${limit}`),
    };
  }
  return { ok: true, limit };
}

const CURSOR_PREFIX = 'pw1.';

export function encodeCursor(offset: number): string {
  return CURSOR_PREFIX + Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

export type CursorParse = { ok: true; offset: number } | { ok: false; error: ConfluenceResult };

export function parseCursor(query: URLSearchParams): CursorParse {
  const raw = query.get('cursor');
  if (raw === null || raw === '') return { ok: true, offset: 0 };
  const invalid: CursorParse = {
    ok: false,
    error: v2BadRequest('Expected type is Cursor', `cursor: ${raw}`),
  };
  if (!raw.startsWith(CURSOR_PREFIX)) return invalid;
  try {
    const decoded: unknown = JSON.parse(
      Buffer.from(raw.slice(CURSOR_PREFIX.length), 'base64url').toString('utf8'),
    );
    if (
      typeof decoded === 'object' &&
      decoded !== null &&
      'offset' in decoded &&
      Number.isSafeInteger(decoded.offset) &&
      (decoded.offset as number) >= 0
    ) {
      return { ok: true, offset: decoded.offset as number };
    }
  } catch {
    // Fall through: anything that does not decode is not a cursor.
  }
  return invalid;
}

export type PageWindow = { ok: true; offset: number; limit: number } | { ok: false; error: ConfluenceResult };

export function parseWindow(query: URLSearchParams): PageWindow {
  const limit = parseLimit(query);
  if (!limit.ok) return limit;
  const cursor = parseCursor(query);
  if (!cursor.ok) return cursor;
  return { ok: true, offset: cursor.offset, limit: limit.limit };
}

/**
 * Answers one page of `items` with both next-page announcements. `wikiPath` is
 * the site-relative path of the list (`/wiki/api/v2/pages`), `siteWikiBase`
 * the site's `…/wiki` URL that production sends as `rel="base"` / `_links.base`.
 */
export function listPage<Item>(
  items: readonly Item[],
  window: { offset: number; limit: number },
  request: { wikiPath: string; query: URLSearchParams; siteWikiBase: string },
  render: (item: Item) => unknown,
  pointsPerItem = 1,
): ConfluenceResult {
  const slice = items.slice(window.offset, window.offset + window.limit);
  const nextOffset = window.offset + slice.length;
  const links: Record<string, string> = { base: request.siteWikiBase };
  let linkHeader = `<${request.siteWikiBase}>; rel="base"`;
  if (nextOffset < items.length) {
    const nextQuery = new URLSearchParams(request.query);
    nextQuery.set('cursor', encodeCursor(nextOffset));
    const next = `${request.wikiPath}?${nextQuery.toString()}`;
    links.next = next;
    linkHeader = `<${next}>; rel="next", ${linkHeader}`;
  }
  return {
    status: 200,
    body: { results: slice.map(render), _links: links },
    headers: { link: linkHeader },
    points: 1 + slice.length * pointsPerItem,
  };
}
