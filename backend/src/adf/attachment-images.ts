import {
  type AdfDocument,
  type AdfNode,
  ATTACHMENT_LINK_PREFIX,
  attachmentNameSchema,
} from '@pagewire/shared';

/**
 * A page's own images: Markdown `![alt](pagewire:attachment/<name>)` on a
 * line of its own. The renderer cannot know the Confluence file yet (that
 * needs the page and an upload), so it writes a placeholder `media` node whose
 * id names the attachment; the publisher resolves it (publishing/page-attachments.ts)
 * to the uploaded file: `type: 'file'`, the file id, `collection:
 * 'contentId-<pageId>'` (docs/platform-notes.md#page-attachments).
 */
const PLACEHOLDER_PREFIX = ATTACHMENT_LINK_PREFIX;

/** The attachment name of a `pagewire:attachment/<name>` URL (percent-decoded), or null. */
export function attachmentNameOf(url: string): string | null {
  if (!url.startsWith(ATTACHMENT_LINK_PREFIX)) return null;
  let name: string;
  try {
    name = decodeURIComponent(url.slice(ATTACHMENT_LINK_PREFIX.length));
  } catch {
    return null;
  }
  return attachmentNameSchema.safeParse(name).success ? name : null;
}

/** The placeholder block for an attachment image. */
export function attachmentImageBlock(name: string, alt: string | undefined): AdfNode {
  const attrs: Record<string, unknown> = { type: 'file', id: `${PLACEHOLDER_PREFIX}${name}`, collection: '' };
  if (alt) attrs.alt = alt;
  return { type: 'mediaSingle', attrs: { layout: 'center' }, content: [{ type: 'media', attrs }] };
}

/** A placeholder found in a document: the attachment's name and the image's alt text. */
export interface AttachmentImage {
  readonly name: string;
  readonly alt: string | undefined;
}

/** What a placeholder becomes: a Confluence file, or (no file to show) a paragraph of its alt text. */
export type AttachmentImageRendering = { file: { id: string; collection: string } } | { text: string };

function placeholderOf(node: AdfNode): AttachmentImage | null {
  if (node.type !== 'mediaSingle' || node.content?.length !== 1) return null;
  const media = node.content[0]!;
  const id = media.attrs?.id;
  if (media.type !== 'media' || typeof id !== 'string' || !id.startsWith(PLACEHOLDER_PREFIX)) return null;
  const alt = media.attrs?.alt;
  return { name: id.slice(PLACEHOLDER_PREFIX.length), alt: typeof alt === 'string' ? alt : undefined };
}

/** Every attachment the document's placeholders name, once each, in order. */
export function attachmentImagesOf(document: AdfDocument): AttachmentImage[] {
  const found = new Map<string, AttachmentImage>();
  const visit = (nodes: readonly AdfNode[] | undefined) => {
    for (const node of nodes ?? []) {
      const image = placeholderOf(node);
      if (image !== null) {
        if (!found.has(image.name)) found.set(image.name, image);
      } else visit(node.content);
    }
  };
  visit(document.content);
  return [...found.values()];
}

/** A copy of the document with each placeholder rendered as `render` says; the input is not changed. */
export function renderAttachmentImages(
  document: AdfDocument,
  render: (image: AttachmentImage) => AttachmentImageRendering,
): AdfDocument {
  const rewrite = (nodes: AdfNode[]): AdfNode[] =>
    nodes.map((node) => {
      const image = placeholderOf(node);
      if (image === null)
        return node.content === undefined ? node : { ...node, content: rewrite(node.content) };
      const rendering = render(image);
      if ('text' in rendering) {
        return { type: 'paragraph', content: [{ type: 'text', text: rendering.text }] };
      }
      const media = node.content![0]!;
      return {
        ...node,
        content: [
          {
            ...media,
            attrs: { ...media.attrs, id: rendering.file.id, collection: rendering.file.collection },
          },
        ],
      };
    });
  return { ...document, content: rewrite(document.content) };
}
