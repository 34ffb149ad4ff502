import { generateKeyPairSync, KeyObject, type KeyObject as KeyObjectType, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { base64url, type CryptoKey, exportSPKI, importJWK, SignJWT } from 'jose';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasErrorKind } from '../error-kinds';
import {
  createTestSigner,
  fitPayload,
  installationAri,
  TEST_API_BASE,
  TEST_APP_ID,
  type TestSigner,
} from '../testing/forge-tokens';
import {
  cloudIdFromApiBaseUrl,
  createFitVerifier,
  createForgeJwks,
  FitError,
  type FitRejectionReason,
  type FitVerifier,
} from './forge-invocation-token';

const INSTALLATION = installationAri('0a3a7799-53ae-4a5b-9e7e-03338980abb5');
const CLOUD = 'd0d52620-3203-4cfa-8db5-f2587155f0dd';
const claims = { installationId: INSTALLATION, cloudId: CLOUD };

let signer: TestSigner;
let impostor: TestSigner;
let verifier: FitVerifier;

beforeAll(async () => {
  signer = await createTestSigner('forge-key-1');
  // Another key pair that claims the same kid: a forger who copied the public kid.
  impostor = await createTestSigner('forge-key-1');
  verifier = createFitVerifier({
    appId: TEST_APP_ID,
    keys: signer.keys,
    environments: new Set(['PRODUCTION', 'STAGING']),
    atlassianApiBase: new URL(TEST_API_BASE),
  });
});

async function rejection(token: string, using: FitVerifier = verifier): Promise<FitRejectionReason | string> {
  try {
    await using.verify(`Bearer ${token}`);
  } catch (error) {
    expect(error).toBeInstanceOf(FitError);
    return (error as FitError).reason;
  }
  throw new Error('expected the token to be refused');
}

