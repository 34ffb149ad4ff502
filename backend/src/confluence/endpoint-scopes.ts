/**
 * Every Confluence call Pagewire makes, by name, with the scopes it needs.
 * The client tags each request with one of these names, the credential selector
 * picks a credential by them, and a 401 "scope does not match" names what is
 * missing from them.
 *
 * Sources: v2 per-operation scopes (`x-atlassian-oauth2-scopes`,
 * docs/platform-notes.md#operation-scopes); v1 label writes list classic
 * `write:confluence-content` or granular `read:label:confluence` +
 * `write:label:confluence`
 * (https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-content-labels/);
 * archiving is v1 too, with the classic `write:confluence-content`.
 */

export interface EndpointScopes {
  /** Any one of these sets is enough; the first is the one Pagewire asks for. */
  readonly anyOf: readonly (readonly string[])[];
  /** Names the work in messages a space admin reads ("Adding labels needs …"). */
  readonly describe: string;
}

export const confluenceEndpointScopes = {
  'page.read': { anyOf: [['read:page:confluence']], describe: 'reading a page' },
  'page.list': { anyOf: [['read:page:confluence']], describe: 'listing pages' },
  'page.create': { anyOf: [['write:page:confluence']], describe: 'creating a page' },
  'page.update': { anyOf: [['write:page:confluence']], describe: 'updating a page' },
  'page.delete': { anyOf: [['delete:page:confluence']], describe: 'moving a page to the trash' },
  'property.read': { anyOf: [['read:page:confluence']], describe: 'reading page properties' },
  // The v2 spec lists both scopes for POST/PUT/DELETE on page properties.
  'property.write': {
    anyOf: [['read:page:confluence', 'write:page:confluence']],
    describe: 'writing page properties',
  },
  'space.read': { anyOf: [['read:space:confluence']], describe: 'looking up a space' },
  'space.operations': {
    anyOf: [['read:space:confluence']],
    describe: 'checking what may be done in a space',
  },
  // Label reads go through v2, which checks granular scopes only (v1's read is removed).
  'label.read': {
    anyOf: [['read:label:confluence']],
    describe: 'reading labels',
  },
  // v1 restrictions check the classic or the granular read scope (docs/platform-notes.md#page-view-restrictions).
  'restriction.read': {
    anyOf: [['read:content-details:confluence'], ['read:confluence-content.all']],
    describe: 'reading page restrictions',
  },
  'label.write': {
    anyOf: [['read:label:confluence', 'write:label:confluence'], ['write:confluence-content']],
    describe: 'adding labels',
  },
  // v1 only (v2 cannot archive); the reference lists the classic scope (docs/platform-notes.md#archiving-pages).
  'page.archive': { anyOf: [['write:confluence-content']], describe: 'archiving a page' },
  'longtask.read': {
    anyOf: [['read:content.metadata:confluence'], ['read:confluence-content.summary']],
    describe: 'following a long-running task',
  },
  // Uploads exist only in v1 (docs/platform-notes.md#page-attachments), which
  // checks the granular pair or the classic `write:confluence-file`.
  'attachment.write': {
    anyOf: [['read:content-details:confluence', 'write:attachment:confluence'], ['write:confluence-file']],
    describe: 'uploading page attachments',
  },
} as const satisfies Record<string, EndpointScopes>;

export type ConfluenceEndpoint = keyof typeof confluenceEndpointScopes;
export const confluenceEndpoints = Object.keys(confluenceEndpointScopes) as ConfluenceEndpoint[];

/** Whether `granted` holds every scope of at least one acceptable set. */
export function scopesCover(granted: readonly string[], operation: ConfluenceEndpoint): boolean {
  const have = new Set(granted);
  return confluenceEndpointScopes[operation].anyOf.some((set) => set.every((scope) => have.has(scope)));
}

/**
 * The scopes to add to `granted` so the operation is covered. Among the
 * acceptable sets it picks the one the credential already holds most of (a
 * token built on classic scopes is told the classic one); with no overlap,
 * the first set: the granular one Pagewire documents.
 */
export function missingScopesFor(granted: readonly string[], operation: ConfluenceEndpoint): string[] {
  const have = new Set(granted);
  let best: { missing: string[]; overlap: number } | null = null;
  for (const set of confluenceEndpointScopes[operation].anyOf) {
    const missing = set.filter((scope) => !have.has(scope));
    const overlap = set.length - missing.length;
    if (missing.length === 0) return [];
    if (best === null || overlap > best.overlap) best = { missing, overlap };
  }
  return best?.missing ?? [];
}
