import { constants, type KeyObject, verify as verifySignature } from 'node:crypto';
import { z } from 'zod';
import type { ForgeEnvironmentType } from '../config/config';
import { FitError } from './forge-invocation-token-error';
import type { FitKeys } from './forge-invocation-token-keys';

export { FitError, type FitRejectionReason, fitRejectionReasons } from './forge-invocation-token-error';
export { createForgeJwks, createLocalFitKeys, type FitKeys } from './forge-invocation-token-keys';

/**
 * Verification of Forge Invocation Tokens (FITs), the bearer token Forge puts
 * on every call to a remote (https://developer.atlassian.com/platform/forge/remote/essentials/).
 *
 * Rules, each pinned here rather than taken from the token:
 * - RS256 only and a `kid` required: without the pin, `alg: none` or an HS256
 *   token keyed with the public key could pass; without `kid`, a key set with
 *   one key would verify any token against it.
 * - issuer `forge/invocation-token`; audience = our app ARI from config (the
 *   anti-pattern of trusting the token's own `app.id` lets any app's FIT in).
 * - `exp`/`nbf` with at most 5 s of clock tolerance (the documented token lives 25 s);
 *   `aud` a single string; a `jti` present (the replay rule keys on it).
 * - no header member that brings its own key material (`jku`, `jwk`, `x5u`, `x5c`)
 *   or changes what is signed (`crit`, `b64`); base64url strict and canonical.
 * - the environment type must be on the allow-list: one app id spans all environments.
 * - `app.apiBaseUrl` must sit under the configured Atlassian API base; the cloudId comes from it.
 */
export const FIT_ISSUER = 'forge/invocation-token';
/** Real FITs are a few hundred bytes to ~2 KB; anything far larger is refused before parsing. */
export const MAX_FIT_CHARS = 8192;
/** The most clock skew tolerated on `exp` and `nbf`; also how long past `exp` a `jti` must be remembered. */
export const FIT_CLOCK_TOLERANCE_SECONDS = 5;

/** The signed context of a UI-originated call (absent on function- and trigger-originated calls). */
export interface FitContext {
  cloudId: string | null;
  siteUrl: string | null;
  localId: string | null;
  moduleKey: string | null;
  extensionType: string | null;
  spaceKey: string | null;
  spaceId: string | null;
  contentId: string | null;
  /** `extension.content.type` when it is one Pagewire knows (`page`, `blogpost`). */
  contentType: 'page' | 'blogpost' | null;
}

export interface VerifiedInvocation {
  /** The tenant key: `app.installationId`, signed by Atlassian. */
  installationId: string;
  cloudId: string;
  apiBaseUrl: string;
  environmentType: ForgeEnvironmentType;
  environmentId: string | null;
  moduleType: string | null;
  moduleKey: string | null;
  context: FitContext | null;
  /** The invoking user's accountId on UI-originated calls. */
  principal: string | null;
  /** The token's `jti`, for the replay rule. */
  tokenId: string;
  /** The token's `exp`, in seconds since the epoch: how long its `jti` must be remembered. */
  expiresAtSeconds: number;
}

export interface FitVerifier {
  verify(authorization: string | undefined): Promise<VerifiedInvocation>;
}

const idString = z.string().min(1).max(256);

const fitClaimsSchema = z.object({
  app: z.object({
    installationId: z.string().regex(/^ari:cloud:ecosystem::installation\/[A-Za-z0-9._-]{1,128}$/),
    apiBaseUrl: z.string().min(1).max(2048),
    environment: z.object({
      type: z.enum(['DEVELOPMENT', 'STAGING', 'PRODUCTION']),
      id: idString.optional(),
    }),
    module: z.object({ type: idString.optional(), key: idString.optional() }).optional(),
  }),
  context: z
    .looseObject({
      cloudId: idString.optional(),
      siteUrl: z.string().max(2048).optional(),
      localId: idString.optional(),
      moduleKey: idString.optional(),
      extension: z
        .looseObject({
          type: idString.optional(),
          content: z
            .looseObject({
              id: z.union([idString, z.number()]).optional(),
              type: z.string().max(64).optional(),
            })
            .optional(),
          space: z
            .looseObject({ key: idString.optional(), id: z.union([idString, z.number()]).optional() })
            .optional(),
        })
        .optional(),
    })
    .optional(),
  principal: idString.optional(),
});

type FitClaims = z.infer<typeof fitClaimsSchema>;

export interface FitVerifierOptions {
  appId: string;
  keys: FitKeys;
  environments: ReadonlySet<ForgeEnvironmentType> | null;
  atlassianApiBase: URL;
  clockToleranceSeconds?: number;
  now?: () => Date;
}

/**
 * The cloudId from a signed `app.apiBaseUrl`, which must be
 * `<configured API base>/ex/confluence/<cloudId>`; null when it is anywhere else.
 */
