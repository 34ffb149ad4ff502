import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { EXPORT_KEY_PATTERN, EXPORT_KEY_PREFIX } from '@pagewire/shared';
import { ERROR_KINDS } from '../error-kinds';
import type { ExportKeyRepository } from './store/export-key-repository';

/**
 * Export keys: `pwx_` + 32 random bytes in base64url (256 bits). As with
 * ingest keys (auth/ingest-key.ts) only a SHA-256 is stored: with 256 bits of
 * entropy a fast hash is enough and a stolen database yields no usable key.
 * The prefixes differ, so neither kind of key passes the other's check.
 */
const KEY_BYTES = 32;
/** `pwx_` and six characters: recognisable in a list, useless to an attacker. */
const DISPLAY_PREFIX_CHARS = EXPORT_KEY_PREFIX.length + 6;

export interface NewExportKey {
  /** The secret, shown to the admin once and never stored. */
  key: string;
  hash: string;
  prefix: string;
}

export function generateExportKey(): NewExportKey {
  const key = `${EXPORT_KEY_PREFIX}${randomBytes(KEY_BYTES).toString('base64url')}`;
  return { key, hash: hashExportKey(key), prefix: key.slice(0, DISPLAY_PREFIX_CHARS) };
}

export function hashExportKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Who is reading: the key fixes the installation and the space. */
export interface ExportPrincipal {
  keyId: string;
  installationId: string;
  spaceKey: string;
  consumer: string;
}

export class ExportKeyRejected extends Error {
  override readonly name = 'ExportKeyRejected';
  readonly [ERROR_KINDS] = ['export_key_rejected'] as const;
}

export interface ExportAuthenticator {
  authenticate(authorization: string | undefined): Promise<ExportPrincipal>;
}

export function createExportAuthenticator(deps: {
  keys: ExportKeyRepository;
  now: () => Date;
}): ExportAuthenticator {
  return {
    async authenticate(authorization) {
      const match = authorization === undefined ? null : /^Bearer +(\S+) *$/i.exec(authorization);
      if (match === null) throw new ExportKeyRejected('send the export key as "Authorization: Bearer pwx_…"');
      const presented = match[1]!;
      if (!EXPORT_KEY_PATTERN.test(presented)) {
        throw new ExportKeyRejected('this is not a Pagewire export key (they start with "pwx_")');
      }
      const presentedHash = hashExportKey(presented);
      const record = await deps.keys.findByHash(presentedHash);
      // Looked up by hash; compared in constant time all the same.
      if (
        record === null ||
        !timingSafeEqual(Buffer.from(record.keyHash, 'hex'), Buffer.from(presentedHash, 'hex'))
      ) {
        throw new ExportKeyRejected('this export key is not known');
      }
      // Read on every request, never cached: a revocation takes effect on the next one.
      if (record.revokedAt !== null) throw new ExportKeyRejected('this export key has been revoked');
      await deps.keys.markUsed(record.id, deps.now());
      return {
        keyId: record.id,
        installationId: record.installationId,
        spaceKey: record.spaceKey,
        consumer: record.consumer,
      };
    },
  };
}
