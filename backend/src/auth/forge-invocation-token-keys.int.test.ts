import { declareEmulator } from '@pagewire/devkit/testing';
import { base64url } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFitVerifier, createForgeJwks, FitError, type FitVerifier } from './forge-invocation-token';

/**
 * Signing-key rotation against the devkit's Forge: its JWKS over HTTP and its
 * `POST /_dev/forge/signing-keys/rotate` (optionally retiring the previous key).
 */
const env = declareEmulator();
let installationId: string;
let appId: string;

beforeAll(async () => {
  const site = await env.dev.seedSite();
  installationId = site.installationId;
  appId = site.appId;
});

function verifierWith(cooldownMs: number): FitVerifier {
  return createFitVerifier({
    appId,
    keys: createForgeJwks(new URL(env.dev.jwksUrl), { cooldownMs }),
    environments: null,
    atlassianApiBase: new URL(env.dev.url),
  });
}

const fit = async () => (await env.dev.mintFit({ installationId })).token;

/** A devkit FIT whose header names another kid (the signature is then irrelevant: the kid is looked up first). */
async function withKid(kid: string): Promise<string> {
  const [header, payload, signature] = (await fit()).split('.') as [string, string, string];
  const decoded = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>;
  return `${base64url.encode(JSON.stringify({ ...decoded, kid }))}.${payload}.${signature}`;
}

async function reasonFor(verifier: FitVerifier, token: string): Promise<string> {
  const error = await verifier.verify(`Bearer ${token}`).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FitError);
  return (error as FitError).reason;
}

describe('signing-key rotation with the devkit', () => {
  it('accepts the new key after a rotation, and refuses the old one once the devkit retires it', async () => {
    const verifier = verifierWith(0);
    const before = await fit();
    await expect(verifier.verify(`Bearer ${before}`)).resolves.toMatchObject({ installationId });
    await env.dev.rotateSigningKey({ retirePrevious: false });
    await expect(verifier.verify(`Bearer ${await fit()}`)).resolves.toMatchObject({ installationId });
    // The previous key is still published: a token signed just before the rotation still verifies.
    const signedBefore = (await env.dev.mintFit({ installationId })).token;
    await env.dev.rotateSigningKey({ retirePrevious: true });
    await expect(verifier.verify(`Bearer ${await fit()}`)).resolves.toMatchObject({ installationId });
    expect(await reasonFor(verifier, signedBefore)).toBe('unknown_kid');
  });

  it('is not locked out of a rotation by a made-up kid sent just before it', async () => {
    const verifier = verifierWith(60_000);
    expect(await reasonFor(verifier, await withKid('forge/invocation-token/wf-made-up'))).toBe('unknown_kid');
    await env.dev.rotateSigningKey({ retirePrevious: false });
    await expect(verifier.verify(`Bearer ${await fit()}`)).resolves.toMatchObject({ installationId });
  });
});
