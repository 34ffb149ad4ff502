import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Everything the emulator knows, in memory. One emulator process serves many
 * sites, the way one Atlassian cloud serves many tenants: accounts and API
 * tokens are global (an Atlassian account is not per site), everything else
 * belongs to a site.
 */

export type BodyRepresentation = 'storage' | 'atlas_doc_format';

export interface StoredBody {
  readonly representation: BodyRepresentation;
  readonly value: string;
}

export interface Account {
  readonly accountId: string;
  readonly email: string;
  displayName: string;
}

export interface Site {
  readonly cloudId: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly accountIds: Set<string>;
  readonly spaces: Map<string, Space>;
  readonly spaceIdsByKey: Map<string, string>;
  readonly pages: Map<string, Page>;
}

export interface Space {
  readonly id: string;
  readonly cloudId: string;
  readonly key: string;
  readonly name: string;
  readonly authorId: string;
  readonly createdAt: Date;
  homepageId: string | null;
  readonly admins: Set<string>;
  readonly members: Set<string>;
}

export type PageStatus = 'current' | 'trashed' | 'deleted' | 'draft' | 'archived';

export interface PageVersion {
  readonly number: number;
  readonly title: string;
  readonly body: StoredBody | null;
  readonly message: string;
  readonly minorEdit: boolean;
  readonly authorId: string;
  readonly createdAt: Date;
}

export interface ContentPropertyVersion {
  readonly number: number;
  readonly message: string;
  readonly minorEdit: boolean;
  readonly authorId: string;
  readonly createdAt: Date;
}

export interface ContentProperty {
  readonly id: string;
  readonly key: string;
  value: unknown;
  version: ContentPropertyVersion;
}

export interface Label {
  readonly id: string;
  readonly name: string;
  readonly prefix: 'global' | 'my' | 'team';
}

export interface Page {
  readonly id: string;
  /** Blog posts share pages' content ids and storage but never show up as pages (v2 `/blogposts`). */
  readonly contentType?: 'blogpost';
  readonly cloudId: string;
  spaceId: string;
  status: PageStatus;
  parentId: string | null;
  readonly authorId: string;
  ownerId: string;
  readonly createdAt: Date;
  readonly versions: PageVersion[];
  readonly labels: Map<string, Label>;
  readonly properties: Map<string, ContentProperty>;
  /** The page's own view restriction (v1 `read` restriction), when it has one (confluence/content-restrictions.ts). */
  readRestriction?: ReadRestriction | undefined;
  /** Its own edit restriction: reported, not enforced. */
  updateRestriction?: ReadRestriction | undefined;
  /** Files attached to the page, by title (a title is unique per page); made on the first upload. */
  attachments?: Map<string, Attachment>;
}

/** One version of an attached file: each upload of new bytes is a new version with a new file id. */
export interface AttachmentVersion {
  readonly number: number;
  /** The media-platform file id ADF `media` nodes point at: a UUID, new for every version. */
  readonly fileId: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
  readonly comment: string;
  readonly authorId: string;
  readonly createdAt: Date;
}

/** A page attachment (v1 content type `attachment`, id `att<digits>`). */
export interface Attachment {
  readonly id: string;
  readonly pageId: string;
  readonly title: string;
  readonly versions: AttachmentVersion[];
}

/** Who a view restriction lets in: only these accounts and groups see the page and its descendants. */
export interface ReadRestriction {
  readonly accountIds: ReadonlySet<string>;
  readonly groups: ReadonlySet<string>;
}

export interface ApiToken {
  /** A non-secret handle for logs, rate-limit reports and the Dev API. */
  readonly id: string;
  readonly token: string;
  readonly email: string;
  /** `null` is a classic (unscoped) token. */
  readonly scopes: ReadonlySet<string> | null;
  readonly expiresAt: Date | null;
  revoked: boolean;
}

export type EnvironmentType = 'DEVELOPMENT' | 'STAGING' | 'PRODUCTION';

export interface Installation {
  readonly installationId: string;
  readonly cloudId: string;
  readonly appId: string;
  readonly scopes: ReadonlySet<string>;
  readonly environmentType: EnvironmentType;
  readonly environmentId: string;
  readonly appVersion: string;
  /** The app's "bot user": what Confluence records as author of app writes. */
  readonly appAccountId: string;
}

export interface AppToken {
  readonly token: string;
  readonly installationId: string;
  /** Set for app **user** tokens (`asUser()`), null for the system token. */
  readonly accountId: string | null;
  readonly scopes: ReadonlySet<string>;
  readonly expiresAt: Date;
}

export interface EmulatorState {
  readonly accountsById: Map<string, Account>;
  /** Keyed by the lower-cased email: Atlassian treats emails case-insensitively. */
  readonly accountsByEmail: Map<string, Account>;
  readonly sitesByCloudId: Map<string, Site>;
  readonly sitesByName: Map<string, Site>;
  /** Every page of every site, for the Dev API (page ids are unique per emulator). */
  readonly pagesById: Map<string, Page>;
  readonly apiTokens: Map<string, ApiToken>;
  readonly installations: Map<string, Installation>;
  readonly appTokens: Map<string, AppToken>;
  /** v1 long tasks (an archive's), by id; the emulator finishes each at once. */
  readonly longTasks: Map<string, LongTask>;
  nextId(): string;
}

/** A v1 long-running task, as `GET /wiki/rest/api/longtask/{id}` reports it. */
export interface LongTask {
  readonly id: string;
  readonly cloudId: string;
  /** The i18n key Confluence names the task with. */
  readonly nameKey: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

export function createEmulatorState(): EmulatorState {
  // Numeric ids like Confluence's, unique across content types in one emulator.
  let counter = 65_536;
  return {
    accountsById: new Map(),
    accountsByEmail: new Map(),
    sitesByCloudId: new Map(),
    sitesByName: new Map(),
    pagesById: new Map(),
    apiTokens: new Map(),
    installations: new Map(),
    appTokens: new Map(),
    longTasks: new Map(),
    nextId() {
      counter += 1;
      return String(counter);
    },
  };
}

export function clearEmulatorState(state: EmulatorState): void {
  state.accountsById.clear();
  state.accountsByEmail.clear();
  state.sitesByCloudId.clear();
  state.sitesByName.clear();
  state.pagesById.clear();
  state.apiTokens.clear();
  state.installations.clear();
  state.appTokens.clear();
  state.longTasks.clear();
}

/** Atlassian account ids look like `557058:<uuid>`. */
export function newAccountId(): string {
  return `557058:${randomUUID()}`;
}

/**
 * Atlassian API tokens start with `ATATT3x` and vary in length
 * (docs/platform-notes.md#scoped-api-tokens); clients must not assume a fixed size.
 */
export function newApiTokenSecret(): string {
  return `ATATT3xFfGF0${randomBytes(36).toString('base64url')}`;
}

export function currentVersion(page: Page): PageVersion {
  return page.versions[page.versions.length - 1]!;
}
