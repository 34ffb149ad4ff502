import { describe, expect, it } from 'vitest';
import { markerMatches, markVersionMessage, readVersionMarker } from './page-version-marker';

const hash = 'ab12cd34ef56ab78'.padEnd(64, '0');

describe('the version marker', () => {
  it('ends the message with the content hash, after the source’s own message', () => {
    expect(markVersionMessage(undefined, hash)).toBe('(published by Pagewire, content ab12cd34ef56ab78)');
    const message = markVersionMessage('from CI run 42', hash);
    expect(message).toBe('from CI run 42 (published by Pagewire, content ab12cd34ef56ab78)');
    expect(readVersionMarker(message)).toBe('ab12cd34ef56ab78');
    expect(markerMatches(readVersionMarker(message)!, hash)).toBe(true);
    expect(markerMatches('ab12cd34ef56ab79', hash)).toBe(false);
  });

  it('shortens a long source message so the whole stays within 255 characters and the marker survives', () => {
    const message = markVersionMessage('x'.repeat(255), hash);
    expect(message.length).toBeLessThanOrEqual(255);
    expect(readVersionMarker(message)).toBe('ab12cd34ef56ab78');
  });

  it('finds no marker in a person’s message, even one that mentions Pagewire', () => {
    expect(readVersionMarker(null)).toBeNull();
    expect(readVersionMarker('')).toBeNull();
    expect(readVersionMarker('fixed what Pagewire published')).toBeNull();
    expect(readVersionMarker('(published by Pagewire, content ab12) and more')).toBeNull();
  });
});
