import { z } from 'zod';
import { isForbiddenError, isNotFoundError, isScopeError } from '../confluence/errors';
import type { PageProperty, PublishingConfluence, PublishTarget } from './confluence-gateway';
import { PAGE_INDEX_PROPERTY_PREFIX, pageIndexEntrySchema } from './page-ownership';

/**
 * The space's index of Pagewire pages (externalId → pageId) on the space
 * homepage, read in full (see page-ownership.ts for why the homepage). Two
 * forms are read:
 *  - entries of one page each, `pagewire.index.<sha256>` → `{externalId, pageId}`
 *    (what earlier versions wrote, one property write per new page);
 *  - chunks, `pagewire.index.chunk-<n>` → `{entries: {externalId: pageId}}`,
 *    which the engine now writes in batches from its database
 *    (`page-indexer.ts`): one property write for all the pages created since
 *    the last one, not one per page.
 * A later chunk wins over an earlier one, and chunks win over single entries.
 */
export const PAGE_INDEX_CHUNK_PREFIX = `${PAGE_INDEX_PROPERTY_PREFIX}chunk-`;

/** Room left in a chunk for the JSON around the entries: a property holds 32 KB. */
export const PAGE_INDEX_CHUNK_BYTES = 24 * 1024;

const chunkValueSchema = z.looseObject({ entries: z.record(z.string(), z.string()) });

export interface PageIndexChunk {
  number: number;
  property: PageProperty;
  entries: Record<string, string>;
}

export interface PageIndex {
  /** externalId → pageId, as the index says now. */
  entries: Map<string, string>;
  /** The chunks, by number. */
  chunks: PageIndexChunk[];
}

export function readPageIndex(properties: readonly PageProperty[]): PageIndex {
  const entries = new Map<string, string>();
  const chunks: PageIndexChunk[] = [];
  for (const property of properties) {
    if (property.key.startsWith(PAGE_INDEX_CHUNK_PREFIX)) {
      const number = Number(property.key.slice(PAGE_INDEX_CHUNK_PREFIX.length));
      const value = chunkValueSchema.safeParse(property.value);
      if (Number.isSafeInteger(number) && number > 0 && value.success) {
        chunks.push({ number, property, entries: { ...value.data.entries } });
      }
      continue;
    }
    const entry = pageIndexEntrySchema.safeParse(property.value);
    if (entry.success) entries.set(entry.data.externalId, entry.data.pageId);
  }
  chunks.sort((a, b) => a.number - b.number);
  for (const chunk of chunks) {
    for (const [externalId, pageId] of Object.entries(chunk.entries)) entries.set(externalId, pageId);
  }
  return { entries, chunks };
}

/**
 * Where `additions` go: into the last chunk while it has room, else into a
 * new one. What is written is the chunk's whole value (a property write
 * replaces it); `existing` is null for a new chunk.
 */
export function planIndexWrite(
  index: PageIndex,
  additions: ReadonlyMap<string, string>,
): { key: string; number: number; existing: PageProperty | null; entries: Record<string, string> } {
  const last = index.chunks.at(-1);
  if (last !== undefined) {
    const merged = { ...last.entries, ...Object.fromEntries(additions) };
    if (JSON.stringify({ entries: merged }).length <= PAGE_INDEX_CHUNK_BYTES) {
      return { key: last.property.key, number: last.number, existing: last.property, entries: merged };
    }
  }
  const number = (last?.number ?? 0) + 1;
  return {
    key: `${PAGE_INDEX_CHUNK_PREFIX}${number}`,
    number,
    existing: null,
    entries: Object.fromEntries(additions),
  };
}

/** The index after a chunk write succeeded: what the next reader of the census sees. */
export function applyIndexWrite(
  index: PageIndex,
  written: { number: number; property: PageProperty; entries: Record<string, string> },
): void {
  const position = index.chunks.findIndex((chunk) => chunk.number === written.number);
  const chunk = { number: written.number, property: written.property, entries: written.entries };
  if (position === -1) index.chunks.push(chunk);
  else index.chunks[position] = chunk;
  for (const [externalId, pageId] of Object.entries(written.entries)) index.entries.set(externalId, pageId);
}

/** The homepage index read in full, or null when it cannot be read (no permission on the homepage). */
export async function loadPageIndex(
  confluence: PublishingConfluence,
  target: PublishTarget,
  homepageId: string,
): Promise<PageIndex | null> {
  try {
    return readPageIndex(await confluence.listProperties(target, homepageId, PAGE_INDEX_PROPERTY_PREFIX));
  } catch (error) {
    if (isScopeError(error) || isForbiddenError(error) || isNotFoundError(error)) return null;
    throw error;
  }
}
