import { describe, expect, it } from 'vitest';
import { attachmentImagesOf, attachmentNameOf, renderAttachmentImages } from './attachment-images';
import { convertMarkdownToAdf } from './markdown-to-adf';

describe('attachment images in Markdown', () => {
  it('renders a standalone pagewire:attachment image as a media placeholder naming the file', () => {
    const { document, notes } = convertMarkdownToAdf('![Flow chart](pagewire:attachment/Flow%20(v2).svg)');
    expect(notes).toEqual([]);
    expect(document.content).toEqual([
      {
        type: 'mediaSingle',
        attrs: { layout: 'center' },
        content: [
          {
            type: 'media',
            attrs: {
              type: 'file',
              id: 'pagewire:attachment/Flow (v2).svg',
              collection: '',
              alt: 'Flow chart',
            },
          },
        ],
      },
    ]);
    expect(attachmentImagesOf(document)).toEqual([{ name: 'Flow (v2).svg', alt: 'Flow chart' }]);
  });

  it('reads only valid attachment names from pagewire:attachment URLs', () => {
    expect(attachmentNameOf('pagewire:attachment/img_arch.png')).toBe('img_arch.png');
    expect(attachmentNameOf('pagewire:attachment/../etc/passwd')).toBeNull();
    expect(attachmentNameOf('pagewire:attachment/%E0%A4%A')).toBeNull();
    expect(attachmentNameOf('https://example.com/a.png')).toBeNull();
  });

  it('resolves placeholders to Confluence files, or to their alt text, leaving the rest alone', () => {
    const { document } = convertMarkdownToAdf(
      'Intro\n\n![A](pagewire:attachment/a.png)\n\n- item\n\n  ![](pagewire:attachment/b.png)',
    );
    expect(attachmentImagesOf(document).map((image) => image.name)).toEqual(['a.png', 'b.png']);
    const rendered = renderAttachmentImages(document, (image) =>
      image.name === 'a.png'
        ? { file: { id: 'file-1', collection: 'contentId-7' } }
        : { text: image.alt || image.name },
    );
    expect(rendered.content[0]).toEqual(document.content[0]);
    expect(rendered.content[1]?.content?.[0]?.attrs).toEqual({
      type: 'file',
      id: 'file-1',
      collection: 'contentId-7',
      alt: 'A',
    });
    expect(JSON.stringify(rendered.content[2])).toContain('"text":"b.png"');
    expect(attachmentImagesOf(rendered)).toEqual([]);
  });
});
