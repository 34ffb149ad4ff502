import { randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK } from 'jose';

/**
 * The RS256 keys the emulator signs Forge Invocation Tokens with, published at
 * `/.well-known/jwks.json` like Forge's CDN does. Production kids look like
 * `forge/invocation-token/wf-<uuid>` (a captured FIT header; docs/platform-notes.md#fit-verification).
 *
 * Rotation keeps the previous key in the set by default, so tokens signed just
 * before a rotation still verify, and a verifier that meets an unknown `kid`
 * refetches the set (jose's remote JWK set does exactly that).
 */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface SigningKeyRing {
  active(): SigningKey;
  rotate(options: { retirePrevious: boolean }): Promise<SigningKey>;
  jwks(): { keys: JWK[] };
}

async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  const kid = `forge/invocation-token/wf-${randomUUID()}`;
  const jwk = await exportJWK(publicKey);
  return { kid, privateKey, publicJwk: { ...jwk, kid, alg: 'RS256', use: 'sig' } };
}

export async function createSigningKeyRing(): Promise<SigningKeyRing> {
  let keys: SigningKey[] = [await createSigningKey()];
  return {
    active: () => keys[keys.length - 1]!,
    async rotate({ retirePrevious }) {
      const next = await createSigningKey();
      // Only one previous key is kept: a verifier has had a whole rotation to
      // pick up the newer one.
      keys = retirePrevious ? [next] : [keys[keys.length - 1]!, next];
      return next;
    },
    jwks: () => ({ keys: keys.map((key) => key.publicJwk) }),
  };
}
