import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';

/**
 * App system and user tokens. Production tokens are JWTs whose `exp` a remote
 * may read to cache them ("Both of these tokens are encoded in JWT. The exp
 * claim in their payload represents the expiration time",
 * /platform/forge/remote/calling-product-apis/) but must otherwise treat as
 * opaque. The emulator signs them with a per-process secret and, on use, looks
 * them up in memory, so a forged or edited token is simply unknown.
 */
export interface AppTokenSigner {
  sign(claims: { sub: string; iat: number; exp: number }): Promise<string>;
}

export function createAppTokenSigner(): AppTokenSigner {
  const secret = randomBytes(32);
  return {
    sign: ({ sub, iat, exp }) =>
      new SignJWT({ jti: randomBytes(12).toString('hex') })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer('pagewire-devkit')
        .setAudience('api.atlassian.com')
        .setSubject(sub)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(secret),
  };
}

/** Docs give the system token "at least 55 minutes" and at most 4 hours (docs/platform-notes.md#app-system-token-lifetime). */
export const DEFAULT_APP_TOKEN_TTL_SECONDS = 3600;
export const MAX_APP_TOKEN_TTL_SECONDS = 4 * 3600;
