import type { z } from 'zod';
import type { ConfluenceClient, ConfluenceRequest } from './client';
import { ConfluenceConfigError } from './errors';

/**
 * Cursor pagination. The next page is named in the `Link` header
 * (`<…?cursor=…>; rel="next"`) and in the body's `_links.next`; both are
 * site-relative and are resolved against the gateway by the client, never
 * against `_links.base` (the site). The cursor is opaque: the whole link is
 * followed as given, because cutting the cursor out by hand broke other
 * clients (docs/platform-notes.md#cursor-pagination).
 */

/** The `rel="next"` target of a `Link` header, or null. */
export function nextLinkFromHeader(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!match) continue;
    const rels = (match[2] ?? '')
      .split(';')
      .map((param) => param.trim())
      .filter((param) => /^rel\s*=/i.test(param))
      .flatMap((param) =>
        param
          .replace(/^rel\s*=\s*/i, '')
          .replace(/^"|"$/g, '')
          .split(/\s+/),
      );
    if (rels.some((rel) => rel.toLowerCase() === 'next')) return match[1] ?? null;
  }
  return null;
}

/** v2 list endpoints take 1 to 250 items a page; Pagewire asks for the most unless told otherwise. */
export function pageSize(limit: number | undefined): number {
  return Math.min(Math.max(limit ?? 250, 1), 250);
}

interface PageOf<Item> {
  readonly results: readonly Item[];
  readonly _links?: { readonly next?: string | undefined } | null | undefined;
}

/**
 * Yields every item across pages, starting from `first` and following next
 * links until there is none. A link seen twice stops with an error instead
 * of looping forever.
 */
export async function* paginate<Item, Page extends PageOf<Item>>(
  client: ConfluenceClient,
  first: ConfluenceRequest<Page> & { readonly schema: z.ZodType<Page> },
): AsyncGenerator<Item, void, undefined> {
  let request: ConfluenceRequest<Page> = first;
  const seen = new Set<string>();
  for (;;) {
    const response = await client.send(request);
    for (const item of response.data.results) yield item;
    const next = nextLinkFromHeader(response.headers.get('link')) ?? response.data._links?.next ?? null;
    if (!next) return;
    if (seen.has(next)) {
      throw new ConfluenceConfigError(
        `Confluence sent the same next link twice (${next}); stopping instead of looping.`,
      );
    }
    seen.add(next);
    // The link carries every query parameter already (limit, filters, cursor).
    request = { ...first, path: next, query: undefined };
  }
}

/** Collects an async iterable; for lists known to be short (a space's properties with one key). */
export async function collect<T>(items: AsyncIterable<T>, max = 10_000): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) {
    all.push(item);
    if (all.length >= max) break;
  }
  return all;
}
