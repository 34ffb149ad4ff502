import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hasErrorKind } from '../error-kinds';
import { createSecretBox, masterKeyId } from './secret-box';

const A = 'ari:cloud:ecosystem::installation/aaaa';
const B = 'ari:cloud:ecosystem::installation/bbbb';
const secret = 'ATATT3xFfGF0-planted-secret-1234567890';

describe('the secret box', () => {
  const box = createSecretBox({ current: randomBytes(32) });

  it('opens what it sealed, for the same installation and space', () => {
    const sealed = box.seal(secret, { kind: 'api-token', installationId: A, spaceKey: 'ENG' });
    expect(box.open(sealed, { kind: 'api-token', installationId: A, spaceKey: 'ENG' })).toBe(secret);
    expect(sealed.keyId).toBe(box.currentKeyId);
  });

  it('never produces the same ciphertext twice (a fresh nonce per record)', () => {
    const binding = { kind: 'app-token', installationId: A } as const;
    expect(box.seal(secret, binding).ciphertext).not.toBe(box.seal(secret, binding).ciphertext);
  });

  it('refuses to open a record under another installation’s associated data', () => {
    const sealed = box.seal(secret, { kind: 'api-token', installationId: A, spaceKey: 'ENG' });
    let error: unknown;
    try {
      box.open(sealed, { kind: 'api-token', installationId: B, spaceKey: 'ENG' });
    } catch (caught) {
      error = caught;
    }
    expect(hasErrorKind(error, 'not_authentic')).toBe(true);
    expect(String(error)).not.toContain(secret);
  });

  it('refuses to open a record under another space or as another kind of secret', () => {
    const sealed = box.seal(secret, { kind: 'api-token', installationId: A, spaceKey: 'ENG' });
    expect(() => box.open(sealed, { kind: 'api-token', installationId: A, spaceKey: 'OPS' })).toThrow(
      /authenticate/,
    );
    expect(() => box.open(sealed, { kind: 'app-token', installationId: A })).toThrow(/authenticate/);
  });

  it('refuses a tampered or truncated record', () => {
    const binding = { kind: 'app-token', installationId: A } as const;
    const sealed = box.seal(secret, binding);
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[14] = (bytes[14]! + 1) % 256;
    expect(() => box.open({ ...sealed, ciphertext: bytes.toString('base64') }, binding)).toThrow(
      /authenticate/,
    );
    expect(() => box.open({ ...sealed, ciphertext: 'AAAA' }, binding)).toThrow(/truncated/);
  });

  it('opens records of a previous key during a rotation and says they are stale', () => {
    const oldKey = randomBytes(32);
    const before = createSecretBox({ current: oldKey });
    const during = createSecretBox({ current: randomBytes(32), previous: [oldKey] });
    const binding = { kind: 'app-token', installationId: A } as const;
    const sealed = before.seal(secret, binding);
    expect(during.open(sealed, binding)).toBe(secret);
    expect(during.isStale(sealed)).toBe(true);
    expect(during.isStale(during.seal(secret, binding))).toBe(false);
  });

  it('names the missing key when a record was sealed under a key it does not have', () => {
    const other = createSecretBox({ current: randomBytes(32) });
    const sealed = other.seal(secret, { kind: 'app-token', installationId: A });
    let error: unknown;
    try {
      box.open(sealed, { kind: 'app-token', installationId: A });
    } catch (caught) {
      error = caught;
    }
    expect(hasErrorKind(error, 'unknown_key')).toBe(true);
    expect(String(error)).toContain(sealed.keyId);
  });

  it('derives key ids that identify a key without revealing it', () => {
    const key = randomBytes(32);
    expect(masterKeyId(key)).toBe(masterKeyId(Buffer.from(key)));
    expect(masterKeyId(key)).toMatch(/^mk_[0-9a-f]{16}$/);
    expect(masterKeyId(key)).not.toContain(key.toString('hex').slice(0, 8));
  });
});
