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

/**
 * A token Forge delivers is valid for at least another 2 hours (scheduled
 * triggers: "~2 to ~4 hours") and lives at most 4 hours
 * (https://developer.atlassian.com/platform/forge/remote/scheduled-triggers/,
 * docs/platform-notes.md#app-system-token). The devkit issues the documented
 * minimum by default; a shorter one (the "at least 55 minutes" another page
 * states, or a function call's token, which does not respect the 2-hour
 * minimum) can be asked for with `ttlSeconds`.
 */
export const DEFAULT_APP_TOKEN_TTL_SECONDS = 2 * 3600;
export const MAX_APP_TOKEN_TTL_SECONDS = 4 * 3600;