function unsignedToken(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode(header)}.${encode(payload)}.`;
}

/** The registered claims a genuine FIT carries, around the app claims. */
function registered(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    ...fitPayload(claims),
    iss: 'forge/invocation-token',
    aud: TEST_APP_ID,
    iat: now,
    nbf: now,
    exp: now + 25,
    jti: crypto.randomUUID(),
    ...extra,
  };
}

/** A compact JWS signed with node:crypto, for headers and algorithms jose's signer would not produce. */
function signRaw(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: KeyObjectType,
  algorithm: 'sha256' | null = 'sha256',
  options: Parameters<typeof sign>[2] extends infer K ? Partial<Extract<K, object>> : never = {},
): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  const input = `${encode(header)}.${encode(payload)}`;
  const signature = sign(algorithm, Buffer.from(input), { key, ...options } as never);
  return `${input}.${base64url.encode(signature)}`;
}

describe('verifying a Forge invocation token', () => {
  it('accepts a valid function-originated token and reads the tenant from its signed claims', async () => {
    const verified = await verifier.verify(`Bearer ${await signer.mint(claims)}`);
    expect(verified).toMatchObject({
      installationId: INSTALLATION,
      cloudId: CLOUD,
      apiBaseUrl: `${TEST_API_BASE}/ex/confluence/${CLOUD}`,
      environmentType: 'PRODUCTION',
      context: null,
      principal: null,
    });
  });

  it('reads the signed context and principal of a UI-originated token', async () => {
    const token = await signer.mint({
      ...claims,
      moduleType: 'xen:macro',
      principal: '655362:312d3308-8954-42b0-aa38-771a10c88656',
      context: {
        cloudId: CLOUD,
        localId: 'macro-1',
        siteUrl: 'https://acme.atlassian.net',
        extension: { type: 'macro', content: { id: '5341185' }, space: { key: 'ENG', id: 65538 } },
      },
    });
    const verified = await verifier.verify(`Bearer ${token}`);
    expect(verified.principal).toBe('655362:312d3308-8954-42b0-aa38-771a10c88656');
    expect(verified.context).toEqual({
      cloudId: CLOUD,
      siteUrl: 'https://acme.atlassian.net',
      localId: 'macro-1',
      moduleKey: null,
      extensionType: 'macro',
      spaceKey: 'ENG',
      spaceId: '65538',
      contentId: '5341185',
      contentType: null,
    });
  });

  it('tolerates a clock a few seconds behind the signer', async () => {
    const token = await signer.mint(claims, { expiresInSeconds: -3 });
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toMatchObject({ installationId: INSTALLATION });
  });

  describe('the attack corpus', () => {
    it('refuses alg "none"', async () => {
      const token = unsignedToken(
        { alg: 'none', kid: signer.kid },
        {
          ...fitPayload(claims),
          iss: 'forge/invocation-token',
          aud: TEST_APP_ID,
          exp: Math.floor(Date.now() / 1000) + 25,
        },
      );
      expect(await rejection(token)).toBe('algorithm');
    });

    it('refuses HS256 keyed with the public key', async () => {
      const publicKey = (await importJWK(signer.publicJwk, 'RS256', { extractable: true })) as CryptoKey;
      const publicPem = await exportSPKI(publicKey);
      const token = await new SignJWT(fitPayload(claims))
        .setProtectedHeader({ alg: 'HS256', kid: signer.kid })
        .setIssuer('forge/invocation-token')
        .setAudience(TEST_APP_ID)
        .setExpirationTime('25s')
        .sign(new TextEncoder().encode(publicPem));
      expect(await rejection(token)).toBe('algorithm');
    });

    it('refuses an unknown kid', async () => {
      expect(await rejection(await signer.mint(claims, { header: { kid: 'never-published' } }))).toBe(
        'unknown_kid',
      );
    });

    it('refuses a token without a kid', async () => {
      expect(await rejection(await signer.mint(claims, { omitKid: true }))).toBe('kid_missing');
    });

    it('refuses a token for another app', async () => {
      const otherApp = 'ari:cloud:ecosystem::app/11111111-2222-4333-8444-555555555555';
      expect(await rejection(await signer.mint(claims, { audience: otherApp }))).toBe('audience');
    });

    it('refuses a token without an audience', async () => {
      expect(await rejection(await signer.mint(claims, { audience: null }))).toBe('audience');
    });

    it('refuses a token from another issuer', async () => {
      expect(await rejection(await signer.mint(claims, { issuer: 'someone-else' }))).toBe('issuer');
    });

    it('refuses an expired token', async () => {
      expect(await rejection(await signer.mint(claims, { expiresInSeconds: -30 }))).toBe('expired');
    });

    it('refuses a token that is not valid yet', async () => {
      expect(
        await rejection(await signer.mint(claims, { notBeforeInSeconds: 60, expiresInSeconds: 90 })),
      ).toBe('not_yet_valid');
    });

    it('refuses a tampered payload', async () => {
      const token = await signer.mint(claims);
      const [header, , signature] = token.split('.');
      const forged = base64url.encode(
        JSON.stringify({
          ...fitPayload({ installationId: installationAri('someone-elses'), cloudId: CLOUD }),
          iss: 'forge/invocation-token',
          aud: TEST_APP_ID,
          exp: Math.floor(Date.now() / 1000) + 25,
        }),
      );
      expect(await rejection(`${header}.${forged}.${signature}`)).toBe('signature');
    });

    it('refuses a token without an installation id', async () => {
      const token = await signer.mint(claims, {
        extraClaims: { app: { ...(fitPayload(claims).app as object), installationId: undefined } },
      });
      expect(await rejection(token)).toBe('claims');
    });

    it('refuses app claims of the wrong shape: each member Pagewire reads, missing, null or of another type', async () => {
      const app = fitPayload(claims).app as Record<string, unknown>;
      const environment = app.environment as Record<string, unknown>;
      const cases: Array<[string, Record<string, unknown>]> = [
        ['app missing', { app: undefined }],
        ['app an array', { app: [app] }],
        ['installation id not an installation ARI', { app: { ...app, installationId: 'inst-1' } }],
        ['installation id a number', { app: { ...app, installationId: 42 } }],
        ['API base URL empty', { app: { ...app, apiBaseUrl: '' } }],
        ['API base URL too long', { app: { ...app, apiBaseUrl: `https://${'a'.repeat(2048)}` } }],
        ['environment missing', { app: { ...app, environment: undefined } }],
        ['environment type unknown', { app: { ...app, environment: { ...environment, type: 'TEST' } } }],
        ['environment id empty', { app: { ...app, environment: { ...environment, id: '' } } }],
        ['module null', { app: { ...app, module: null } }],
        ['module key a number', { app: { ...app, module: { key: 7 } } }],
        ['context a string', { context: 'acme' }],
        ['context site URL a number', { context: { cloudId: CLOUD, siteUrl: 1 } }],
        ['context content id an object', { context: { cloudId: CLOUD, extension: { content: { id: {} } } } }],
        [
          'context space key too long',
          { context: { cloudId: CLOUD, extension: { space: { key: 'K'.repeat(257) } } } },
        ],
        ['principal empty', { principal: '' }],
      ];
      for (const [name, extraClaims] of cases) {
        expect({ name, reason: await rejection(await signer.mint(claims, { extraClaims })) }).toEqual({
          name,
          reason: 'claims',
        });
      }
    });

    it('reads numeric content and space ids of a signed context as strings, and ignores members it does not read', async () => {
      const token = await signer.mint(claims, {
        extraClaims: {
          context: {
            cloudId: CLOUD,
            extension: { content: { id: 12345, type: 'page' }, space: { id: 98 } },
            more: [1],
          },
        },
      });
      const verified = await verifier.verify(`Bearer ${token}`);
      expect(verified.context).toMatchObject({
        contentId: '12345',
        contentType: 'page',
        spaceId: '98',
        spaceKey: null,
      });
    });

    it('refuses a token signed by another key under a valid-looking kid', async () => {
      expect(await rejection(await impostor.mint(claims))).toBe('signature');
    });

    it('refuses an oversized token before parsing it', async () => {
      const token = await signer.mint(claims, { extraClaims: { padding: 'x'.repeat(10_000) } });
      expect(await rejection(token)).toBe('too_large');
    });

    it('refuses an environment that is not on the allow-list', async () => {
      expect(await rejection(await signer.mint({ ...claims, environmentType: 'DEVELOPMENT' }))).toBe(
        'environment',
      );
    });

    it('refuses an API base URL outside the configured Atlassian API', async () => {
      const token = await signer.mint({
        ...claims,
        apiBaseUrl: `https://evil.example.com/ex/confluence/${CLOUD}`,
      });
      expect(await rejection(token)).toBe('api_base_url');
    });

    it('refuses a UI context naming another site than the signed API base', async () => {
      const token = await signer.mint({ ...claims, context: { cloudId: 'another-cloud' } });
      expect(await rejection(token)).toBe('claims');
    });

    it('refuses a token whose header points at key material of its own (jku, x5u, jwk, x5c)', async () => {
      const own = KeyObject.from(signer.privateKey);
      const publicJwk = { kty: 'RSA', n: signer.publicJwk.n, e: signer.publicJwk.e };
      for (const extra of [
        { jku: 'https://evil.example.com/jwks.json' },
        { x5u: 'https://evil.example.com/cert.pem' },
        { jwk: publicJwk },
        { x5c: ['MIIB'] },
        { crit: ['exp'] },
      ]) {
        const token = signRaw({ alg: 'RS256', kid: signer.kid, ...extra }, registered(), own);
        expect(await rejection(token)).toBe('header');
      }
    });

    it('refuses a token signed by the attacker’s own key that names a real kid in a jwk header', async () => {
      const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const token = signRaw(
        { alg: 'RS256', kid: signer.kid, jwk: attacker.publicKey.export({ format: 'jwk' }) },
        registered(),
        attacker.privateKey,
      );
      expect(await rejection(token)).toBe('header');
      const plain = signRaw({ alg: 'RS256', kid: signer.kid }, registered(), attacker.privateKey);
      expect(await rejection(plain)).toBe('signature');
    });

    it('refuses PS256 and ES256 tokens, even validly signed ones', async () => {
      const rsa = KeyObject.from(signer.privateKey);
      const ps256 = signRaw({ alg: 'PS256', kid: signer.kid }, registered(), rsa, 'sha256', {
        padding: 6, // RSA_PKCS1_PSS_PADDING
        saltLength: 32,
      });
      expect(await rejection(ps256)).toBe('algorithm');
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const es256 = signRaw({ alg: 'ES256', kid: signer.kid }, registered(), ec.privateKey, 'sha256', {
        dsaEncoding: 'ieee-p1363',
      });
      expect(await rejection(es256)).toBe('algorithm');
    });

    it('refuses an audience given as an array, even one that lists this app', async () => {
      const own = KeyObject.from(signer.privateKey);
      const token = signRaw({ alg: 'RS256', kid: signer.kid }, registered({ aud: [TEST_APP_ID] }), own);
      expect(await rejection(token)).toBe('audience');
      const two = signRaw(
        { alg: 'RS256', kid: signer.kid },
        registered({ aud: [TEST_APP_ID, 'ari:cloud:ecosystem::app/other'] }),
        own,
      );
      expect(await rejection(two)).toBe('audience');
    });

    it('refuses a token without a jti or with a non-numeric expiry', async () => {
      const own = KeyObject.from(signer.privateKey);
      expect(
        await rejection(signRaw({ alg: 'RS256', kid: signer.kid }, registered({ jti: undefined }), own)),
      ).toBe('claims');
      expect(
        await rejection(signRaw({ alg: 'RS256', kid: signer.kid }, registered({ exp: '9999999999' }), own)),
      ).toBe('claims');
    });

    it('refuses a 1 MB header before decoding it', async () => {
      const header = base64url.encode(
        JSON.stringify({ alg: 'RS256', kid: signer.kid, pad: 'x'.repeat(1 << 20) }),
      );
      const token = await signer.mint(claims);
      expect(await rejection(`${header}.${token.split('.')[1]}.${token.split('.')[2]}`)).toBe('too_large');
    });

    it('refuses malformed base64url: padding, foreign characters, extra segments, non-canonical endings', async () => {
      const token = await signer.mint(claims);
      const [header, payload, signature] = token.split('.') as [string, string, string];
      expect(await rejection(`${header}.${payload}.${signature}==`)).toBe('malformed');
      expect(await rejection(`${header}.${payload}.+${signature.slice(1)}`)).toBe('malformed');
      expect(await rejection(`${header}.${payload}.${signature}.${signature}`)).toBe('malformed');
      expect(await rejection(`${header}.${payload}.`)).toBe('malformed');
      expect(await rejection(`${header}.${payload}!.${signature}`)).toBe('signature');
      // 256 signature bytes are 342 characters whose last carries 4 unused bits: another spelling
      // of the same bytes is not the token Forge signed.
      const last = signature[signature.length - 1]!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
      expect(Buffer.from(signature.slice(0, -1) + sibling, 'base64url')).toEqual(
        Buffer.from(signature, 'base64url'),
      );
      expect(await rejection(`${header}.${payload}.${signature.slice(0, -1)}${sibling}`)).toBe('malformed');
    });

    it('refuses every single-character change to a valid token, at every position', async () => {
      const token = await signer.mint(claims);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      for (let position = 0; position < token.length; position++) {
        const original = token[position]!;
        // The nearest character that keeps the token syntactically a JWS: the hardest change to notice.
        const replacement =
          original === '.' ? 'A' : alphabet[(alphabet.indexOf(original) + 1) % alphabet.length]!;
        const changed = token.slice(0, position) + replacement + token.slice(position + 1);
        const reason = await rejection(changed);
        expect(reason, `position ${position}`).not.toBe('jwks_unavailable');
      }
    });

    it('refuses any single-byte change to a valid token (property)', async () => {
      const token = await signer.mint(claims);
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: token.length - 1 }),
          fc.integer({ min: 0, max: 255 }),
          async (position, byte) => {
            fc.pre(token.charCodeAt(position) !== byte);
            const changed = token.slice(0, position) + String.fromCharCode(byte) + token.slice(position + 1);
            const outcome = await verifier.verify(`Bearer ${changed}`).then(
              () => 'accepted',
              (error: unknown) => (error instanceof FitError ? error.reason : 'threw something else'),
            );
            expect(['accepted', 'threw something else', 'jwks_unavailable']).not.toContain(outcome);
          },
        ),
        { numRuns: 3000 },
      );
    });

    it('refuses garbage, a missing header and a non-bearer scheme', async () => {
      expect(await rejection('not-a-jwt')).toBe('malformed');
      await expect(verifier.verify(undefined)).rejects.toMatchObject({ reason: 'missing' });
      await expect(verifier.verify(`Basic ${await signer.mint(claims)}`)).rejects.toMatchObject({
        reason: 'malformed',
      });
    });
  });
});

