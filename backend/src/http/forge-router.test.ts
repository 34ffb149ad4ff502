import { problemSchema } from '@pagewire/shared';
import { base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSigner, fitPayload, TEST_APP_ID } from '../testing/forge-tokens';
import { startTestBackend, type TestBackend } from '../testing/test-backend';

let t: TestBackend;

beforeAll(async () => {
  t = await startTestBackend({ environments: 'PRODUCTION,STAGING' });
});
afterAll(async () => {
  await t.close();
});

async function listWith(token: string) {
  const tenant = t.tenant('acme');
  return t.http
    .post('/forge/v1/blocks.list')
    .set('authorization', `Bearer ${token}`)
    .send({ context: t.contextFor(tenant), input: {} });
}

async function expectRejected(token: string, reason: string) {
  const before = await rejectionCount(reason);
  const response = await listWith(token);
  expect(response.status).toBe(401);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(problemSchema.parse(response.body).code).toBe('invalid_invocation_token');
  expect(await rejectionCount(reason)).toBe(before + 1);
}

async function rejectionCount(reason: string): Promise<number> {
  const metric = await t.backend.context.metrics.fitRejections.get();
  return metric.values.find((value) => value.labels.reason === reason)?.value ?? 0;
}

describe('the Forge trust boundary over HTTP', () => {
  it('serves an operation to a valid function-originated token', async () => {
    const response = await listWith(await t.functionFit(t.tenant('acme')));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { blocks: [] } });
  });

  describe('refuses the attack corpus with 401', () => {
    const claims = () => ({
      installationId: t.tenant('acme').installationId,
      cloudId: t.tenant('acme').cloudId,
    });
    const mint = (adjust: Parameters<TestBackend['signer']['mint']>[1]) =>
      t.signer.mint(claims(), { now: t.clock.now, ...adjust });

    it('alg none', async () => {
      const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
      const exp = Math.floor(t.clock.now.getTime() / 1000) + 25;
      const token = `${encode({ alg: 'none', kid: t.signer.kid })}.${encode({
        ...fitPayload(claims()),
        iss: 'forge/invocation-token',
        aud: TEST_APP_ID,
        exp,
      })}.`;
      await expectRejected(token, 'algorithm');
    });

    it('HS256', async () => {
      const { SignJWT } = await import('jose');
      const token = await new SignJWT(fitPayload(claims()))
        .setProtectedHeader({ alg: 'HS256', kid: t.signer.kid })
        .setIssuer('forge/invocation-token')
        .setAudience(TEST_APP_ID)
        .setExpirationTime(Math.floor(t.clock.now.getTime() / 1000) + 25)
        .sign(new TextEncoder().encode(JSON.stringify(t.signer.publicJwk)));
      await expectRejected(token, 'algorithm');
    });

    it('unknown kid', async () =>
      expectRejected(await mint({ header: { kid: 'rotated-away' } }), 'unknown_kid'));
    it('no kid', async () => expectRejected(await mint({ omitKid: true }), 'kid_missing'));
    it('wrong audience', async () =>
      expectRejected(
        await mint({ audience: 'ari:cloud:ecosystem::app/00000000-dead-4000-8000-000000000000' }),
        'audience',
      ));
    it('wrong issuer', async () => expectRejected(await mint({ issuer: 'forge/another-token' }), 'issuer'));
    it('expired', async () => expectRejected(await mint({ expiresInSeconds: -60 }), 'expired'));
    it('not yet valid', async () =>
      expectRejected(await mint({ notBeforeInSeconds: 120, expiresInSeconds: 180 }), 'not_yet_valid'));

    it('tampered payload', async () => {
      const [header, payload, signature] = (await mint({})).split('.');
      const claimsJson = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as {
        app: { installationId: string };
      };
      claimsJson.app.installationId = t.tenant('victim').installationId;
      await expectRejected(
        `${header}.${base64url.encode(JSON.stringify(claimsJson))}.${signature}`,
        'signature',
      );
    });

    it('missing installation id', async () => {
      const app = { ...(fitPayload(claims()).app as Record<string, unknown>) };
      delete app.installationId;
      await expectRejected(await mint({ extraClaims: { app } }), 'claims');
    });

    it('another key under a valid-looking kid', async () => {
      const forger = await createTestSigner(t.signer.kid);
      await expectRejected(await forger.mint(claims(), { now: t.clock.now }), 'signature');
    });

    it('oversized token', async () =>
      expectRejected(await mint({ extraClaims: { filler: 'f'.repeat(9000) } }), 'too_large'));

    it('disallowed environment', async () => {
      const token = await t.signer.mint(
        { ...claims(), environmentType: 'DEVELOPMENT' },
        { now: t.clock.now },
      );
      await expectRejected(token, 'environment');
    });

    it('API base outside the configured gateway', async () => {
      const token = await t.signer.mint(
        {
          ...claims(),
          apiBaseUrl: `https://api.atlassian.com.attacker.dev/ex/confluence/${claims().cloudId}`,
        },
        { now: t.clock.now },
      );
      await expectRejected(token, 'api_base_url');
    });

    it('no token at all', async () => {
      const response = await t.http
        .post('/forge/v1/blocks.list')
        .send({ context: t.contextFor(t.tenant('acme')), input: {} });
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
    });
  });

  it('authenticates before anything else: an unknown operation without a token is a 401', async () => {
    const response = await t.http.post('/forge/v1/does.not.exist').send({});
    expect(response.status).toBe(401);
  });

  it('answers an unknown operation with 404 unknown_operation once authenticated', async () => {
    const response = await t.http
      .post('/forge/v1/blocks.rename')
      .set('authorization', `Bearer ${await t.functionFit(t.tenant('acme'))}`)
      .send({ context: t.contextFor(t.tenant('acme')), input: {} });
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('unknown_operation');
  });

  it('refuses inherited object keys as operation names', async () => {
    const response = await t.http
      .post('/forge/v1/constructor')
      .set('authorization', `Bearer ${await t.functionFit(t.tenant('acme'))}`)
      .send({ context: t.contextFor(t.tenant('acme')), input: {} });
    expect(response.body.code).toBe('unknown_operation');
  });

  it('answers GET on an operation with 405', async () => {
    const response = await t.http.get('/forge/v1/blocks.list');
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('POST');
    expect(response.body.code).toBe('method_not_allowed');
  });
});

