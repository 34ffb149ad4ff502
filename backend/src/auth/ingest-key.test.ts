import { INGEST_KEY_PATTERN } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { generateIngestKey, hashIngestKey } from './ingest-key';

describe('ingest keys', () => {
  it('match the published pattern and carry 256 random bits after the prefix', () => {
    const { key } = generateIngestKey();
    expect(key).toMatch(INGEST_KEY_PATTERN);
    expect(Buffer.from(key.slice(4), 'base64url')).toHaveLength(32);
  });

  it('are different every time', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateIngestKey().key));
    expect(keys.size).toBe(1000);
  });

  it('are stored as a hash that does not contain the key, with a prefix too short to use', () => {
    const { key, hash, prefix } = generateIngestKey();
    expect(hash).toBe(hashIngestKey(key));
    expect(hash).not.toContain(key.slice(4));
    expect(key.startsWith(prefix)).toBe(true);
    expect(prefix).toHaveLength(10);
  });
});
