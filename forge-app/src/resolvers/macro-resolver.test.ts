import { makeProblem } from '@pagewire/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ENG_SPACE,
  MACRO_LOCAL_ID,
  macroPlatformContext,
  PAGE_ID,
  SITE,
  statusBlockOutput,
  VIEWER_ACCOUNT,
} from '../../test/support/fixtures';
import {
  installStubRuntime,
  invokeResolver,
  jsonResponse,
  type StubRuntime,
} from '../../test/support/forge-runtime-stub';
import { macroResolver } from '../index';

let runtime: StubRuntime | undefined;

afterEach(() => {
  runtime?.restore();
  runtime = undefined;
  vi.useRealTimers();
});

function getBlock(payload: unknown, context = macroPlatformContext()) {
  return invokeResolver(macroResolver, { key: 'blocks.get', payload, context, accountId: VIEWER_ACCOUNT });
}

describe('the macro resolver', () => {
  it('sends the block request to the backend with the identity and place Forge vouches for', async () => {
    runtime = installStubRuntime({ backend: () => jsonResponse(200, { data: statusBlockOutput }) });

    const result = await getBlock({ key: 'deploy-status' });

    expect(result).toEqual({ ok: true, data: statusBlockOutput });
    const [call] = runtime.backendCalls();
    expect(call?.descriptor).toEqual({ type: 'frc', remote: 'backend' });
    expect(call?.path).toBe('/forge/v1/blocks.get');
    expect(call?.method).toBe('POST');
    expect(call?.body).toEqual({
      context: {
        cloudId: SITE.cloudId,
        siteUrl: SITE.siteUrl,
        accountId: VIEWER_ACCOUNT,
        spaceKey: ENG_SPACE.key,
        spaceId: ENG_SPACE.id,
        contentId: PAGE_ID,
        localId: MACRO_LOCAL_ID,
      },
      input: { key: 'deploy-status' },
    });
  });

  it('refuses a payload that claims another space or user, and sends nothing to the backend', async () => {
    runtime = installStubRuntime({ backend: () => jsonResponse(200, { data: statusBlockOutput }) });

    const result = await getBlock({
      key: 'deploy-status',
      spaceKey: 'HR',
      accountId: 'someone-else',
      context: { spaceKey: 'HR', isSpaceAdmin: true },
    });

    expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(runtime.backendCalls()).toHaveLength(0);
  });

  it('takes the user from the Forge principal even when the module context names someone else', async () => {
    runtime = installStubRuntime({ backend: () => jsonResponse(200, { data: statusBlockOutput }) });

    await getBlock({ key: 'deploy-status' }, macroPlatformContext({ accountId: 'forged-in-context' }));

    expect(runtime.backendCalls()[0]?.body).toMatchObject({ context: { accountId: VIEWER_ACCOUNT } });
  });

  it('explains which field is wrong when the block key is not a valid key', async () => {
    runtime = installStubRuntime({ backend: () => jsonResponse(200, { data: statusBlockOutput }) });

    const result = await getBlock({ key: 'Deploy Status!' });

    expect(result).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', fieldErrors: [{ path: '/key' }] },
    });
    expect(runtime.backendCalls()).toHaveLength(0);
  });

  it('refuses to be called from another module', async () => {
    runtime = installStubRuntime({ backend: () => jsonResponse(200, { data: statusBlockOutput }) });

    const result = await getBlock(
      { key: 'deploy-status' },
      macroPlatformContext({ moduleKey: 'pagewire-space-settings' }),
    );

    expect(result).toMatchObject({ ok: false, error: { code: 'wrong_module' } });
    expect(runtime.backendCalls()).toHaveLength(0);
  });

  it('asks for a space when Confluence gives none', async () => {
    runtime = installStubRuntime({ backend: () => jsonResponse(200, { data: { blocks: [] } }) });

    const result = await invokeResolver(macroResolver, {
      key: 'blocks.list',
      payload: {},
      context: macroPlatformContext({ extension: { type: 'macro' } }),
      accountId: VIEWER_ACCOUNT,
    });

    expect(result).toMatchObject({ ok: false, error: { code: 'space_required' } });
    expect(runtime.backendCalls()).toHaveLength(0);
  });

  it('asks an anonymous visitor to log in', async () => {
    runtime = installStubRuntime({ backend: () => jsonResponse(200, { data: statusBlockOutput }) });

    const result = await invokeResolver(macroResolver, {
      key: 'blocks.get',
      payload: { key: 'deploy-status' },
      context: macroPlatformContext(),
    });

    expect(result).toMatchObject({ ok: false, error: { message: expect.stringMatching(/log in/i) } });
    expect(runtime.backendCalls()).toHaveLength(0);
  });

  it('does not expose settings writes or lifecycle operations to the macro', async () => {
    runtime = installStubRuntime({ backend: () => jsonResponse(200, { data: {} }) });

    for (const key of ['settings.update', 'ingestKeys.create', 'lifecycle.installed']) {
      await expect(
        invokeResolver(macroResolver, {
          key,
          payload: {},
          context: macroPlatformContext(),
          accountId: VIEWER_ACCOUNT,
        }),
      ).rejects.toThrow(/no definition/);
    }
    expect(runtime.backendCalls()).toHaveLength(0);
  });
});

