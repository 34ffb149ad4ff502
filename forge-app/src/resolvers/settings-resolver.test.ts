import { makeProblem } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { declareForgeWorld, macroContext, settingsContext, type World } from '../../test/support/forge-world';
import { data } from '../../test/support/scripted-backend';
import { settingsResolver } from '../index';

const world = declareForgeWorld();

const savedSettings = { settings: { publishingPolicy: 'snapshot', staleAfterMinutes: 60 } };

function call(w: World, key: string, payload: unknown, accountId: string) {
  return w.runtime.invoke(settingsResolver, { key, payload, context: settingsContext(w.site, accountId) });
}

function permissionChecks(w: World) {
  return w.runtime.productCalls().filter((entry) => entry.path.endsWith('/operations'));
}

describe('the settings resolver', () => {
  it('checks as the user, against Confluence, that they administer the space before a write', async () => {
    const w = await world.setUp();
    w.backend.answer('settings.update', data(savedSettings));

    const result = await call(w, 'settings.update', { publishingPolicy: 'snapshot' }, w.site.admin.accountId);

    expect(result).toEqual({ ok: true, data: savedSettings });
    expect(permissionChecks(w)).toEqual([
      {
        as: 'user',
        accountId: w.site.admin.accountId,
        method: 'GET',
        path: `/wiki/api/v2/spaces/${w.site.space.id}/operations`,
        status: 200,
      },
    ]);
    expect(w.backend.received[0]?.body).toMatchObject({
      context: {
        accountId: w.site.admin.accountId,
        spaceKey: 'ENG',
        spaceId: w.site.space.id,
        isSpaceAdmin: true,
      },
      input: { publishingPolicy: 'snapshot' },
    });
  });

  it('explains an out-of-range stale threshold in the field’s own words, not zod’s', async () => {
    const w = await world.setUp();

    const result = await call(w, 'settings.update', { staleAfterMinutes: 0 }, w.site.admin.accountId);

    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'validation_failed',
        fieldErrors: [{ path: '/staleAfterMinutes', message: 'must be at least 1 minute' }],
      },
    });
    expect(JSON.stringify(result)).not.toMatch(/Too small|expected number/);
    expect(w.backend.received).toHaveLength(0);
  });

  it('refuses a space member’s write with a clear message and sends nothing to the backend', async () => {
    const w = await world.setUp();
    w.backend.answer('ingestKeys.create', data({ id: 'k1', source: 'ci', key: 'pwk_x' }));

    const result = await call(w, 'ingestKeys.create', { source: 'ci' }, w.site.member.accountId);

    expect(result).toEqual({
      ok: false,
      error: {
        code: 'not_space_admin',
        message: 'Only space admins can change Pagewire’s settings for this space.',
      },
    });
    expect(w.backend.received).toHaveLength(0);
  });

  it('takes an admin’s export key creation, revocation and export switch to the backend, and refuses a member’s', async () => {
    const w = await world.setUp();
    const key = 'pwx_S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3t1';
    w.backend.answer('exportKeys.create', data({ id: 'x1', consumer: 'search-index', key }));
    w.backend.answer('exportKeys.revoke', data({ revoked: true }));
    w.backend.answer('settings.update', data(savedSettings));
    const admin = w.site.admin.accountId;

    expect(await call(w, 'exportKeys.create', { consumer: 'search-index' }, admin)).toEqual({
      ok: true,
      data: { id: 'x1', consumer: 'search-index', key },
    });
    expect(await call(w, 'exportKeys.revoke', { id: 'x1' }, admin)).toEqual({
      ok: true,
      data: { revoked: true },
    });
    expect(await call(w, 'settings.update', { export: { enabled: true } }, admin)).toMatchObject({
      ok: true,
    });
    expect(
      w.backend.received.map((request) => [request.path, (request.body as { input: unknown }).input]),
    ).toEqual([
      ['/forge/v1/exportKeys.create', { consumer: 'search-index' }],
      ['/forge/v1/exportKeys.revoke', { id: 'x1' }],
      ['/forge/v1/settings.update', { export: { enabled: true } }],
    ]);

    const refused = await call(w, 'exportKeys.create', { consumer: 'bot' }, w.site.member.accountId);
    expect(refused).toMatchObject({ ok: false, error: { code: 'not_space_admin' } });
    expect(w.backend.received).toHaveLength(3);
  });

  it('cannot be talked into admin rights by the payload', async () => {
    const w = await world.setUp();
    w.backend.answer('settings.update', data(savedSettings));

    const result = await call(
      w,
      'settings.update',
      { publishingPolicy: 'snapshot', isSpaceAdmin: true, spaceKey: 'HR' },
      w.site.member.accountId,
    );

    expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(w.backend.received).toHaveLength(0);
  });

  it('treats someone who cannot even see the space as not administering it', async () => {
    const w = await world.setUp();
    w.backend.answer('apiToken.remove', data({ removed: true }));

    const result = await call(w, 'apiToken.remove', {}, w.site.outsider.accountId);

    expect(result).toMatchObject({ ok: false, error: { code: 'not_space_admin' } });
    expect(permissionChecks(w).map((entry) => entry.status)).toEqual([404]);
    expect(w.backend.received).toHaveLength(0);
  });

  it('tells the backend a member opening the page is not an admin, and still shows the settings', async () => {
    const w = await world.setUp();
    w.backend.answer('settings.get', data(settingsView(w, false)));

    const result = await call(w, 'settings.get', {}, w.site.member.accountId);

    expect(result).toMatchObject({ ok: true, data: { canEdit: false } });
    expect(w.backend.received[0]?.body).toMatchObject({ context: { isSpaceAdmin: false } });
  });

  it('does not ask Confluence about permissions for the activity log', async () => {
    const w = await world.setUp();
    w.backend.answer('activity.list', data({ items: [], nextCursor: null }));

    const result = await call(w, 'activity.list', { limit: 20 }, w.site.member.accountId);

    expect(result).toEqual({ ok: true, data: { items: [], nextCursor: null } });
    expect(permissionChecks(w)).toHaveLength(0);
    expect(w.backend.received[0]?.body).not.toHaveProperty('context.isSpaceAdmin');
  });

  it('says it could not check permissions when Confluence fails, instead of guessing', async () => {
    const w = await world.setUp();
    w.backend.answer('settings.update', data(savedSettings));
    await w.dev.setFaults({
      rules: [{ path: '/**/spaces/*/operations', errorRate: 1, status: 503, times: 1 }],
    });

    try {
      const result = await call(w, 'settings.update', { staleAfterMinutes: 30 }, w.site.admin.accountId);

      expect(result).toMatchObject({
        ok: false,
        error: {
          code: 'confluence_unavailable',
          message: expect.stringMatching(/could not check your permissions/),
        },
      });
      expect(w.backend.received).toHaveLength(0);
    } finally {
      await w.dev.clearFaults();
    }
  });

  it('lets Forge show its consent prompt when the user has not allowed access as themselves', async () => {
    const w = await world.setUp({ userConsent: () => false });
    w.backend.answer('settings.update', data(savedSettings));

    await expect(
      call(w, 'settings.update', { staleAfterMinutes: 30 }, w.site.admin.accountId),
    ).rejects.toMatchObject({
      name: 'NEEDS_AUTHENTICATION_ERR',
    });
    expect(w.backend.received).toHaveLength(0);
  });

  it('refuses settings calls that come from the macro, even from an admin', async () => {
    const w = await world.setUp();
    w.backend.answer('settings.update', data(savedSettings));

    const result = await w.runtime.invoke(settingsResolver, {
      key: 'settings.update',
      payload: { publishingPolicy: 'live' },
      context: macroContext(w.site, w.site.admin.accountId),
    });

    expect(result).toMatchObject({ ok: false, error: { code: 'wrong_module' } });
    expect(w.runtime.productCalls()).toHaveLength(0);
    expect(w.backend.received).toHaveLength(0);
  });

  it('points at the fields that are wrong in an API token form, before asking anyone', async () => {
    const w = await world.setUp();

    const result = await call(
      w,
      'apiToken.set',
      { email: 'not-an-email', token: 'ATATT3x short', expiresAt: '31/01/2027' },
      w.site.admin.accountId,
    );

    expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    const paths = (result as { error: { fieldErrors: Array<{ path: string }> } }).error.fieldErrors.map(
      (fieldError) => fieldError.path,
    );
    expect(paths).toEqual(expect.arrayContaining(['/email', '/token', '/expiresAt']));
    expect(w.runtime.productCalls()).toHaveLength(0);
    expect(w.backend.received).toHaveLength(0);
  });

  it('passes the backend’s field errors through when it rejects a value', async () => {
    const w = await world.setUp();
    w.backend.answer('ingestKeys.create', {
      status: 400,
      json: makeProblem('validation_failed', 'Invalid input.', {
        errors: [{ path: '/source', message: 'a source with this name already has a key' }],
      }),
    });

    const result = await call(w, 'ingestKeys.create', { source: 'ci' }, w.site.admin.accountId);

    expect(result).toEqual({
      ok: false,
      error: {
        code: 'validation_failed',
        message: expect.any(String),
        fieldErrors: [{ path: '/source', message: 'a source with this name already has a key' }],
      },
    });
  });

  it('passes on the backend’s refusal when API tokens are turned off', async () => {
    const w = await world.setUp();
    w.backend.answer('apiToken.set', {
      status: 403,
      json: makeProblem('api_tokens_disabled', 'Marketplace mode.'),
    });

    const result = await call(
      w,
      'apiToken.set',
      { email: 'svc@acme.dev', token: 'ATATT3xFfGF0abcdefghijklmnop', expiresAt: '2027-01-31' },
      w.site.admin.accountId,
    );

    expect(result).toMatchObject({ ok: false, error: { code: 'api_tokens_disabled' } });
  });
});

function settingsView(w: World, canEdit: boolean) {
  return {
    space: { key: 'ENG', id: w.site.space.id },
    mode: 'in-house',
    canEdit,
    settings: { publishingPolicy: 'live', staleAfterMinutes: 60 },
    appToken: { status: 'ok', expiresAt: '2026-11-28T12:00:00Z' },
    apiToken: null,
    requiredApiTokenScopes: ['read:page:confluence', 'write:page:confluence'],
    ingestKeys: [],
    ingestUrl: null,
    export: {
      settings: { enabled: false, includeRestricted: false },
      keys: [],
      sync: { state: 'off', lastFullSyncAt: null, nextSyncAt: null, pages: 0, lastError: null },
      exportUrl: null,
    },
  };
}
