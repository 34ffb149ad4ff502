import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Every page Pagewire publishes carries this content property. It is the
 * page's identity and sync state kept *in Confluence*, so a backend that lost
 * its database can still recognise its pages (by this property, never by
 * title alone) and still knows which version it wrote last (human-edit
 * protection keeps working). Writing a property does not create a page
 * version (https://developer.atlassian.com/cloud/confluence/confluence-entity-properties/).
 */
export const PAGE_OWNERSHIP_PROPERTY_KEY = 'pagewire.page';

export const pageOwnershipSchema = z.looseObject({
  externalId: z.string(),
  spaceKey: z.string(),
  source: z.string(),
  /** The page version Pagewire's last write created. */
  version: z.number().int().positive(),
  /** `hashPageContent` of that write. */
  contentHash: z.string(),
  jobId: z.string(),
  publishedAt: z.string(),
});
export type PageOwnership = z.infer<typeof pageOwnershipSchema>;

export function readOwnership(value: unknown): PageOwnership | null {
  const parsed = pageOwnershipSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/**
 * The space's index of Pagewire pages lives as content properties on the
 * space homepage, one per external id: `pagewire.index.<sha256(externalId)>`
 * → `{externalId, pageId}`. It finds a page after a lost database even when
 * the page was renamed meanwhile. Space properties would be the natural home,
 * but writing them needs `write:space:confluence` and space-admin permission,
 * which the app does not ask for; page properties need only the page scopes
 * Pagewire already has. The index is a hint: a page it points to must still
 * carry the ownership property above.
 */
export const PAGE_INDEX_PROPERTY_PREFIX = 'pagewire.index.';

export function pageIndexPropertyKey(externalId: string): string {
  // Hashed: property keys have their own character rules, and external ids may contain ':' or '~'.
  return `${PAGE_INDEX_PROPERTY_PREFIX}${createHash('sha256').update(externalId).digest('hex').slice(0, 40)}`;
}

export const pageIndexEntrySchema = z.looseObject({ externalId: z.string(), pageId: z.string() });