describe('reading the cloudId from the signed API base URL', () => {
  const base = new URL('https://api.atlassian.com');
  it('accepts the gateway form and nothing else', () => {
    expect(cloudIdFromApiBaseUrl(`https://api.atlassian.com/ex/confluence/${CLOUD}`, base)).toBe(CLOUD);
    expect(cloudIdFromApiBaseUrl(`https://api.atlassian.com/ex/confluence/${CLOUD}/`, base)).toBe(CLOUD);
    expect(
      cloudIdFromApiBaseUrl(`https://api.atlassian.com.evil.io/ex/confluence/${CLOUD}`, base),
    ).toBeNull();
    expect(cloudIdFromApiBaseUrl(`https://api.atlassian.com/ex/jira/${CLOUD}`, base)).toBeNull();
    expect(cloudIdFromApiBaseUrl(`https://user@api.atlassian.com/ex/confluence/${CLOUD}`, base)).toBeNull();
    expect(cloudIdFromApiBaseUrl(`https://api.atlassian.com/ex/confluence/${CLOUD}/../x`, base)).toBeNull();
    expect(cloudIdFromApiBaseUrl('not a url', base)).toBeNull();
  });

  it('respects a path prefix on the configured base (the devkit serves under one)', () => {
    const devkit = new URL('http://127.0.0.1:4000/gateway');
    expect(cloudIdFromApiBaseUrl(`http://127.0.0.1:4000/gateway/ex/confluence/${CLOUD}`, devkit)).toBe(CLOUD);
    expect(cloudIdFromApiBaseUrl(`http://127.0.0.1:4000/ex/confluence/${CLOUD}`, devkit)).toBeNull();
  });
});

