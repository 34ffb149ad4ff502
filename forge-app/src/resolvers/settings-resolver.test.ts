import { makeProblem } from '@pagewire/shared';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ADMIN_ACCOUNT,
  adminSpaceOperations,
  ENG_SPACE,
  settingsPlatformContext,
  VIEWER_ACCOUNT,
  viewerSpaceOperations,
} from '../../test/support/fixtures';
import {
  installStubRuntime,
  invokeResolver,
  jsonResponse,
  type StubHandler,
  type StubRuntime,
} from '../../test/support/forge-runtime-stub';
import { settingsResolver } from '../index';

let runtime: StubRuntime | undefined;

afterEach(() => {
  runtime?.restore();
  runtime = undefined;
});

const savedSettings = { settings: { publishingPolicy: 'snapshot', staleAfterMinutes: 60 } };

function spaceOperationsAnswer(body: unknown, status = 200): StubHandler {
  return () => jsonResponse(status, body);
}

function call(key: string, payload: unknown, accountId: string, context = settingsPlatformContext()) {
  return invokeResolver(settingsResolver, { key, payload, context, accountId });
}

describe('the settings resolver', () => {
  it('checks as the user, against Confluence, that they administer the space before a write', async () => {
    runtime = installStubRuntime({
      confluenceAsUser: spaceOperationsAnswer(adminSpaceOperations),
      backend: () => jsonResponse(200, { data: savedSettings }),
    });

    const result = await call('settings.update', { publishingPolicy: 'snapshot' }, ADMIN_ACCOUNT);

    expect(result).toEqual({ ok: true, data: savedSettings });
    const [permissionCall] = runtime.confluenceCalls('user');
    expect(permissionCall?.descriptor).toMatchObject({ provider: 'user', remote: 'confluence' });
    expect(permissionCall?.path).toBe(`/wiki/api/v2/spaces/${ENG_SPACE.id}/operations`);
    expect(runtime.backendCalls()[0]?.body).toMatchObject({
      context: { accountId: ADMIN_ACCOUNT, spaceKey: 'ENG', spaceId: ENG_SPACE.id, isSpaceAdmin: true },
      input: { publishingPolicy: 'snapshot' },
    });
  });

  it('refuses a non-admin’s write with a clear message and sends nothing to the backend', async () => {
    runtime = installStubRuntime({
      confluenceAsUser: spaceOperationsAnswer(viewerSpaceOperations),
      backend: () => jsonResponse(200, { data: { id: 'k1', source: 'ci', key: 'pwk_x' } }),
    });

    const result = await call('ingestKeys.create', { source: 'ci' }, VIEWER_ACCOUNT);

    expect(result).toEqual({
      ok: false,
      error: {
        code: 'not_space_admin',
        message: 'Only space admins can change Pagewire’s settings for this space.',
      },
    });
    expect(runtime.backendCalls()).toHaveLength(0);
  });

  it('cannot be talked into admin rights by the payload', async () => {
    runtime = installStubRuntime({
      confluenceAsUser: spaceOperationsAnswer(viewerSpaceOperations),
      backend: () => jsonResponse(200, { data: savedSettings }),
    });

    const result = await call(
      'settings.update',
      { publishingPolicy: 'snapshot', isSpaceAdmin: true, spaceKey: 'HR' },
      VIEWER_ACCOUNT,
    );

    expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(runtime.backendCalls()).toHaveLength(0);
  });

  it('treats a space the user cannot even see as one they do not administer', async () => {
    runtime = installStubRuntime({
      confluenceAsUser: spaceOperationsAnswer({ errors: [] }, 404),
      backend: () => jsonResponse(200, { data: { removed: true } }),
    });

    const result = await call('apiToken.remove', {}, VIEWER_ACCOUNT);

    expect(result).toMatchObject({ ok: false, error: { code: 'not_space_admin' } });
    expect(runtime.backendCalls()).toHaveLength(0);
  });

  it('tells a non-admin opening the page that they may not edit, and still shows the settings', async () => {
    runtime = installStubRuntime({
      confluenceAsUser: spaceOperationsAnswer(viewerSpaceOperations),
      backend: () => jsonResponse(200, { data: settingsView(false) }),
    });

    const result = await call('settings.get', {}, VIEWER_ACCOUNT);

    expect(result).toMatchObject({ ok: true, data: { canEdit: false } });
    expect(runtime.backendCalls()[0]?.body).toMatchObject({ context: { isSpaceAdmin: false } });
  });

  it('does not ask Confluence about permissions for the activity log', async () => {
    runtime = installStubRuntime({
      backend: () => jsonResponse(200, { data: { items: [], nextCursor: null } }),
    });

    const result = await call('activity.list', { limit: 20 }, VIEWER_ACCOUNT);

    expect(result).toEqual({ ok: true, data: { items: [], nextCursor: null } });
    expect(runtime.confluenceCalls('user')).toHaveLength(0);
    expect(runtime.backendCalls()[0]?.body).not.toHaveProperty('context.isSpaceAdmin');
  });

  it('says it could not check permissions when Confluence fails, instead of guessing', async () => {
    runtime = installStubRuntime({
      confluenceAsUser: () => new Response('oops', { status: 500 }),
      backend: () => jsonResponse(200, { data: savedSettings }),
    });

    const result = await call('settings.update', { staleAfterMinutes: 30 }, ADMIN_ACCOUNT);

    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'confluence_unavailable',
        message: expect.stringMatching(/could not check your permissions/),
      },
    });
    expect(runtime.backendCalls()).toHaveLength(0);
  });

  it('lets Forge show its consent prompt when the user has not allowed access as themselves', async () => {
    runtime = installStubRuntime({
      confluenceAsUser: () =>
        new Response('', { status: 401, headers: { 'forge-proxy-error': 'NEEDS_AUTHENTICATION_ERR' } }),
      backend: () => jsonResponse(200, { data: savedSettings }),
    });

    await expect(call('settings.update', { staleAfterMinutes: 30 }, ADMIN_ACCOUNT)).rejects.toMatchObject({
      name: 'NEEDS_AUTHENTICATION_ERR',
    });
    expect(runtime.backendCalls()).toHaveLength(0);
  });

  it('refuses settings calls that come from the macro, even from an admin', async () => {
    runtime = installStubRuntime({
      confluenceAsUser: spaceOperationsAnswer(adminSpaceOperations),
      backend: () => jsonResponse(200, { data: savedSettings }),
    });

    const result = await call(
      'settings.update',
      { publishingPolicy: 'live' },
      ADMIN_ACCOUNT,
      settingsPlatformContext({
        moduleKey: 'pagewire-block',
        extension: { type: 'macro', space: ENG_SPACE },
      }),
    );

    expect(result).toMatchObject({ ok: false, error: { code: 'wrong_module' } });
    expect(runtime.calls).toHaveLength(0);
  });

  it('points at the fields that are wrong in an API token form, before asking anyone', async () => {
    runtime = installStubRuntime({
      confluenceAsUser: spaceOperationsAnswer(adminSpaceOperations),
      backend: () => jsonResponse(200, { data: {} }),
    });

    const result = await call(
      'apiToken.set',
      { email: 'not-an-email', token: 'ATATT3x short', expiresAt: '31/01/2027' },
      ADMIN_ACCOUNT,
    );

    expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    const paths = (result as { error: { fieldErrors: Array<{ path: string }> } }).error.fieldErrors.map(
      (fieldError) => fieldError.path,
    );
    expect(paths).toEqual(expect.arrayContaining(['/email', '/token', '/expiresAt']));
    expect(runtime.calls).toHaveLength(0);
  });

  it('passes the backend’s field errors through when it rejects a value', async () => {
    runtime = installStubRuntime({
      confluenceAsUser: spaceOperationsAnswer(adminSpaceOperations),
      backend: () =>
        jsonResponse(
          400,
          makeProblem('validation_failed', 'Invalid input.', {
            errors: [{ path: '/source', message: 'a source with this name already has a key' }],
          }),
        ),
    });

    const result = await call('ingestKeys.create', { source: 'ci' }, ADMIN_ACCOUNT);

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
    runtime = installStubRuntime({
      confluenceAsUser: spaceOperationsAnswer(adminSpaceOperations),
      backend: () => jsonResponse(403, makeProblem('api_tokens_disabled', 'Marketplace mode.')),
    });

    const result = await call(
      'apiToken.set',
      { email: 'svc@acme.dev', token: 'ATATT3xFfGF0abcdefghijklmnop', expiresAt: '2027-01-31' },
      ADMIN_ACCOUNT,
    );

    expect(result).toMatchObject({ ok: false, error: { code: 'api_tokens_disabled' } });
  });
});

function settingsView(canEdit: boolean) {
  return {
    space: { key: 'ENG', id: ENG_SPACE.id },
    mode: 'in-house',
    canEdit,
    settings: { publishingPolicy: 'live', staleAfterMinutes: 60 },
    appToken: { status: 'ok', expiresAt: '2026-11-28T12:00:00Z' },
    apiToken: null,
    requiredApiTokenScopes: ['read:page:confluence', 'write:page:confluence'],
    ingestKeys: [],
  };
}
