import type { AdfDocument, JobWarning } from '@pagewire/shared';
import { type AttachmentImage, attachmentImagesOf, renderAttachmentImages } from '../adf/attachment-images';
import { hashPageContent } from '../adf/canonical-adf';
import { isForbiddenError, isScopeError } from '../confluence/errors';
import type { PublishingConfluence, PublishTarget } from './confluence-gateway';
import type {
  PageAttachmentOwner,
  PageAttachmentRepository,
  StoredAttachment,
} from './store/page-attachment-repository';

/**
 * The attachment images of one page publish (docs/PUBLISHING.md#page-attachments).
 * The rendered document holds placeholders (adf/attachment-images.ts); this
 * step turns them into the page's Confluence files:
 *  - before the page is known (a create): the image's alt text, since a file
 *    can only be uploaded to a page that exists;
 *  - for a page: the file last uploaded to it when the bytes are still the
 *    same (no request at all), else a `pending:` id, so the content hash
 *    differs and the publisher writes;
 *  - `upload(pageId)`, called only right before the body is written: uploads
 *    each pending file (create-or-update: a new version gets a new file id),
 *    records it, and renders the final document.
 * An image never sent is rendered as its alt text, with an
 * `attachment_missing` warning.
 */
export interface AttachmentStep {
  /** Whether the document shows any attachment image; when not, every call returns the document as it is. */
  readonly used: boolean;
  render(pageId: string | null): Promise<RenderedAttachments>;
  upload(target: PublishTarget, pageId: string): Promise<RenderedAttachments>;
}

export interface RenderedAttachments {
  document: AdfDocument;
  warnings: JobWarning[];
}

export interface AttachmentStepDeps {
  attachments: PageAttachmentRepository;
  confluence: Pick<PublishingConfluence, 'uploadAttachment'>;
  now(): Date;
}

export function createAttachmentStep(
  deps: AttachmentStepDeps,
  owner: PageAttachmentOwner,
  document: AdfDocument,
): AttachmentStep {
  const images = attachmentImagesOf(document);
  let stored: Map<string, StoredAttachment> | null = null;
  /** Uploads that no credential may make: shown as alt text, said once as a warning. */
  const refused = new Map<string, string>();
  const load = async () => {
    stored ??= await deps.attachments.find(
      owner,
      images.map((image) => image.name),
    );
    return stored;
  };

  const render = async (pageId: string | null): Promise<RenderedAttachments> => {
    if (images.length === 0) return { document, warnings: [] };
    const known = await load();
    const warnings: JobWarning[] = [];
    for (const image of images) {
      if (!known.has(image.name)) warnings.push(missingWarning(image));
      const why = refused.get(image.name);
      if (why !== undefined) {
        warnings.push({
          code: 'attachment_not_uploaded',
          detail: `"${image.name}" could not be uploaded: ${why}`,
        });
      }
    }
    const rendered = renderAttachmentImages(document, (image) => {
      const attachment = known.get(image.name);
      if (attachment === undefined || pageId === null || refused.has(image.name)) {
        return { text: image.alt || image.name };
      }
      if (isCurrent(attachment, pageId)) {
        return { file: { id: attachment.uploaded!.fileId, collection: `contentId-${pageId}` } };
      }
      return { file: { id: `pending:${attachment.sha256}`, collection: `contentId-${pageId}` } };
    });
    return { document: rendered, warnings };
  };

  return {
    used: images.length > 0,
    render,
    async upload(target, pageId) {
      if (images.length === 0) return { document, warnings: [] };
      const known = await load();
      for (const image of images) {
        const attachment = known.get(image.name);
        if (attachment === undefined || isCurrent(attachment, pageId) || refused.has(image.name)) continue;
        const uploaded = await uploadOne(deps, owner, target, pageId, attachment, refused);
        if (uploaded !== null) known.set(image.name, uploaded);
      }
      return render(pageId);
    },
  };
}

function missingWarning(image: AttachmentImage): JobWarning {
  return {
    code: 'attachment_missing',
    detail: `The page shows the attachment "${image.name}", which was never sent (PUT /ingest/v1/pages/{externalId}/attachments/${image.name}); its alt text stands in for it.`,
  };
}

/** Already on this page with these bytes: nothing to upload. */
function isCurrent(attachment: StoredAttachment, pageId: string): boolean {
  return attachment.uploaded?.sha256 === attachment.sha256 && attachment.uploaded.pageId === pageId;
}

async function uploadOne(
  deps: AttachmentStepDeps,
  owner: PageAttachmentOwner,
  target: PublishTarget,
  pageId: string,
  attachment: StoredAttachment,
  refused: Map<string, string>,
): Promise<StoredAttachment | null> {
  const bytes = await deps.attachments.readBytes(owner, attachment.name, attachment.sha256);
  // Replaced since it was read: the newer bytes have their own publish queued behind this job.
  if (bytes === null) return null;
  let uploaded: { attachmentId: string; fileId: string };
  try {
    uploaded = await deps.confluence.uploadAttachment(target, pageId, {
      name: attachment.name,
      contentType: attachment.contentType,
      bytes,
    });
  } catch (error) {
    // No credential holds the upload scopes (or the account may not attach
    // files): the page is still published, with the alt text, and the job
    // says why. Anything else (429, 5xx, network) fails the attempt: retried.
    if (!isScopeError(error) && !isForbiddenError(error)) throw error;
    refused.set(attachment.name, (error as Error).message);
    return null;
  }
  const upload = { sha256: attachment.sha256, pageId, ...uploaded };
  await deps.attachments.recordUpload(owner, attachment.name, upload, deps.now());
  return { ...attachment, uploaded: upload };
}

/** The part of a publish run the attachment step reads and updates. */
export interface AttachmentRun {
  readonly job: { readonly dryRun: boolean };
  readonly body: { readonly title: string };
  readonly target: PublishTarget;
  readonly attachments: AttachmentStep;
  readonly baseWarnings: JobWarning[];
  document: AdfDocument;
  warnings: JobWarning[];
  contentHash: string;
}

/** Makes the rendering the run's document, and its hash the one every check compares. */
export function useRendered(run: AttachmentRun, rendered: RenderedAttachments): void {
  run.document = rendered.document;
  run.warnings = [...run.baseWarnings, ...rendered.warnings];
  run.contentHash = hashPageContent({ title: run.body.title, document: rendered.document });
}

/** The document for this page, from what was uploaded before: no Confluence request. */
export async function renderAttachmentsFor(run: AttachmentRun, pageId: string): Promise<void> {
  if (run.attachments.used) useRendered(run, await run.attachments.render(pageId));
}

/** Right before the body is written (never in a dry run): uploads what changed, then renders the final document. */
export async function uploadAttachmentsTo(run: AttachmentRun, pageId: string): Promise<void> {
  if (run.attachments.used && !run.job.dryRun) {
    useRendered(run, await run.attachments.upload(run.target, pageId));
  }
}
