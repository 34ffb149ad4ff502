import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ERROR_KINDS } from '../error-kinds';
import type { SealedSecret } from '../store/app-token-repository';

/**
 * AES-256-GCM for secrets at rest (the app system token, scoped API tokens).
 *
 * - A fresh random 96-bit nonce per record (NIST SP 800-38D's recommended IV
 *   length); at Pagewire's write rates the birthday bound is nowhere near.
 * - Associated data binds a ciphertext to what it belongs to (installation,
 *   space, kind of secret): a row copied into another tenant's slot fails to
 *   open instead of handing one tenant another's token.
 * - Every record names the master key that sealed it (`keyId`), so the
 *   `rotate-master-key` command knows what is left to re-encrypt and replicas
 *   can run with the new key plus the previous ones during a rotation.
 *
 * Stored form: base64(nonce ‖ ciphertext ‖ 16-byte tag).
 */
export interface SecretBox {
  readonly currentKeyId: string;
  seal(plaintext: string, binding: SecretBinding): SealedSecret;
  /** Throws a `SecretBoxError` when the key is unknown or the record does not authenticate. */
  open(sealed: SealedSecret, binding: SecretBinding): string;
  /** Whether a record was sealed under an older key. */
  isStale(sealed: SealedSecret): boolean;
  /** Whether this process holds the master key a record names (without it, `open` cannot succeed). */
  hasKey(keyId: string): boolean;
}

export type SecretBinding =
  | { kind: 'app-token'; installationId: string }
  | { kind: 'api-token'; installationId: string; spaceKey: string }
  /** A webhook subscription's signing secret (backend/src/webhooks/). */
  | { kind: 'webhook-secret'; installationId: string; subscriptionId: string };

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
  readonly [ERROR_KINDS]: readonly string[];
  constructor(
    readonly reason: 'unknown_key' | 'not_authentic',
    message: string,
  ) {
    super(message);
    this[ERROR_KINDS] = ['secret_box', reason];
  }
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/**
 * A key's id is derived from the key (so it cannot drift from it) through a
 * domain-separated hash (so it says nothing usable about the key).
 */
export function masterKeyId(key: Buffer): string {
  return `mk_${createHash('sha256').update('pagewire master key id\0').update(key).digest('hex').slice(0, 16)}`;
}

function associatedData(binding: SecretBinding): Buffer {
  // JSON of a fixed-shape array: unambiguous, whatever characters the ids contain.
  const parts =
    binding.kind === 'app-token'
      ? ['pagewire/v1', binding.kind, binding.installationId]
      : binding.kind === 'api-token'
        ? ['pagewire/v1', binding.kind, binding.installationId, binding.spaceKey]
        : ['pagewire/v1', binding.kind, binding.installationId, binding.subscriptionId];
  return Buffer.from(JSON.stringify(parts), 'utf8');
}

export function createSecretBox(keys: { current: Buffer; previous?: readonly Buffer[] }): SecretBox {
  const all = [keys.current, ...(keys.previous ?? [])];
  for (const key of all) {
    if (key.length !== KEY_BYTES) throw new Error(`a master key must be ${KEY_BYTES} bytes`);
  }
  const byId = new Map(all.map((key) => [masterKeyId(key), key] as const));
  const currentKeyId = masterKeyId(keys.current);

  return {
    currentKeyId,

    seal(plaintext, binding) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keys.current, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(associatedData(binding));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const sealed = Buffer.concat([nonce, body, cipher.getAuthTag()]);
      return { keyId: currentKeyId, ciphertext: sealed.toString('base64') };
    },

    open(sealed, binding) {
      const key = byId.get(sealed.keyId);
      if (key === undefined) {
        throw new SecretBoxError(
          'unknown_key',
          `a secret is sealed under master key ${sealed.keyId}, which this process does not have (set PAGEWIRE_PREVIOUS_MASTER_KEYS during a rotation)`,
        );
      }
      const bytes = Buffer.from(sealed.ciphertext, 'base64');
      if (bytes.length < NONCE_BYTES + TAG_BYTES) {
        throw new SecretBoxError('not_authentic', 'a stored secret is truncated');
      }
      const nonce = bytes.subarray(0, NONCE_BYTES);
      const tag = bytes.subarray(bytes.length - TAG_BYTES);
      const body = bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
        decipher.setAAD(associatedData(binding));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError(
          'not_authentic',
          'a stored secret does not authenticate for its installation and space (tampered, or copied from elsewhere)',
        );
      }
    },

    isStale(sealed) {
      return sealed.keyId !== currentKeyId;
    },

    hasKey(keyId) {
      return byId.has(keyId);
    },
  };
}
