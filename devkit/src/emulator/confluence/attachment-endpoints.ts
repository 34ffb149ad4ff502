import { randomUUID } from 'node:crypto';
import type { MultipartFile } from '../http/http-io';
import type { Attachment, AttachmentVersion, Page } from '../state/emulator-state';
import {
  type ConfluenceContext,
  canEdit,
  type EmulatedEndpoint,
  NUMERIC_ID,
  visiblePage,
} from './confluence-context';
import { type ConfluenceResult, v1Error, v2NotFound } from './confluence-results';
import { listPage, parseWindow } from './pagination';

/**
 * Page attachments. Uploads exist only in v1 (`POST|PUT
 * /wiki/rest/api/content/{id}/child/attachment`, multipart with a `file`
 * part and the `X-Atlassian-Token: no-check` header, else Confluence's XSRF
 * check answers 403); v2 only lists and reads them
 * (docs/platform-notes.md#page-attachments). POST adds a file and refuses a
 * title already attached; PUT creates it or adds a new version. Every version
 * gets a new `fileId`, the id ADF `media` nodes point at.
 */
const UPLOAD_SCOPES = [
  ['read:content-details:confluence', 'write:attachment:confluence'],
  ['write:confluence-file'],
] as const;

function uploadTarget(context: ConfluenceContext): Page | ConfluenceResult {
  const id = context.params.id!;
  const found = NUMERIC_ID.test(id) ? visiblePage(context, id) : undefined;
  if (found?.page.status !== 'current' || !canEdit(found.space, context.caller)) {
    return v1Error(404, `No content found with id: ContentId{id=${id}}`);
  }
  return found.page;
}

function isPage(value: Page | ConfluenceResult): value is Page {
  return 'versions' in value;
}

export function renderV1Attachment(attachment: Attachment, context: ConfluenceContext) {
  const current = attachment.versions.at(-1)!;
  return {
    id: attachment.id,
    type: 'attachment',
    status: 'current',
    title: attachment.title,
    version: { number: current.number, message: current.comment, minorEdit: true },
    container: { id: attachment.pageId, type: 'page' },
    extensions: {
      mediaType: current.mediaType,
      fileSize: current.bytes.length,
      comment: current.comment,
      fileId: current.fileId,
      collectionName: `contentId-${attachment.pageId}`,
    },
    _links: {
      download: `/download/attachments/${attachment.pageId}/${encodeURIComponent(attachment.title)}?version=${current.number}`,
      self: `${context.siteWikiBase}/rest/api/content/${attachment.id}`,
    },
  };
}

function renderV2Attachment(attachment: Attachment) {
  const current = attachment.versions.at(-1)!;
  return {
    id: attachment.id,
    status: 'current',
    title: attachment.title,
    createdAt: attachment.versions[0]!.createdAt.toISOString(),
    pageId: attachment.pageId,
    mediaType: current.mediaType,
    comment: current.comment,
    fileId: current.fileId,
    fileSize: current.bytes.length,
    version: {
      number: current.number,
      createdAt: current.createdAt.toISOString(),
      message: current.comment,
      minorEdit: true,
      authorId: current.authorId,
    },
    downloadLink: `/download/attachments/${attachment.pageId}/${encodeURIComponent(attachment.title)}?version=${current.number}`,
  };
}

function uploadAttachments(
  context: ConfluenceContext,
  mode: 'create' | 'create-or-update',
): ConfluenceResult {
  const body = context.body;
  if (body.kind !== 'multipart') {
    return v1Error(415, 'Attachments are uploaded as multipart/form-data with a "file" part');
  }
  if (!body.xsrfNoCheck) return v1Error(403, 'XSRF check failed');
  const page = uploadTarget(context);
  if (!isPage(page)) return page;
  const files = body.files.filter((file) => file.field === 'file');
  if (files.length === 0) return v1Error(400, 'At least one "file" part is required');
  const attachments = page.attachments ?? new Map<string, Attachment>();
  for (const file of files) {
    if (file.filename.length === 0) return v1Error(400, 'Every "file" part needs a filename');
    if (mode === 'create' && attachments.has(file.filename)) {
      return v1Error(
        400,
        `Cannot add a new attachment with same file name as an existing attachment: ${file.filename}`,
      );
    }
  }
  page.attachments = attachments;
  const comment = body.fields.get('comment') ?? '';
  const written = files.map((file) => storeVersion(context, page, attachments, file, comment));
  return {
    status: 200,
    body: {
      results: written.map((attachment) => renderV1Attachment(attachment, context)),
      start: 0,
      limit: written.length,
      size: written.length,
      _links: { base: context.siteWikiBase, context: '/wiki' },
    },
    points: 1,
  };
}

function storeVersion(
  context: ConfluenceContext,
  page: Page,
  attachments: Map<string, Attachment>,
  file: MultipartFile,
  comment: string,
): Attachment {
  let attachment = attachments.get(file.filename);
  if (attachment === undefined) {
    attachment = { id: `att${context.state.nextId()}`, pageId: page.id, title: file.filename, versions: [] };
    attachments.set(file.filename, attachment);
  }
  const version: AttachmentVersion = {
    number: attachment.versions.length + 1,
    fileId: randomUUID(),
    mediaType: file.contentType || 'application/octet-stream',
    bytes: file.bytes,
    comment,
    authorId: context.caller.actingAccountId,
    createdAt: context.now,
  };
  attachment.versions.push(version);
  return attachment;
}

/** `GET /wiki/api/v2/pages/{id}/attachments` (v2 `getPageAttachments`), cursor pages, oldest first. */
function getPageAttachments(context: ConfluenceContext): ConfluenceResult {
  const id = context.params.id!;
  const found = NUMERIC_ID.test(id) ? visiblePage(context, id) : undefined;
  if (found === undefined) return v2NotFound();
  const window = parseWindow(context.query);
  if (!window.ok) return window.error;
  const filename = context.query.get('filename');
  const mediaType = context.query.get('mediaType');
  const attachments = [...(found.page.attachments?.values() ?? [])].filter(
    (attachment) =>
      (filename === null || attachment.title === filename) &&
      (mediaType === null || attachment.versions.at(-1)!.mediaType === mediaType),
  );
  return listPage(attachments, window, context, renderV2Attachment);
}

export const attachmentEndpoints: readonly EmulatedEndpoint[] = [
  {
    operationId: 'createAttachment',
    method: 'POST',
    path: '/wiki/rest/api/content/:id/child/attachment',
    scopes: UPLOAD_SCOPES,
    handle: (context) => uploadAttachments(context, 'create'),
  },
  {
    operationId: 'createOrUpdateAttachments',
    method: 'PUT',
    path: '/wiki/rest/api/content/:id/child/attachment',
    scopes: UPLOAD_SCOPES,
    handle: (context) => uploadAttachments(context, 'create-or-update'),
  },
  {
    operationId: 'getPageAttachments',
    method: 'GET',
    path: '/wiki/api/v2/pages/:id/attachments',
    scopes: [['read:attachment:confluence']],
    handle: getPageAttachments,
  },
];
