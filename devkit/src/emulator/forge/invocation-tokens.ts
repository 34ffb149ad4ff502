import { KeyObject, randomBytes, randomUUID, sign } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Installation } from '../state/emulator-state';
import type { SigningKeyRing } from './signing-keys';

/**
 * Forge Invocation Tokens with the production claim shapes (docs/platform-notes.md#forge-invocation-token-claims,
 * and a captured production FIT): `iss` is `forge/invocation-token`, `aud`
 * the app ARI, `app` carries the installation, the `apiBaseUrl` of the site
 * (this emulator's gateway), the environment and the invoking module; `context`
 * exists only for UI-originated calls ("When invoked from a backend function,
 * no context is currently provided", /runtime-reference/invoke-remote-api/);
 * `principal` is the invoking user's account id when there is one. The
 * documented example lives 25 seconds.
 */
export const FIT_ISSUER = 'forge/invocation-token';
export const DEFAULT_FIT_TTL_SECONDS = 25;

export interface FitRequest {
  readonly installation: Installation;
  readonly apiBaseUrl: string;
  readonly accountId?: string | undefined;
  readonly context?: Record<string, unknown> | undefined;
  readonly moduleType?: string | undefined;
  readonly moduleKey?: string | undefined;
  readonly ttlSeconds?: number | undefined;
}

export function environmentAri(installation: Installation): string {
  return `ari:cloud:ecosystem::environment/${ariUuid(installation.appId)}/${installation.environmentId}`;
}

/** The UUID an ARI ends with: `ari:cloud:ecosystem::app/<uuid>`, `…::installation/<uuid>`. */
export function ariUuid(ari: string): string {
  return ari.slice(ari.lastIndexOf('/') + 1);
}

export function buildFitClaims(request: FitRequest, nowSeconds: number): Record<string, unknown> {
  const { installation, apiBaseUrl } = request;
  // A UI call names the module it came from; a function call or an event is
  // delivered through a `core:endpoint` (docs/platform-notes.md#forge-invocation-token-claims, app.module).
  const moduleType = request.moduleType ?? (request.context ? 'xen:macro' : 'core:endpoint');
  // Without a key, the macro's: a call from the macro's resolver function (no
  // context) or from the macro itself (context), as Pagewire's manifest has them.
  const moduleKey =
    request.moduleKey ??
    (typeof request.context?.moduleKey === 'string' ? request.context.moduleKey : 'pagewire-block');
  const ttl = request.ttlSeconds ?? DEFAULT_FIT_TTL_SECONDS;
  const claims: Record<string, unknown> = {
    app: {
      id: installation.appId,
      appVersion: installation.appVersion,
      installationId: installation.installationId,
      apiBaseUrl,
      environment: { type: installation.environmentType, id: environmentAri(installation) },
      module: { type: moduleType, key: moduleKey },
      installation: {
        id: installation.installationId,
        contexts: [{ name: 'confluence', apiBaseUrl }],
      },
    },
    aud: installation.appId,
    iss: FIT_ISSUER,
    iat: nowSeconds,
    nbf: nowSeconds,
    exp: nowSeconds + ttl,
    jti: randomBytes(20).toString('hex'),
  };
  if (request.context) claims.context = request.context;
  if (request.accountId) claims.principal = request.accountId;
  return claims;
}

export async function mintInvocationToken(
  keys: SigningKeyRing,
  request: FitRequest,
  nowSeconds: number,
): Promise<string> {
  const key = keys.active();
  return new SignJWT(buildFitClaims(request, nowSeconds))
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey);
}

/** Installation ids are ARIs; the FIT's `app.installationId` carries the same string. */
export function newInstallationId(): string {
  return `ari:cloud:ecosystem::installation/${randomUUID()}`;
}

/**
 * `count` tokens for one request shape, each with its own `jti`, signed with
 * node:crypto's synchronous RSA (a load test asks for tens of thousands, and
 * jose's WebCrypto signer costs a thread-pool round trip per token). The same
 * header, claims and key as `mintInvocationToken`.
 */
export function mintInvocationTokens(
  keys: SigningKeyRing,
  request: FitRequest,
  nowSeconds: number,
  count: number,
): string[] {
  const key = keys.active();
  const privateKey = KeyObject.from(key.privateKey);
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: key.kid, typ: 'JWT' })).toString(
    'base64url',
  );
  const tokens: string[] = [];
  for (let index = 0; index < count; index++) {
    const payload = Buffer.from(JSON.stringify(buildFitClaims(request, nowSeconds))).toString('base64url');
    const input = `${header}.${payload}`;
    const signature = sign('sha256', Buffer.from(input), privateKey).toString('base64url');
    tokens.push(`${input}.${signature}`);
  }
  return tokens;
}
