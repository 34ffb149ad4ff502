import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { INGEST_KEY_PATTERN, INGEST_KEY_PREFIX } from '@pagewire/shared';
import { ERROR_KINDS } from '../error-kinds';
import type { IngestKeyRepository } from '../store/ingest-key-repository';

/**
 * Ingest keys: `pwk_` + 32 random bytes in base64url (256 bits, 43 characters).
 * The prefix makes a leaked key recognisable to secret scanners and to people.
 * Only a SHA-256 of the key is stored: with 256 bits of entropy a fast hash is
 * enough (there is nothing to brute-force), and a stolen database yields no
 * usable key.
 */
const KEY_BYTES = 32;
/** `pwk_` and six characters: recognisable in a list, useless to an attacker (only 36 of 256 bits). */
const DISPLAY_PREFIX_CHARS = INGEST_KEY_PREFIX.length + 6;

export interface NewIngestKey {
  /** The secret, shown to the admin once and never stored. */
  key: string;
  hash: string;
  prefix: string;
}

export function generateIngestKey(): NewIngestKey {
  const key = `${INGEST_KEY_PREFIX}${randomBytes(KEY_BYTES).toString('base64url')}`;
  return { key, hash: hashIngestKey(key), prefix: key.slice(0, DISPLAY_PREFIX_CHARS) };
}

export function hashIngestKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface IngestPrincipal {
  keyId: string;
  installationId: string;
  spaceKey: string;
  source: string;
}

export class IngestKeyRejected extends Error {
  override readonly name = 'IngestKeyRejected';
  readonly [ERROR_KINDS] = ['ingest_key_rejected'] as const;
}

export interface IngestAuthenticator {
  authenticate(authorization: string | undefined): Promise<IngestPrincipal>;
}

export function createIngestAuthenticator(deps: {
  ingestKeys: IngestKeyRepository;
  now: () => Date;
}): IngestAuthenticator {
  return {
    async authenticate(authorization) {
      const match = authorization === undefined ? null : /^Bearer +(\S+) *$/i.exec(authorization);
      if (match === null) throw new IngestKeyRejected('send the ingest key as "Authorization: Bearer pwk_…"');
      const presented = match[1]!;
      if (!INGEST_KEY_PATTERN.test(presented)) {
        throw new IngestKeyRejected('this is not a Pagewire ingest key (they start with "pwk_")');
      }
      const presentedHash = hashIngestKey(presented);
      const record = await deps.ingestKeys.findByHash(presentedHash);
      // The lookup is by hash (an index compare on a value the caller cannot steer
      // towards a stored one); the final comparison is constant-time anyway, so
      // the decision never depends on how many leading characters matched.
      if (
        record === null ||
        !timingSafeEqual(Buffer.from(record.keyHash, 'hex'), Buffer.from(presentedHash, 'hex'))
      ) {
        throw new IngestKeyRejected('this ingest key is not known');
      }
      // Revocation is read on every request, never cached: it takes effect on the next one.
      if (record.revokedAt !== null) throw new IngestKeyRejected('this ingest key has been revoked');
      await deps.ingestKeys.markUsed(record.id, deps.now());
      return {
        keyId: record.id,
        installationId: record.installationId,
        spaceKey: record.spaceKey,
        source: record.source,
      };
    },
  };
}