describe('whose context wins', () => {
  it('uses the envelope on a function-originated call, so an admin there may write', async () => {
    const tenant = t.tenant('envelope');
    const response = await t.call(
      tenant,
      'settings.update',
      { staleAfterMinutes: 30 },
      { isSpaceAdmin: true },
    );
    expect(response.status).toBe(200);
    expect(response.body.data.settings.staleAfterMinutes).toBe(30);
  });

  it('refuses a write when the function-originated envelope does not say admin', async () => {
    const tenant = t.tenant('envelope');
    const response = await t.call(
      tenant,
      'settings.update',
      { staleAfterMinutes: 31 },
      { isSpaceAdmin: false },
    );
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('not_space_admin');
  });

  it('ignores an envelope isSpaceAdmin when the FIT carries its own context', async () => {
    const tenant = t.tenant('uicall');
    const token = await t.signer.mint(
      {
        installationId: tenant.installationId,
        cloudId: tenant.cloudId,
        moduleType: 'xen:macro',
        principal: 'browser-user',
        context: {
          cloudId: tenant.cloudId,
          extension: { type: 'macro', space: { key: 'ENG', id: '98304' } },
        },
      },
      { now: t.clock.now },
    );
    const response = await t.http
      .post('/forge/v1/settings.update')
      .set('authorization', `Bearer ${token}`)
      .send({ context: t.contextFor(tenant, { isSpaceAdmin: true }), input: { staleAfterMinutes: 5 } });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('not_space_admin');
  });

  it('reads the space from the signed FIT context, not from the envelope, on a UI-originated call', async () => {
    const tenant = t.tenant('uispace');
    const { key } = await t.createIngestKey(tenant, 'SIGNED');
    await t.http
      .put('/ingest/v1/blocks/only-in-signed')
      .set('authorization', `Bearer ${key}`)
      .send({ kind: 'markdown', title: 'Signed', content: 'x' })
      .expect(201);
    const token = await t.signer.mint(
      {
        installationId: tenant.installationId,
        cloudId: tenant.cloudId,
        moduleType: 'xen:macro',
        principal: 'browser-user',
        context: { cloudId: tenant.cloudId, extension: { type: 'macro', space: { key: 'SIGNED' } } },
      },
      { now: t.clock.now },
    );
    const response = await t.http
      .post('/forge/v1/blocks.list')
      .set('authorization', `Bearer ${token}`)
      .send({ context: t.contextFor(tenant, { spaceKey: 'FORGED' }), input: {} });
    expect(response.status).toBe(200);
    expect(response.body.data.blocks.map((block: { key: string }) => block.key)).toEqual(['only-in-signed']);
  });

  it('refuses an envelope naming another site than the signed token', async () => {
    const tenant = t.tenant('mismatch');
    const response = await t.call(tenant, 'blocks.list', {}, { cloudId: 'some-other-cloud' });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('tenant_mismatch');
  });

  it('refuses a function-originated call without an envelope context', async () => {
    const tenant = t.tenant('nocontext');
    const response = await t.http
      .post('/forge/v1/blocks.list')
      .set('authorization', `Bearer ${await t.functionFit(tenant)}`)
      .send({ input: {} });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ path: '/context', message: 'is required' }]);
  });

  it('asks for a space when an operation needs one', async () => {
    const tenant = t.tenant('nospace');
    const response = await t.call(tenant, 'blocks.list', {}, { spaceKey: undefined });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('space_required');
  });
});