describe('the remote Forge key set', () => {
  let server: Server | undefined;
  let published: object[] = [];
  let fetches = 0;

  async function serveJwks(): Promise<URL> {
    server = createServer((_request, response) => {
      fetches++;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`);
  }

  afterEach(async () => {
    if (server !== undefined) await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    published = [];
    fetches = 0;
  });

  function verifierFor(
    url: URL,
    cooldownMs: number,
    jwksOptions: Parameters<typeof createForgeJwks>[1] = {},
  ): FitVerifier {
    return createFitVerifier({
      appId: TEST_APP_ID,
      keys: createForgeJwks(url, { cooldownMs, ...jwksOptions }),
      environments: null,
      atlassianApiBase: new URL(TEST_API_BASE),
    });
  }

  it('picks up a signing key Atlassian publishes after start, on its first use', async () => {
    const rotated = await createTestSigner('forge-key-2');
    published = [signer.publicJwk];
    const remote = verifierFor(await serveJwks(), 0);
    await remote.verify(`Bearer ${await signer.mint(claims)}`);
    published = [signer.publicJwk, rotated.publicJwk];
    await expect(remote.verify(`Bearer ${await rotated.mint(claims)}`)).resolves.toMatchObject({
      installationId: INSTALLATION,
    });
    expect(fetches).toBe(2);
  });

  it('does not refetch the key set for unknown kids during the cooldown', async () => {
    published = [signer.publicJwk];
    const remote = verifierFor(await serveJwks(), 60_000);
    await remote.verify(`Bearer ${await signer.mint(claims)}`);
    for (let attempt = 0; attempt < 5; attempt++) {
      expect(
        await rejection(await signer.mint(claims, { header: { kid: `made-up-${attempt}` } }), remote),
      ).toBe('unknown_kid');
    }
    expect(fetches).toBe(1);
  });

  it('never fetches the key set for a token without a kid or signed with another algorithm', async () => {
    published = [signer.publicJwk];
    const remote = verifierFor(await serveJwks(), 0);
    expect(await rejection(await signer.mint(claims, { omitKid: true }), remote)).toBe('kid_missing');
    const { SignJWT } = await import('jose');
    const hs256 = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256', kid: signer.kid })
      .sign(new TextEncoder().encode('a shared secret of thirty-two bytes!'));
    expect(await rejection(hs256, remote)).toBe('algorithm');
    expect(fetches).toBe(0);
  });

  it('stops accepting a key Forge removed from the set as soon as a fetch shows it gone', async () => {
    const next = await createTestSigner('forge-key-2');
    const after = await createTestSigner('forge-key-3');
    published = [signer.publicJwk, next.publicJwk];
    const remote = verifierFor(await serveJwks(), 0);
    await remote.verify(`Bearer ${await signer.mint(claims)}`);
    // Atlassian retires key 1 and publishes key 3; the first key-3 token refetches.
    published = [next.publicJwk, after.publicJwk];
    await expect(remote.verify(`Bearer ${await after.mint(claims)}`)).resolves.toBeDefined();
    expect(await rejection(await signer.mint(claims), remote)).toBe('unknown_kid');
    await expect(remote.verify(`Bearer ${await next.mint(claims)}`)).resolves.toBeDefined();
  });

  it('fetches the set again once it is older than the cache age, and drops the keys it no longer lists', async () => {
    published = [signer.publicJwk];
    const remote = verifierFor(await serveJwks(), 60_000, { cacheMaxAgeMs: 0 });
    await remote.verify(`Bearer ${await signer.mint(claims)}`);
    published = [(await createTestSigner('forge-key-2')).publicJwk];
    expect(await rejection(await signer.mint(claims), remote)).toBe('unknown_kid');
    expect(fetches).toBe(2);
  });

  it('lets a genuine new key through inside the cooldown when a made-up kid caused the last fetch', async () => {
    const rotated = await createTestSigner('forge-key-2');
    published = [signer.publicJwk];
    const remote = verifierFor(await serveJwks(), 60_000);
    // A forger sends a made-up kid first: the fetch it causes starts the cooldown.
    expect(await rejection(await signer.mint(claims, { header: { kid: 'made-up' } }), remote)).toBe(
      'unknown_kid',
    );
    expect(fetches).toBe(1);
    // Atlassian rotates; the first token with the new key arrives inside the cooldown.
    published = [signer.publicJwk, rotated.publicJwk];
    await expect(remote.verify(`Bearer ${await rotated.mint(claims)}`)).resolves.toMatchObject({
      installationId: INSTALLATION,
    });
    expect(fetches).toBe(2);
    // That fetch found its kid, so the cooldown holds against the next made-up one.
    expect(await rejection(await signer.mint(claims, { header: { kid: 'made-up-2' } }), remote)).toBe(
      'unknown_kid',
    );
    expect(fetches).toBe(2);
  });

  it('lets a stream of made-up kids cause at most one fetch per rescue interval', async () => {
    published = [signer.publicJwk];
    let nowMs = 1_000_000;
    const remote = verifierFor(await serveJwks(), 60_000, { rescueIntervalMs: 2_000, nowMs: () => nowMs });
    const madeUp = async (kid: string) => rejection(await signer.mint(claims, { header: { kid } }), remote);
    expect(await madeUp('a')).toBe('unknown_kid');
    expect(await madeUp('a')).toBe('unknown_kid');
    expect(fetches).toBe(1);
    expect(await madeUp('b')).toBe('unknown_kid');
    expect(fetches).toBe(2);
    for (const kid of ['c', 'd', 'e']) expect(await madeUp(kid)).toBe('unknown_kid');
    expect(fetches).toBe(2);
    nowMs += 2_000;
    expect(await madeUp('f')).toBe('unknown_kid');
    expect(fetches).toBe(3);
  });

  it('reports an unreachable key set as unavailable, not as a bad token', async () => {
    const url = await serveJwks();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    const error = await verifierFor(url, 0)
      .verify(`Bearer ${await signer.mint(claims)}`)
      .catch((caught: unknown) => caught);
    expect(hasErrorKind(error, 'jwks_unavailable')).toBe(true);
    expect(hasErrorKind(error, 'fit_rejected')).toBe(false);
  });
});