export function cloudIdFromApiBaseUrl(apiBaseUrl: string, atlassianApiBase: URL): string | null {
  let url: URL;
  try {
    url = new URL(apiBaseUrl);
  } catch {
    return null;
  }
  // A URL that only becomes acceptable after normalisation (`..`, `%2e`) is refused as written.
  if (url.href.replace(/\/+$/, '') !== apiBaseUrl.replace(/\/+$/, '')) return null;
  if (url.origin !== atlassianApiBase.origin || url.search !== '' || url.hash !== '') return null;
  if (url.username !== '' || url.password !== '') return null;
  const basePath = atlassianApiBase.pathname.replace(/\/+$/, '');
  const match = /^\/ex\/confluence\/([A-Za-z0-9-]{1,64})\/?$/.exec(url.pathname.slice(basePath.length));
  if (!url.pathname.startsWith(`${basePath}/`) || match === null) return null;
  return match[1]!;
}

function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined || authorization.trim() === '') {
    throw new FitError('missing', 'send the Forge invocation token as "Authorization: Bearer <token>"');
  }
  const match = /^Bearer +(\S+) *$/i.exec(authorization);
  if (match === null) throw new FitError('malformed', 'the Authorization header is not "Bearer <token>"');
  const token = match[1]!;
  if (token.length > MAX_FIT_CHARS) throw new FitError('too_large', 'the invocation token is too large');
  return token;
}

function toContext(claims: FitClaims, cloudId: string): FitContext | null {
  const context = claims.context;
  if (context === undefined) return null;
  const extension = context.extension;
  const asId = (value: string | number | undefined) => (value === undefined ? null : String(value));
  return {
    cloudId: context.cloudId ?? cloudId,
    siteUrl: context.siteUrl ?? null,
    localId: context.localId ?? null,
    moduleKey: context.moduleKey ?? null,
    extensionType: extension?.type ?? null,
    spaceKey: extension?.space?.key ?? null,
    spaceId: asId(extension?.space?.id),
    contentId: asId(extension?.content?.id),
    contentType:
      extension?.content?.type === 'blogpost' || extension?.content?.type === 'page'
        ? extension.content.type
        : null,
  };
}

/**
 * Header members that point a verifier at key material of the token's own
 * choosing (or change what is signed). Nothing of Forge's uses them, and a
 * verifier that ever followed one would let a forger bring their own key.
 */
const REFUSED_HEADER_MEMBERS = ['jku', 'jwk', 'x5u', 'x5c', 'crit', 'b64'] as const;
const MAX_KID_CHARS = 256;
const MAX_JTI_CHARS = 256;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Strict base64url (RFC 7515 §2: no padding, no other characters) and
 * canonical: the unused low bits of the last character must be zero. Node's
 * decoder ignores them, so without this check four spellings of one signature
 * would all verify, and a changed character would go unnoticed.
 */
function decodeSegment(segment: string): Buffer | null {
  if (!BASE64URL.test(segment)) return null;
  const remainder = segment.length % 4;
  if (remainder === 1) return null;
  if (remainder !== 0) {
    const last = BASE64URL_ALPHABET.indexOf(segment[segment.length - 1]!);
    if ((last & (remainder === 2 ? 0x0f : 0x03)) !== 0) return null;
  }
  return Buffer.from(segment, 'base64url');
}

function parseJsonObject(bytes: Buffer | null): Record<string, unknown> | null {
  if (bytes === null) return null;
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

const malformed = () => new FitError('malformed', 'the invocation token is not a well-formed JWT');

interface SignedToken {
  kid: string;
  signingInput: Buffer;
  signature: Buffer;
  payloadSegment: string;
}

/** The compact JWS split and its header judged, before any key is looked at. */
function readSignedToken(token: string): SignedToken {
  const firstDot = token.indexOf('.');
  const secondDot = token.indexOf('.', firstDot + 1);
  if (firstDot <= 0 || secondDot < 0 || token.indexOf('.', secondDot + 1) !== -1) throw malformed();
  const header = parseJsonObject(decodeSegment(token.slice(0, firstDot)));
  if (header === null) throw malformed();
  if (header.alg !== 'RS256') {
    throw new FitError('algorithm', 'the invocation token is not signed with RS256');
  }
  for (const member of REFUSED_HEADER_MEMBERS) {
    if (member in header) {
      throw new FitError(
        'header',
        `the invocation token header carries "${member}", which Forge never sends`,
      );
    }
  }
  const kid = header.kid;
  if (typeof kid !== 'string' || kid === '' || kid.length > MAX_KID_CHARS) {
    throw new FitError('kid_missing', 'the invocation token does not name its signing key (kid)');
  }
  const signatureSegment = token.slice(secondDot + 1);
  const signature = signatureSegment === '' ? null : decodeSegment(signatureSegment);
  if (signature === null) throw malformed();
  return {
    kid,
    signingInput: Buffer.from(token.slice(0, secondDot), 'ascii'),
    signature,
    payloadSegment: token.slice(firstDot + 1, secondDot),
  };
}

/**
 * The registered claims, each checked against configuration. `aud` must be
 * exactly our app id as a string: Forge sends one audience, and a token naming
 * several apps was not minted for us alone.
 */
function checkRegisteredClaims(
  payload: Record<string, unknown>,
  appId: string,
  nowSeconds: number,
  clockTolerance: number,
): { tokenId: string; expiresAtSeconds: number } {
  if (payload.iss !== FIT_ISSUER)
    throw new FitError('issuer', 'the invocation token was not issued by Forge');
  if (payload.aud !== appId) throw new FitError('audience', 'the invocation token is for another app');
  const exp = payload.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw new FitError('claims', 'the invocation token lacks a valid "exp" claim');
  }
  if (exp <= nowSeconds - clockTolerance) throw new FitError('expired', 'the invocation token has expired');
  const nbf = payload.nbf;
  if (nbf !== undefined) {
    if (typeof nbf !== 'number' || !Number.isFinite(nbf)) {
      throw new FitError('claims', 'the invocation token has an invalid "nbf" claim');
    }
    if (nbf > nowSeconds + clockTolerance) {
      throw new FitError('not_yet_valid', 'the invocation token is not valid yet');
    }
  }
  if (payload.iat !== undefined && (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat))) {
    throw new FitError('claims', 'the invocation token has an invalid "iat" claim');
  }
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_CHARS) {
    throw new FitError('claims', 'the invocation token lacks a valid "jti" claim');
  }
  return { tokenId: jti, expiresAtSeconds: exp };
}

