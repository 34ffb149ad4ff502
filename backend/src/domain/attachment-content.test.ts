import { describe, expect, it } from 'vitest';
import { attachmentContentMismatch } from './attachment-content';

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (value: string) => new TextEncoder().encode(value);

const PNG = bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13);
const JPEG = bytes(0xff, 0xd8, 0xff, 0xe0, 0, 16);
const GIF = text('GIF89a\u0001\u0000');
const WEBP = new Uint8Array([...text('RIFF'), 0x24, 0, 0, 0, ...text('WEBPVP8 ')]);

describe('attachment content checks', () => {
  it('accepts each image type whose bytes carry its signature', () => {
    expect(attachmentContentMismatch('image/png', PNG)).toBeNull();
    expect(attachmentContentMismatch('image/jpeg', JPEG)).toBeNull();
    expect(attachmentContentMismatch('image/gif', GIF)).toBeNull();
    expect(attachmentContentMismatch('image/gif', text('GIF87a..'))).toBeNull();
    expect(attachmentContentMismatch('image/webp', WEBP)).toBeNull();
  });

  it('refuses bytes of another type than the declared one', () => {
    expect(attachmentContentMismatch('image/png', JPEG)).toMatch(/PNG signature/);
    expect(attachmentContentMismatch('image/jpeg', PNG)).toMatch(/JPEG/);
    expect(attachmentContentMismatch('image/gif', PNG)).toMatch(/GIF/);
    expect(attachmentContentMismatch('image/webp', text('RIFF\u0000\u0000\u0000\u0000WAVEfmt '))).toMatch(
      /WebP/,
    );
    expect(attachmentContentMismatch('image/png', text('<html><script>alert(1)</script>'))).not.toBeNull();
  });

  it('refuses an empty file and a truncated signature', () => {
    expect(attachmentContentMismatch('image/png', new Uint8Array())).toBe('the file is empty');
    expect(attachmentContentMismatch('image/png', PNG.slice(0, 4))).not.toBeNull();
  });

  it('accepts an SVG with a declaration, a comment and a plain DOCTYPE before its <svg> root', () => {
    const svg = text(
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- drawn by hand -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>',
    );
    expect(attachmentContentMismatch('image/svg+xml', svg)).toBeNull();
    expect(attachmentContentMismatch('image/svg+xml', text('<svg>'))).toBeNull();
  });

  it('refuses SVGs whose root is not <svg>, that are binary, or that declare entities', () => {
    expect(attachmentContentMismatch('image/svg+xml', text('<html><svg></svg></html>'))).toBe(
      'the root element is not <svg>',
    );
    expect(attachmentContentMismatch('image/svg+xml', text('<svgfoo/>'))).toBe(
      'the root element is not <svg>',
    );
    expect(attachmentContentMismatch('image/svg+xml', PNG)).toMatch(/UTF-8|binary/);
    expect(attachmentContentMismatch('image/svg+xml', text('<svg>\u0000</svg>'))).toMatch(/binary/);
    expect(
      attachmentContentMismatch(
        'image/svg+xml',
        text('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>'),
      ),
    ).toMatch(/internal subset/);
    expect(attachmentContentMismatch('image/svg+xml', text('<!-- never closed <svg>'))).toMatch(/not closed/);
  });
});
