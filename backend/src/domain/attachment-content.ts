import type { AttachmentContentType } from '@pagewire/shared';

/**
 * Whether an attachment's bytes are what its declared type says. The type
 * comes from the sender's `Content-Type`, so a mislabelled file (an HTML page
 * sent as `image/png`, a script as `image/svg+xml`) is refused before it
 * reaches Confluence, which would serve it back to readers. Raster types are
 * recognised by their signature bytes; SVG is XML text whose root element is
 * `<svg`. Returns null when the bytes match, else why not, for the 415 detail.
 */
export function attachmentContentMismatch(type: AttachmentContentType, bytes: Uint8Array): string | null {
  if (bytes.length === 0) return 'the file is empty';
  switch (type) {
    case 'image/png':
      return startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) ? null : notA('PNG');
    case 'image/jpeg':
      return startsWith(bytes, [0xff, 0xd8, 0xff]) ? null : notA('JPEG');
    case 'image/gif':
      return startsWithText(bytes, 'GIF87a') || startsWithText(bytes, 'GIF89a') ? null : notA('GIF');
    case 'image/webp':
      return startsWithText(bytes, 'RIFF') && textAt(bytes, 8, 'WEBP') ? null : notA('WebP');
    case 'image/svg+xml':
      return svgMismatch(bytes);
  }
}

function notA(format: string): string {
  return `the bytes do not start with the ${format} signature`;
}

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return bytes.length >= signature.length && signature.every((byte, index) => bytes[index] === byte);
}

function textAt(bytes: Uint8Array, offset: number, text: string): boolean {
  if (bytes.length < offset + text.length) return false;
  for (let index = 0; index < text.length; index += 1) {
    if (bytes[offset + index] !== text.charCodeAt(index)) return false;
  }
  return true;
}

function startsWithText(bytes: Uint8Array, text: string): boolean {
  return textAt(bytes, 0, text);
}

/**
 * SVG: UTF-8 text; before the root element only an XML declaration,
 * comments, processing instructions and a DOCTYPE without an internal subset
 * (entity declarations are how XML bombs are built, and SVG needs none).
 */
function svgMismatch(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'an SVG must be UTF-8 text';
  }
  if (text.includes('\u0000')) return 'an SVG must be text, not binary data';
  let rest = text.replace(/^\uFEFF/, '');
  for (;;) {
    rest = rest.trimStart();
    if (rest.startsWith('<?')) {
      const end = rest.indexOf('?>');
      if (end < 0) return 'the XML declaration is not closed';
      rest = rest.slice(end + 2);
    } else if (rest.startsWith('<!--')) {
      const end = rest.indexOf('-->');
      if (end < 0) return 'a comment before the root element is not closed';
      rest = rest.slice(end + 3);
    } else if (/^<!DOCTYPE/i.test(rest)) {
      const end = rest.indexOf('>');
      if (end < 0) return 'the DOCTYPE is not closed';
      if (rest.slice(0, end).includes('['))
        return 'a DOCTYPE with an internal subset (entities) is not accepted';
      rest = rest.slice(end + 1);
    } else break;
  }
  return /^<svg[\s>/]/.test(rest) ? null : 'the root element is not <svg>';
}
