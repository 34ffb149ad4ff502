import type { AdfDocument, ContentType } from '@pagewire/shared';
import { createOrUpdateAttachment } from '../confluence/api/attachments';
import {
  createPageProperty,
  deletePageProperty,
  findPagePropertyByKey,
  listPageProperties,
  updatePageProperty,
} from '../confluence/api/content-properties';
import { addLabelsToPage } from '../confluence/api/labels';
import { createPage, findPageByTitle, getPageById, readAdfBody, updatePage } from '../confluence/api/pages';
import { getSpaceByKey } from '../confluence/api/spaces';
import type { ConfluenceClient } from '../confluence/client';
import type { ConfluenceEndpoint } from '../confluence/endpoint-scopes';
import { isNotFoundError } from '../confluence/errors';
import type { Page } from '../confluence/schemas';

/** Where the work is: the installation (tenant) and the space whose credentials and pacing apply. */
export interface PublishTarget {
  installationId: string;
  spaceKey: string;
}

export interface PublishedPage {
  id: string;
  title: string;
  status: string;
  spaceId: string;
  parentId: string | null;
  version: {
    number: number;
    authorId: string | null;
    createdAt: string | null;
    /** The version message: Pagewire marks its own versions there (page-version-marker.ts). */
    message: string | null;
  };
  /** The ADF body; null when Confluence sent none (a page stored in another format reads as null too). */
  body: AdfDocument | null;
}

export interface PageProperty {
  id: string;
  key: string;
  value: unknown;
  version: number;
}

/**
 * The Confluence calls the publishing engine makes, in its own words. The
 * implementation below goes through the Confluence client (pacing, retry
 * table, typed errors); errors reach the engine unchanged, so it can tell a
 * conflict from an ambiguous write from a missing scope.
 */
export interface PublishingConfluence {
  findSpace(target: PublishTarget): Promise<{ id: string; homepageId: string | null } | null>;
  /** The page with its ADF body; null when Confluence says it does not exist (or may not be seen). */
  getPage(target: PublishTarget, pageId: string): Promise<PublishedPage | null>;
  findPageByTitle(target: PublishTarget, spaceId: string, title: string): Promise<PublishedPage | null>;
  createPage(
    target: PublishTarget,
    page: { spaceId: string; parentId?: string | undefined; title: string; body: AdfDocument },
  ): Promise<PublishedPage>;
  updatePage(
    target: PublishTarget,
    page: {
      pageId: string;
      parentId?: string | undefined;
      title: string;
      body: AdfDocument;
      version: number;
      message?: string | undefined;
    },
  ): Promise<PublishedPage>;
  /** `contentType` says whether `pageId` is a page (the default) or a blog post. */
  getProperty(
    target: PublishTarget,
    pageId: string,
    key: string,
    contentType?: ContentType,
  ): Promise<PageProperty | null>;
  /** Every property of the page whose key starts with `prefix`, across all cursor pages. */
  listProperties(target: PublishTarget, pageId: string, prefix: string): Promise<PageProperty[]>;
  /** Creates the property, or updates `existing` to the next version. */
  putProperty(
    target: PublishTarget,
    pageId: string,
    key: string,
    value: unknown,
    existing: PageProperty | null,
    contentType?: ContentType,
  ): Promise<PageProperty>;
  addLabels(target: PublishTarget, pageId: string, labels: readonly string[]): Promise<void>;
  /** Uploads a file to the page, as a new attachment or a new version of the one with its name. */
  uploadAttachment(
    target: PublishTarget,
    pageId: string,
    file: { name: string; contentType: string; bytes: Uint8Array },
  ): Promise<{ attachmentId: string; fileId: string }>;
  /** Removes a property; one Confluence already lacks counts as removed. */
  deleteProperty(target: PublishTarget, pageId: string, propertyId: string): Promise<void>;
}

/**
 * The clients of one job: a client for each endpoint on a target. The
 * credential selector decides which credential (app token or the space's API
 * token) can do it, and throws a ScopeError or NoCredentialError when none
 * can; the installation and the tokens are read once for the job, not per call.
 */
export interface JobConfluenceClients {
  clientFor(target: PublishTarget, endpoint: ConfluenceEndpoint): Promise<ConfluenceClient>;
}

/** Starts the Confluence side of a job (confluence-client-resolver.ts). */
export interface ConfluenceClientResolver {
  forJob(): JobConfluenceClients;
}

/**
 * The gateway for one job (or, for the page indexer, one long-lived caller
 * that resolves per call): pass `resolver.forJob()` when a job starts.
 */
export function createPublishingConfluence(
  clients: JobConfluenceClients,
  options: { signal?: AbortSignal } = {},
): PublishingConfluence {
  const clientFor: ClientFor = (target, endpoint) => clients.clientFor(target, endpoint);
  const withSignal: WithSignal = options.signal === undefined ? {} : { signal: options.signal };
  return {
    ...pageCalls(clientFor, withSignal),
    ...propertyAndLabelCalls(clientFor, withSignal),
    async uploadAttachment(target, pageId, file) {
      const uploaded = await createOrUpdateAttachment(await clientFor(target, 'attachment.write'), {
        pageId,
        ...file,
        ...withSignal,
      });
      return { attachmentId: uploaded.id, fileId: uploaded.extensions.fileId };
    },
  };
}

