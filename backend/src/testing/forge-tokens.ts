import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { createLocalFitKeys, type FitKeys } from '../auth/forge-invocation-token-keys';

/**
 * A stand-in for Forge's token signer in unit tests: an RS256 key pair
 * published as a JWKS, and a builder for Forge Invocation Tokens shaped like
 * the documented example (https://developer.atlassian.com/platform/forge/remote/essentials/).
 */
export const TEST_APP_ID = 'ari:cloud:ecosystem::app/8db33809-1f32-48bb-8c52-5877dab48107';
export const TEST_API_BASE = 'https://api.atlassian.com';

export function installationAri(suffix: string): string {
  return `ari:cloud:ecosystem::installation/${suffix}`;
}

export interface FitClaimsInput {
  installationId: string;
  cloudId: string;
  environmentType?: string;
  apiBaseUrl?: string;
  /** Defaults as Forge reports them: `xen:macro` with a context, else `core:endpoint`. */
  moduleType?: string;
  /** Defaults to the macro's key: a function call from the macro resolver, or a macro UI call. */
  moduleKey?: string;
  /** The UI-originated context; leave out for function- and trigger-originated tokens. */
  context?: Record<string, unknown>;
  principal?: string;
}

export interface TestSigner {
  readonly kid: string;
  readonly jwks: { keys: JWK[] };
  /** The verifier's view of this signer's published key set. */
  readonly keys: FitKeys;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  /** Signs FIT claims; `adjust` may change claims or the header before signing. */
  mint(claims: FitClaimsInput, adjust?: MintAdjustments): Promise<string>;
}

export interface MintAdjustments {
  audience?: string | null;
  issuer?: string | null;
  expiresInSeconds?: number;
  notBeforeInSeconds?: number;
  header?: Record<string, unknown>;
  omitKid?: boolean;
  extraClaims?: Record<string, unknown>;
  now?: Date;
}

export function fitPayload(claims: FitClaimsInput, apiBase = TEST_API_BASE): Record<string, unknown> {
  return {
    app: {
      id: TEST_APP_ID,
      appVersion: '1.0.0',
      installationId: claims.installationId,
      apiBaseUrl: claims.apiBaseUrl ?? `${apiBase}/ex/confluence/${claims.cloudId}`,
      environment: {
        type: claims.environmentType ?? 'PRODUCTION',
        id: 'ari:cloud:ecosystem::environment/8db33809-1f32-48bb-8c52-5877dab48107/aa911f10-c54b-4b93-9e27-dd2947840b9e',
      },
      module: {
        type: claims.moduleType ?? (claims.context === undefined ? 'core:endpoint' : 'xen:macro'),
        key: claims.moduleKey ?? 'pagewire-block',
      },
      installation: { id: claims.installationId, contexts: [] },
    },
    ...(claims.context === undefined ? {} : { context: claims.context }),
    ...(claims.principal === undefined ? {} : { principal: claims.principal }),
  };
}

export async function createTestSigner(
  kid = 'forge-test-key-1',
  apiBase = TEST_API_BASE,
): Promise<TestSigner> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const jwks = { keys: [publicJwk] };
  return {
    kid,
    jwks,
    keys: createLocalFitKeys(jwks),
    privateKey,
    publicJwk,
    async mint(claims, adjust = {}) {
      const nowSeconds = Math.floor((adjust.now ?? new Date()).getTime() / 1000);
      const header = { alg: 'RS256', ...(adjust.omitKid ? {} : { kid }), ...adjust.header };
      const jwt = new SignJWT({ ...fitPayload(claims, apiBase), ...adjust.extraClaims })
        .setProtectedHeader(header as { alg: string })
        .setIssuedAt(nowSeconds)
        .setNotBefore(nowSeconds + (adjust.notBeforeInSeconds ?? 0))
        .setExpirationTime(nowSeconds + (adjust.expiresInSeconds ?? 25))
        .setJti(crypto.randomUUID());
      if (adjust.issuer !== null) jwt.setIssuer(adjust.issuer ?? 'forge/invocation-token');
      if (adjust.audience !== null) jwt.setAudience(adjust.audience ?? TEST_APP_ID);
      return jwt.sign(privateKey);
    },
  };
}