describe('the macro resolver explains backend failures', () => {
  it('says the block is gone and how to pick another', async () => {
    runtime = installStubRuntime({
      backend: () =>
        jsonResponse(404, makeProblem('block_not_found', 'No block "deploy-status" in space ENG.')),
    });

    const result = await getBlock({ key: 'deploy-status' });

    expect(result).toEqual({
      ok: false,
      error: { code: 'block_not_found', message: expect.stringMatching(/pick another block/) },
    });
  });

  it('says Pagewire is not connected yet when the backend does not know the installation', async () => {
    runtime = installStubRuntime({
      backend: () => jsonResponse(409, makeProblem('installation_unknown', 'Unknown installation.')),
    });

    const result = await getBlock({ key: 'deploy-status' });

    expect(result).toMatchObject({
      ok: false,
      error: { code: 'installation_unknown', message: expect.stringMatching(/not connected/) },
    });
  });

  it('says when to try again after the backend rate-limits the caller', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-28T10:00:00Z'), toFake: ['Date'] });
    runtime = installStubRuntime({
      backend: () =>
        jsonResponse(429, makeProblem('rate_limited', 'Slow down.', { retryAfterSeconds: 120 }), {
          'retry-after': '120',
        }),
    });

    const result = await getBlock({ key: 'deploy-status' });

    expect(result).toEqual({
      ok: false,
      error: {
        code: 'rate_limited',
        retryAt: '2026-11-28T10:02:00.000Z',
        message: 'Too many requests right now. Try again in 2 minutes.',
      },
    });
  });

  it('reads Retry-After from a bare 429 a proxy sent without a problem body', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-28T10:00:00Z'), toFake: ['Date'] });
    runtime = installStubRuntime({
      backend: () => new Response('Too Many Requests', { status: 429, headers: { 'retry-after': '30' } }),
    });

    const result = await getBlock({ key: 'deploy-status' });

    expect(result).toMatchObject({
      ok: false,
      error: { code: 'rate_limited', retryAt: '2026-11-28T10:00:30.000Z' },
    });
  });

  it('says the service is unreachable when the remote cannot be reached', async () => {
    runtime = installStubRuntime({
      backend: () => {
        throw new TypeError('fetch failed');
      },
    });

    const result = await getBlock({ key: 'deploy-status' });

    expect(result).toMatchObject({ ok: false, error: { code: 'backend_unreachable' } });
  });

  it('treats a gateway error page in front of the backend as unreachable', async () => {
    runtime = installStubRuntime({
      backend: () => new Response('<html>502 Bad Gateway</html>', { status: 502 }),
    });

    const result = await getBlock({ key: 'deploy-status' });

    expect(result).toMatchObject({ ok: false, error: { code: 'backend_unreachable' } });
  });

  it('gives up well inside the 25-second resolver limit when the backend does not answer', async () => {
    vi.useFakeTimers();
    runtime = installStubRuntime({ backend: () => new Promise<Response>(() => {}) });

    const pending = getBlock({ key: 'deploy-status' });
    await vi.advanceTimersByTimeAsync(15_000);

    await expect(pending).resolves.toMatchObject({ ok: false, error: { code: 'backend_timeout' } });
  });

  it('does not pass on an answer in a shape this version does not understand', async () => {
    runtime = installStubRuntime({
      backend: () => jsonResponse(200, { data: { block: { kind: 'video' } } }),
    });

    const result = await getBlock({ key: 'deploy-status' });

    expect(result).toMatchObject({ ok: false, error: { code: 'internal_error' } });
  });
});
