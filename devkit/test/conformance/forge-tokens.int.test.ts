import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { call, declareEmulator } from '../support/emulator-fixture';

/**
 * The Forge side of the emulator: the JWKS at `/.well-known/jwks.json` (RS256
 * keys with `kid`), FITs with the production claim shapes (docs/platform-notes.md#forge-invocation-token-claims
 * and docs/platform-notes.md#fit-verification), and app tokens that are JWTs with an `exp` a remote may read
 * (/platform/forge/remote/calling-product-apis/, "Token expiry").
 */
describe('Forge invocation tokens', () => {
  const env = declareEmulator();

  it('publishes RS256 signing keys with a kid at /.well-known/jwks.json', async () => {
    const response = await call(env.dev.jwksUrl);
    expect(response.status).toBe(200);
    expect(response.json.keys.length).toBeGreaterThan(0);
    for (const key of response.json.keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(key.kid).toMatch(/^forge\/invocation-token\/wf-/);
    }
  });

  it('mints a FIT that verifies against the JWKS with a pinned issuer, audience and algorithm (docs/platform-notes.md#fit-verification)', async () => {
    const site = await env.dev.seedSite();
    const { token } = await env.dev.mintFit({ installationId: site.installationId });
    const jwks = createRemoteJWKSet(new URL(env.dev.jwksUrl));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: 'forge/invocation-token',
      audience: site.appId,
      algorithms: ['RS256'],
    });
    expect(protectedHeader.kid).toBeDefined();
    expect(payload).toMatchObject({
      app: {
        id: site.appId,
        installationId: site.installationId,
        apiBaseUrl: site.gatewayUrl,
        environment: { type: 'DEVELOPMENT' },
        module: { type: 'core:endpoint' },
        installation: {
          id: site.installationId,
          contexts: [{ name: 'confluence', apiBaseUrl: site.gatewayUrl }],
        },
      },
    });
    expect(payload.jti).toEqual(expect.any(String));
  });

  it('mints many FITs in one call, each verifying and each with its own jti', async () => {
    const site = await env.dev.seedSite();
    const { tokens } = await env.dev.mintFits({ installationId: site.installationId, count: 50 });
    expect(tokens).toHaveLength(50);
    const jwks = createRemoteJWKSet(new URL(env.dev.jwksUrl));
    const ids = new Set<unknown>();
    for (const token of tokens) {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: 'forge/invocation-token',
        audience: site.appId,
        algorithms: ['RS256'],
      });
      expect(payload.app).toMatchObject({ installationId: site.installationId });
      ids.add(payload.jti);
    }
    expect(ids.size).toBe(50);
  });

  it('lives about 25 seconds, like the documented example', async () => {
    const site = await env.dev.seedSite();
    const payload = decodeJwt((await env.dev.mintFit({ installationId: site.installationId })).token);
    expect(payload.exp! - payload.iat!).toBe(25);
    expect(payload.nbf).toBe(payload.iat);
  });

  it('carries context and principal only when the invocation has them (function calls carry no context: docs/platform-notes.md#forge-remote-call-paths)', async () => {
    const site = await env.dev.seedSite();
    const fromFunction = decodeJwt((await env.dev.mintFit({ installationId: site.installationId })).token);
    expect(fromFunction.context).toBeUndefined();
    expect(fromFunction.principal).toBeUndefined();
    const context = {
      cloudId: site.cloudId,
      moduleKey: 'pagewire-block',
      localId: 'local-1',
      extension: { type: 'macro', space: { key: 'DOCS', id: site.space.id }, content: { id: '1' } },
    };
    const fromUi = decodeJwt(
      (
        await env.dev.mintFit({
          installationId: site.installationId,
          accountId: site.admin.accountId,
          context,
        })
      ).token,
    );
    expect(fromUi.context).toEqual(context);
    expect(fromUi.principal).toBe(site.admin.accountId);
    expect(fromUi.app).toMatchObject({ module: { type: 'xen:macro', key: 'pagewire-block' } });
  });

  it('refuses to verify an expired FIT', async () => {
    const site = await env.dev.seedSite();
    const { token } = await env.dev.mintFit({ installationId: site.installationId, ttlSeconds: -10 });
    const jwks = createRemoteJWKSet(new URL(env.dev.jwksUrl));
    await expect(
      jwtVerify(token, jwks, { issuer: 'forge/invocation-token', audience: site.appId }),
    ).rejects.toThrow(/exp/);
  });

  it('rotates keys on demand, keeping the previous key until it is retired', async () => {
    const site = await env.dev.seedSite();
    const before = await env.dev.mintFit({ installationId: site.installationId });
    const oldKid = decodeProtectedHeader(before.token).kid;
    const rotated = await env.dev.rotateSigningKey();
    expect(rotated.kid).not.toBe(oldKid);
    expect(rotated.keys).toEqual([oldKid, rotated.kid]);
    const after = await env.dev.mintFit({ installationId: site.installationId });
    expect(decodeProtectedHeader(after.token).kid).toBe(rotated.kid);
    // A fresh key set (a verifier that refetches on an unknown kid) verifies both.
    const jwks = createRemoteJWKSet(new URL(env.dev.jwksUrl));
    await expect(jwtVerify(before.token, jwks)).resolves.toBeDefined();
    await expect(jwtVerify(after.token, jwks)).resolves.toBeDefined();
    const retired = await env.dev.rotateSigningKey({ retirePrevious: true });
    expect(retired.keys).toEqual([retired.kid]);
    const afterRetirement = createRemoteJWKSet(new URL(env.dev.jwksUrl));
    await expect(jwtVerify(after.token, afterRetirement)).rejects.toThrow();
  });

  it('refuses to mint for an unknown installation or an account outside the site with a validation problem', async () => {
    const site = await env.dev.seedSite();
    const other = await env.dev.seedSite();
    const unknown = await call(`${env.dev.url}/_dev/forge/fit`, {
      method: 'POST',
      body: { installationId: 'ari:cloud:ecosystem::installation/nope' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({ code: 'validation_failed', errors: [{ path: '/installationId' }] });
    const stranger = await call(`${env.dev.url}/_dev/forge/fit`, {
      method: 'POST',
      body: { installationId: site.installationId, accountId: other.admin.accountId },
    });
    expect(stranger.status).toBe(400);
  });
});

describe('Forge app tokens', () => {
  const env = declareEmulator();

  it('are JWTs whose exp matches the expiresAt the Dev API reports', async () => {
    const site = await env.dev.seedSite();
    const { token, expiresAt } = await env.dev.mintAppToken({
      installationId: site.installationId,
      ttlSeconds: 7200,
    });
    const payload = decodeJwt(token);
    expect(payload.exp! * 1000).toBe(new Date(expiresAt).getTime());
    expect(payload.exp! - payload.iat!).toBe(7200);
  });

  it('live the documented 2 hours by default (https://developer.atlassian.com/platform/forge/remote/scheduled-triggers/)', async () => {
    const site = await env.dev.seedSite();
    const { token } = await env.dev.mintAppToken({ installationId: site.installationId });
    const payload = decodeJwt(token);
    expect(payload.exp! - payload.iat!).toBe(2 * 3600);
  });

  it('cannot live longer than the documented 4 hours', async () => {
    const site = await env.dev.seedSite();
    const response = await call(`${env.dev.url}/_dev/forge/app-token`, {
      method: 'POST',
      body: { installationId: site.installationId, ttlSeconds: 5 * 3600 },
    });
    expect(response.status).toBe(400);
  });

  it('stop working when edited, because the emulator only honours tokens it issued', async () => {
    const site = await env.dev.seedSite();
    const { token } = await env.dev.mintAppToken({ installationId: site.installationId });
    const tampered = `${token.slice(0, -2)}xx`;
    const response = await call(`${site.gatewayUrl}/wiki/api/v2/spaces`, {
      authorization: `Bearer ${tampered}`,
    });
    expect(response.status).toBe(401);
  });
});
