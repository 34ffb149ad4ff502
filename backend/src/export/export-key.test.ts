import { describe, expect, it } from 'vitest';
import { generateIngestKey } from '../auth/ingest-key';
import { createExportAuthenticator, ExportKeyRejected, generateExportKey, hashExportKey } from './export-key';
import type { ExportKeyRecord, ExportKeyRepository } from './store/export-key-repository';

function repositoryWith(records: ExportKeyRecord[]): ExportKeyRepository & { used: string[] } {
  const used: string[] = [];
  return {
    used,
    async create() {},
    async findByHash(hash) {
      return records.find((record) => record.keyHash === hash) ?? null;
    },
    async list() {
      return [];
    },
    async revoke() {
      return 'not_found';
    },
    async markUsed(id) {
      used.push(id);
    },
  };
}

const recordFor = (hash: string, revokedAt: string | null = null): ExportKeyRecord => ({
  id: 'k1',
  installationId: 'inst-1',
  spaceKey: 'ENG',
  consumer: 'search',
  keyHash: hash,
  prefix: 'pwx_abcdef',
  createdAt: '2026-11-28T10:00:00.000Z',
  createdBy: 'admin',
  lastUsedAt: null,
  revokedAt,
});

describe('export keys', () => {
  it('are pwx_ and 256 random bits, stored only as their SHA-256, with a prefix too short to use', () => {
    const { key, hash, prefix } = generateExportKey();
    expect(key).toMatch(/^pwx_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.slice(4), 'base64url')).toHaveLength(32);
    expect(hash).toBe(hashExportKey(key));
    expect(hash).not.toContain(key.slice(4));
    expect(prefix).toBe(key.slice(0, 10));
    expect(generateExportKey().key).not.toBe(key);
  });

  it('authenticate to their installation and space, and note the use', async () => {
    const { key, hash } = generateExportKey();
    const keys = repositoryWith([recordFor(hash)]);
    const principal = await createExportAuthenticator({ keys, now: () => new Date() }).authenticate(
      `Bearer ${key}`,
    );
    expect(principal).toEqual({ keyId: 'k1', installationId: 'inst-1', spaceKey: 'ENG', consumer: 'search' });
    expect(keys.used).toEqual(['k1']);
  });

  it('refuse a missing header, an ingest key, an unknown key and a revoked one', async () => {
    const { key, hash } = generateExportKey();
    const revoked = generateExportKey();
    const authenticator = createExportAuthenticator({
      keys: repositoryWith([
        recordFor(hash),
        { ...recordFor(revoked.hash, '2026-11-28T11:00:00.000Z'), id: 'k2' },
      ]),
      now: () => new Date(),
    });
    const refusals = [
      undefined,
      `Basic ${key}`,
      `Bearer ${generateIngestKey().key}`,
      `Bearer ${generateExportKey().key}`,
      `Bearer ${revoked.key}`,
    ];
    for (const authorization of refusals) {
      await expect(authenticator.authenticate(authorization), String(authorization)).rejects.toBeInstanceOf(
        ExportKeyRejected,
      );
    }
  });
});