/** Distinct API base URLs remembered per verifier; there is one per site, so this only bounds a flood. */
const CLOUD_ID_MEMO_ENTRIES = 10_000;

/**
 * The verifier. Everything after the key lookup is synchronous: the RS256
 * signature with node:crypto's `verify` (one RSA public-key operation, ~30 µs),
 * then the claims. jose's `jwtVerify` did the same through WebCrypto, whose
 * every call hops to the thread pool and back, several times the cost
 * (docs/BENCHMARKS.md, "The FIT verifier"). Nothing about a verified token is
 * cached: each one is verified in full.
 */
export function createFitVerifier(options: FitVerifierOptions): FitVerifier {
  const clockTolerance = Math.min(
    options.clockToleranceSeconds ?? FIT_CLOCK_TOLERANCE_SECONDS,
    FIT_CLOCK_TOLERANCE_SECONDS,
  );
  // `cloudIdFromApiBaseUrl` parses a URL; its answer depends only on the
  // signed string and the configuration, and every call of a site carries the same one.
  const cloudIds = new Map<string, string | null>();
  const cloudIdOf = (apiBaseUrl: string): string | null => {
    let cloudId = cloudIds.get(apiBaseUrl);
    if (cloudId === undefined) {
      cloudId = cloudIdFromApiBaseUrl(apiBaseUrl, options.atlassianApiBase);
      if (cloudIds.size >= CLOUD_ID_MEMO_ENTRIES) cloudIds.clear();
      cloudIds.set(apiBaseUrl, cloudId);
    }
    return cloudId;
  };

  function verifyWithKey(signed: SignedToken, key: KeyObject): VerifiedInvocation {
    const valid = verifySignature(
      'sha256',
      signed.signingInput,
      { key, padding: constants.RSA_PKCS1_PADDING },
      signed.signature,
    );
    if (!valid) throw new FitError('signature', 'the invocation token signature does not verify');
    const payload = parseJsonObject(decodeSegment(signed.payloadSegment));
    if (payload === null) throw malformed();
    const nowSeconds = (options.now === undefined ? Date.now() : options.now().getTime()) / 1000;
    const registered = checkRegisteredClaims(payload, options.appId, nowSeconds, clockTolerance);

    const parsed = fitClaimsSchema.safeParse(payload);
    if (!parsed.success) {
      throw new FitError('claims', 'the invocation token lacks the app installation claims Pagewire needs');
    }
    const claims = parsed.data;
    if (options.environments !== null && !options.environments.has(claims.app.environment.type)) {
      throw new FitError('environment', 'this backend does not serve that Forge environment');
    }
    const cloudId = cloudIdOf(claims.app.apiBaseUrl);
    if (cloudId === null) {
      throw new FitError(
        'api_base_url',
        'the invocation token points at an API base this backend does not trust',
      );
    }
    const context = toContext(claims, cloudId);
    if (context !== null && context.cloudId !== cloudId) {
      throw new FitError('claims', 'the invocation token names two different sites');
    }
    return {
      installationId: claims.app.installationId,
      cloudId,
      apiBaseUrl: claims.app.apiBaseUrl.replace(/\/+$/, ''),
      environmentType: claims.app.environment.type,
      environmentId: claims.app.environment.id ?? null,
      moduleType: claims.app.module?.type ?? null,
      moduleKey: claims.app.module?.key ?? null,
      context,
      principal: claims.principal ?? null,
      tokenId: registered.tokenId,
      expiresAtSeconds: registered.expiresAtSeconds,
    };
  }

  return {
    verify(authorization) {
      try {
        const signed = readSignedToken(bearerToken(authorization));
        const key = options.keys.keyFor(signed.kid);
        if (key instanceof Promise) return key.then((fetched) => verifyWithKey(signed, fetched));
        return Promise.resolve(verifyWithKey(signed, key));
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}
