import type { ConfluenceClient } from '../client';
import { ResponseSchemaError } from '../errors';
import { type V1Attachment, v1AttachmentArraySchema } from '../schemas';
import { idSegment } from './ids';

/**
 * Page attachments are uploaded through v1 only: v2 lists and reads
 * attachments but has no upload (docs/platform-notes.md#page-attachments).
 * `PUT /wiki/rest/api/content/{id}/child/attachment` creates the file or adds
 * a new version of the one with the same name; the body is multipart with a
 * `file` part, and the transport adds `X-Atlassian-Token: no-check` (v1
 * writes fail Confluence's XSRF check without it).
 */
export async function createOrUpdateAttachment(
  client: ConfluenceClient,
  params: {
    pageId: string;
    name: string;
    contentType: string;
    bytes: Uint8Array;
    signal?: AbortSignal;
  },
): Promise<V1Attachment> {
  const form = new FormData();
  // Copy into a fresh ArrayBuffer-backed view: Blob parts must not be SharedArrayBuffer views.
  form.append('file', new Blob([new Uint8Array(params.bytes)], { type: params.contentType }), params.name);
  // A minor edit: re-uploading a changed image must not notify the page's watchers.
  form.append('minorEdit', 'true');
  const response = await client.send({
    endpoint: 'attachment.write',
    method: 'PUT',
    path: `/wiki/rest/api/content/${idSegment(params.pageId, 'page')}/child/attachment`,
    body: form,
    schema: v1AttachmentArraySchema,
    resource: `the attachment "${params.name}" of page ${params.pageId}`,
    signal: params.signal,
  });
  const uploaded = response.data.results.find((attachment) => attachment.title === params.name);
  const first = uploaded ?? response.data.results[0];
  if (first === undefined) {
    throw new ResponseSchemaError(`Confluence answered the upload of "${params.name}" with no attachment.`, [
      'results: empty',
    ]);
  }
  return first;
}
