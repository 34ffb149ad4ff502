import { problemSchema } from '@pagewire/shared';
import { base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSigner, type FitClaimsInput, fitPayload, TEST_APP_ID } from '../testing/forge-tokens';
import { startTestBackend, type TestBackend, type TestTenant } from '../testing/test-backend';

let t: TestBackend;

beforeAll(async () => {
  t = await startTestBackend({ environments: 'PRODUCTION,STAGING' });
});
afterAll(async () => {
  await t.close();
});

/** A token for `tenant` with `claims`, signed now. */
function fitFor(tenant: TestTenant, claims: Omit<FitClaimsInput, 'installationId' | 'cloudId'>) {
  return t.signer.mint(
    { installationId: tenant.installationId, cloudId: tenant.cloudId, ...claims },
    { now: t.clock.now },
  );
}

/** The signed context of a call from the macro in `space`. */
function macroContext(tenant: TestTenant, space: Record<string, unknown>) {
  return { cloudId: tenant.cloudId, extension: { type: 'macro', space } };
}

/** A settings write whose envelope claims the caller is a space admin. */
function updateSettingsClaimingAdmin(tenant: TestTenant, token: string) {
  return t.http
    .post('/forge/v1/settings.update')
    .set('authorization', `Bearer ${token}`)
    .send({ context: t.contextFor(tenant, { isSpaceAdmin: true }), input: { staleAfterMinutes: 5 } });
}

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
  const problem = problemSchema.parse(response.body);
  expect(problem.code).toBe('invalid_invocation_token');
  // The same words whatever rule failed: the answer is no oracle for which one held.
  expect(problem.detail).toBe('The Forge invocation token was refused.');
  expect(problem.title).toBe('The Forge invocation token is not valid');
  expect(await rejectionCount(reason)).toBe(before + 1);
  // The reason is for operators: in the log line of that request, next to its request id.
  const line = t.logs
    .lines()
    .findLast(
      (entry) => entry.msg === 'Forge invocation token refused' && entry.requestId === problem.requestId,
    );
  expect(line?.reason).toBe(reason);
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

  describe('a token is good for one call', () => {
    it('refuses a second use of a genuine token, for the same operation or another', async () => {
      const token = await t.functionFit(t.tenant('acme'));
      expect((await listWith(token)).status).toBe(200);
      await expectRejected(token, 'replayed');
      const against = await t.http
        .post('/forge/v1/settings.get')
        .set('authorization', `Bearer ${token}`)
        .send({ context: t.contextFor(t.tenant('acme')), input: {} });
      expect(against.status).toBe(401);
    });

    it('refuses a UI token used twice, even for the same call', async () => {
      const tenant = t.tenant('acme');
      const token = await fitFor(tenant, {
        moduleType: 'xen:macro',
        context: macroContext(tenant, { key: 'ENG' }),
      });
      expect((await listWith(token)).status).toBe(200);
      await expectRejected(token, 'replayed');
    });

    it('takes a repeated lifecycle delivery as Forge retrying it, but never lets its token call anything else', async () => {
      const tenant = t.tenant('retried');
      const token = await t.functionFit(tenant);
      const deliver = () =>
        t.http
          .post('/forge/v1/lifecycle.installed')
          .set('authorization', `Bearer ${token}`)
          .send({ eventType: 'avi:forge:installed:app', context: { cloudId: tenant.cloudId } });
      expect((await deliver()).status).toBe(200);
      expect((await deliver()).status).toBe(200);
      const other = await t.http
        .post('/forge/v1/blocks.list')
        .set('authorization', `Bearer ${token}`)
        .send({ context: t.contextFor(tenant), input: {} });
      expect(other.status).toBe(401);
    });

    it('forgets a token once it has expired, and refuses it then as expired', async () => {
      const token = await t.functionFit(t.tenant('acme'));
      expect((await listWith(token)).status).toBe(200);
      const before = t.clock.now;
      t.clock.now = new Date(before.getTime() + 60_000);
      try {
        await expectRejected(token, 'expired');
        // A fresh call prunes the expired uses; the table stays bounded by the tokens' lives.
        expect((await listWith(await t.functionFit(t.tenant('acme')))).status).toBe(200);
        const db = t.backend.context.db as unknown as import('kysely').Kysely<{
          fit_token_uses: { jti: string; expires_at: string };
        }>;
        const rows = await db.selectFrom('fit_token_uses').select('expires_at').execute();
        expect(rows.every((row) => row.expires_at >= t.clock.now.toISOString())).toBe(true);
      } finally {
        t.clock.now = before;
      }
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
    const token = await fitFor(tenant, {
      moduleType: 'xen:macro',
      principal: 'browser-user',
      context: macroContext(tenant, { key: 'ENG', id: '98304' }),
    });
    const response = await updateSettingsClaimingAdmin(tenant, token);
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
    const token = await fitFor(tenant, {
      moduleType: 'xen:macro',
      principal: 'browser-user',
      context: macroContext(tenant, { key: 'SIGNED' }),
    });
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

/** A JWT-shaped app system token whose `exp` is `hoursFromNow` after the harness clock. */
function systemToken(marker: string, hoursFromNow: number): string {
  const exp = Math.floor(t.clock.now.getTime() / 1000) + hoursFromNow * 3600;
  return `${base64url.encode('{"alg":"none"}')}.${base64url.encode(JSON.stringify({ exp, marker }))}.`;
}

describe('the invocation origin, from the signed app.module (https://developer.atlassian.com/platform/forge/remote/essentials/)', () => {
  it('stores the app system token a function-originated call delivers', async () => {
    const tenant = t.tenant('origfn');
    const token = systemToken('from-function', 2);
    const response = await t.http
      .post('/forge/v1/blocks.list')
      .set('authorization', `Bearer ${await t.functionFit(tenant)}`)
      .set('x-forge-oauth-system', token)
      .send({ context: t.contextFor(tenant), input: {} });
    expect(response.status).toBe(200);
    expect((await t.backend.appTokens.appToken(tenant.installationId))?.token).toBe(token);
  });

  it('never stores an app system token that arrives on a UI-originated call', async () => {
    const tenant = t.tenant('origui');
    const genuine = systemToken('genuine', 1);
    await t.http
      .post('/forge/v1/lifecycle.tokenRefresh')
      .set('authorization', `Bearer ${await t.functionFit(tenant, { moduleKey: 'backend-token-refresh' })}`)
      .set('x-forge-oauth-system', genuine)
      .send({})
      .expect(200);
    const browserFit = await fitFor(tenant, {
      principal: 'browser-user',
      context: macroContext(tenant, { key: 'ENG' }),
    });
    const response = await t.http
      .post('/forge/v1/blocks.list')
      .set('authorization', `Bearer ${browserFit}`)
      .set('x-forge-oauth-system', systemToken('planted-by-browser', 4))
      .send({ input: {} });
    expect(response.status).toBe(200);
    expect((await t.backend.appTokens.appToken(tenant.installationId))?.token).toBe(genuine);
  });

  it('refuses a call without context from a module that is not one of our functions or triggers', async () => {
    const tenant = t.tenant('origunk');
    const response = await t.http
      .post('/forge/v1/blocks.list')
      .set('authorization', `Bearer ${await t.functionFit(tenant, { moduleKey: 'someone-elses-module' })}`)
      .set('x-forge-oauth-system', systemToken('unknown-module', 2))
      .send({ context: t.contextFor(tenant, { isSpaceAdmin: true }), input: {} });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('wrong_module');
    expect(await t.backend.appTokens.appToken(tenant.installationId)).toBeNull();
  });

  it('never lets a UI module pass as a function, even with a core:endpoint-looking type on a UI key', async () => {
    const tenant = t.tenant('origxen');
    const token = await fitFor(tenant, {
      moduleType: 'xen:macro',
      moduleKey: 'pagewire-block',
      principal: 'browser-user',
      context: macroContext(tenant, { key: 'ENG' }),
    });
    const response = await updateSettingsClaimingAdmin(tenant, token);
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('not_space_admin');
  });

  it('keeps treating a call from one of our functions as a function call if Forge adds a context to it', async () => {
    const tenant = t.tenant('origctx');
    const token = await fitFor(tenant, {
      moduleType: 'core:endpoint',
      moduleKey: 'settings-resolver',
      context: { cloudId: tenant.cloudId },
    });
    const response = await t.http
      .post('/forge/v1/blocks.list')
      .set('authorization', `Bearer ${token}`)
      .send({ context: t.contextFor(tenant, { spaceKey: 'ENG' }), input: {} });
    expect(response.status).toBe(200);
  });

  it('lets a trigger endpoint reach only the lifecycle operations', async () => {
    const tenant = t.tenant('origtrg');
    const response = await t.http
      .post('/forge/v1/blocks.list')
      .set('authorization', `Bearer ${await t.functionFit(tenant, { moduleKey: 'backend-lifecycle' })}`)
      .send({ context: t.contextFor(tenant), input: {} });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('wrong_module');
  });

  it('lists the same function and trigger modules as the manifest', async () => {
    const { readFile } = await import('node:fs/promises');
    const { parse } = await import('yaml');
    const { FORGE_ENVELOPE_SENDERS } = await import('@pagewire/shared');
    const manifest = parse(await readFile(new URL('../../../manifest.yml', import.meta.url), 'utf8')) as {
      modules: Record<string, Array<Record<string, unknown>>>;
    };
    const modules = manifest.modules;
    const uiWithFunction = [
      ...(modules.macro ?? []),
      ...(modules['confluence:spaceSettings'] ?? []),
      ...(modules['confluence:contentBylineItem'] ?? []),
    ].filter(
      (module) => typeof (module.resolver as { function?: string } | undefined)?.function === 'string',
    );
    const functions = [
      ...uiWithFunction.map((module) => module.key as string),
      ...uiWithFunction.map((module) => (module.resolver as { function: string }).function),
    ];
    const triggerEndpoints = [
      ...(modules.trigger ?? []),
      ...(modules.scheduledTrigger ?? []),
      ...(modules.preUninstall ?? []),
    ].map((module) => module.endpoint as string);
    expect([...FORGE_ENVELOPE_SENDERS.functions].sort()).toEqual(functions.sort());
    expect([...FORGE_ENVELOPE_SENDERS.triggers].sort()).toEqual(triggerEndpoints.sort());
  });
});
