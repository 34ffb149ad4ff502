import { createRemoteJWKSet, type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { ForgeEnvironmentType } from '../config/config';
import { ERROR_KINDS } from '../error-kinds';

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
 * - `exp`/`nbf` with at most 5 s of clock tolerance (the documented token lives 25 s).
 * - the environment type must be on the allow-list: one app id spans all environments.
 * - `app.apiBaseUrl` must sit under the configured Atlassian API base; the cloudId comes from it.
 */
export const FIT_ISSUER = 'forge/invocation-token';
/** Real FITs are a few hundred bytes to ~2 KB; anything far larger is refused before parsing. */
export const MAX_FIT_CHARS = 8192;
const MAX_CLOCK_TOLERANCE_SECONDS = 5;

export const fitRejectionReasons = [
  'missing',
  'malformed',
  'too_large',
  'algorithm',
  'kid_missing',
  'unknown_kid',
  'signature',
  'expired',
  'not_yet_valid',
  'issuer',
  'audience',
  'claims',
  'environment',
  'api_base_url',
] as const;
export type FitRejectionReason = (typeof fitRejectionReasons)[number];

/** A token fault (401) or, with reason `jwks_unavailable`, an infrastructure fault (503). */
export class FitError extends Error {
  override readonly name = 'FitError';
  readonly [ERROR_KINDS]: readonly string[];
  constructor(
    readonly reason: FitRejectionReason | 'jwks_unavailable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this[ERROR_KINDS] = reason === 'jwks_unavailable' ? ['fit', 'jwks_unavailable'] : ['fit', 'fit_rejected'];
  }
}

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
  getKey: JWTVerifyGetKey;
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

function classifyJoseError(error: unknown): FitError {
  if (error instanceof FitError) return error;
  if (error instanceof joseErrors.JWTExpired)
    return new FitError('expired', 'the invocation token has expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return new FitError('issuer', 'the invocation token was not issued by Forge');
      case 'aud':
        return new FitError('audience', 'the invocation token is for another app');
      case 'nbf':
        return new FitError('not_yet_valid', 'the invocation token is not valid yet');
      default:
        return new FitError('claims', `the invocation token lacks a valid "${error.claim}" claim`);
    }
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed || error instanceof joseErrors.JOSENotSupported) {
    return new FitError('algorithm', 'the invocation token is not signed with RS256');
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) {
    return new FitError('unknown_kid', 'the invocation token names a signing key Forge does not publish');
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new FitError('signature', 'the invocation token signature does not verify');
  }
  if (error instanceof joseErrors.JOSEError) {
    return new FitError('malformed', 'the invocation token is not a well-formed JWT');
  }
  // Anything else escaped the key lookup: treat it as the key set being unavailable
  // (a 503 the platform retries) rather than calling a good token bad.
  return new FitError('jwks_unavailable', 'the Forge signing keys could not be read', { cause: error });
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

/** Distinct API base URLs remembered per verifier; there is one per site, so this only bounds a flood. */
const CLOUD_ID_MEMO_ENTRIES = 10_000;

export function createFitVerifier(options: FitVerifierOptions): FitVerifier {
  const clockTolerance = Math.min(
    options.clockToleranceSeconds ?? MAX_CLOCK_TOLERANCE_SECONDS,
    MAX_CLOCK_TOLERANCE_SECONDS,
  );
  // jose hands the protected header to the key lookup after it checked the
  // algorithm against `algorithms` and before it looks at a key, so the `kid`
  // rule sits there: a token without one never costs a JWKS fetch, and the
  // header is decoded once (jose decodes it anyway).
  const getKey: JWTVerifyGetKey = (protectedHeader, token) => {
    if (typeof protectedHeader.kid !== 'string' || protectedHeader.kid === '') {
      throw new FitError('kid_missing', 'the invocation token does not name its signing key (kid)');
    }
    return options.getKey(protectedHeader, token);
  };
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
  return {
    async verify(authorization) {
      const token = bearerToken(authorization);

      let payload: unknown;
      try {
        const verified = await jwtVerify(token, getKey, {
          algorithms: ['RS256'],
          issuer: FIT_ISSUER,
          audience: options.appId,
          clockTolerance,
          requiredClaims: ['exp'],
          ...(options.now === undefined ? {} : { currentDate: options.now() }),
        });
        payload = verified.payload;
      } catch (error) {
        throw classifyJoseError(error);
      }

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
      };
    },
  };
}

/**
 * The Forge key set, created once at start. jose caches it (refetching after
 * 10 minutes) and refetches early on an unknown `kid`, at most once per 30 s
 * cooldown, so a rotation at Atlassian is picked up without letting a stream
 * of made-up `kid`s hammer the CDN. Fetch failures become `jwks_unavailable`
 * (503): an outage on the key side is not the caller's fault.
 */
export function createForgeJwks(
  url: URL,
  options: { cooldownMs?: number; cacheMaxAgeMs?: number; timeoutMs?: number } = {},
): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(url, {
    cooldownDuration: options.cooldownMs ?? 30_000,
    cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
    timeoutDuration: options.timeoutMs ?? 5_000,
  });
  return async (protectedHeader, token) => {
    try {
      return await remote(protectedHeader, token);
    } catch (error) {
      if (
        error instanceof joseErrors.JWKSNoMatchingKey ||
        error instanceof joseErrors.JWKSMultipleMatchingKeys
      ) {
        throw error;
      }
      throw new FitError('jwks_unavailable', 'the Forge signing keys could not be fetched', { cause: error });
    }
  };
}