type ClientFor = (target: PublishTarget, endpoint: ConfluenceEndpoint) => Promise<ConfluenceClient>;
type WithSignal = { signal?: AbortSignal };

/** Spaces and pages: find, read, create, update. */
function pageCalls(
  clientFor: ClientFor,
  withSignal: WithSignal,
): Pick<PublishingConfluence, 'findSpace' | 'getPage' | 'findPageByTitle' | 'createPage' | 'updatePage'> {
  return {
    async findSpace(target) {
      try {
        const space = await getSpaceByKey(await clientFor(target, 'space.read'), {
          key: target.spaceKey,
          ...withSignal,
        });
        return { id: space.id, homepageId: space.homepageId ?? null };
      } catch (error) {
        if (isNotFoundError(error)) return null;
        throw error;
      }
    },

    async getPage(target, pageId) {
      try {
        const page = await getPageById(await clientFor(target, 'page.read'), {
          id: pageId,
          bodyFormat: 'atlas_doc_format',
          ...withSignal,
        });
        return toPublishedPage(page);
      } catch (error) {
        if (isNotFoundError(error)) return null;
        throw error;
      }
    },

    async findPageByTitle(target, spaceId, title) {
      const found = await findPageByTitle(await clientFor(target, 'page.list'), {
        spaceId,
        title,
        ...withSignal,
      });
      if (found === null) return null;
      // The list endpoint's body is not reliable for our checks: read the page itself.
      const page = await getPageById(await clientFor(target, 'page.read'), {
        id: found.id,
        bodyFormat: 'atlas_doc_format',
        ...withSignal,
      });
      return toPublishedPage(page);
    },

    async createPage(target, page) {
      const created = await createPage(await clientFor(target, 'page.create'), {
        spaceId: page.spaceId,
        title: page.title,
        body: { representation: 'atlas_doc_format', value: page.body },
        ...(page.parentId === undefined ? {} : { parentId: page.parentId }),
        ...withSignal,
      });
      return toPublishedPage(created, page.body);
    },

    async updatePage(target, page) {
      const updated = await updatePage(await clientFor(target, 'page.update'), {
        id: page.pageId,
        title: page.title,
        body: { representation: 'atlas_doc_format', value: page.body },
        version: {
          number: page.version,
          ...(page.message === undefined ? {} : { message: page.message }),
        },
        ...(page.parentId === undefined ? {} : { parentId: page.parentId }),
        ...withSignal,
      });
      return toPublishedPage(updated, page.body);
    },
  };
}

/** Content properties (the snapshot, the page index) and labels. */
function propertyAndLabelCalls(
  clientFor: ClientFor,
  withSignal: WithSignal,
): Pick<
  PublishingConfluence,
  'getProperty' | 'listProperties' | 'putProperty' | 'deleteProperty' | 'addLabels'
> {
  return {
    async getProperty(target, pageId, key, contentType) {
      const property = await findPagePropertyByKey(await clientFor(target, 'property.read'), {
        pageId,
        contentType,
        key,
        ...withSignal,
      });
      return property === null
        ? null
        : { id: property.id, key: property.key, value: property.value, version: property.version.number };
    },

    async listProperties(target, pageId, prefix) {
      const found: PageProperty[] = [];
      const client = await clientFor(target, 'property.read');
      for await (const property of listPageProperties(client, { pageId, limit: 250, ...withSignal })) {
        if (!property.key.startsWith(prefix)) continue;
        found.push({
          id: property.id,
          key: property.key,
          value: property.value,
          version: property.version.number,
        });
      }
      return found;
    },

    async putProperty(target, pageId, key, value, existing, contentType) {
      const client = await clientFor(target, 'property.write');
      const written =
        existing === null
          ? await createPageProperty(client, { pageId, contentType, key, value, ...withSignal })
          : await updatePageProperty(client, {
              pageId,
              contentType,
              propertyId: existing.id,
              key,
              value,
              version: { number: existing.version + 1 },
              ...withSignal,
            });
      return { id: written.id, key: written.key, value: written.value, version: written.version.number };
    },

    async deleteProperty(target, pageId, propertyId) {
      try {
        await deletePageProperty(await clientFor(target, 'property.write'), {
          pageId,
          propertyId,
          ...withSignal,
        });
      } catch (error) {
        if (!isNotFoundError(error)) throw error;
      }
    },

    async addLabels(target, pageId, labels) {
      await addLabelsToPage(await clientFor(target, 'label.write'), { pageId, labels, ...withSignal });
    },
  };
}

function toPublishedPage(page: Page, sentBody?: AdfDocument): PublishedPage {
  let body: AdfDocument | null = null;
  try {
    body = readAdfBody(page);
  } catch {
    // A body that is not parseable ADF is "not ours" for every check that reads it.
    body = null;
  }
  return {
    id: page.id,
    title: page.title,
    status: page.status,
    spaceId: page.spaceId,
    parentId: page.parentId ?? null,
    version: {
      number: page.version.number,
      authorId: page.version.authorId ?? null,
      createdAt: page.version.createdAt ?? null,
      message: page.version.message ?? null,
    },
    // Create and update answers may omit the body; what was sent is what was stored.
    body: body ?? sentBody ?? null,
  };
}
