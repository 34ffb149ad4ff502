import { makeProblem, snapshotPropertyKey } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { statusBlockOutput } from '../../test/support/fixtures';
import {
  createPage,
  declareForgeWorld,
  MACRO_LOCAL_ID,
  macroContext,
  putPageProperty,
  type World,
} from '../../test/support/forge-world';
import { data } from '../../test/support/scripted-backend';
import { macroResolver } from '../index';
import {
  ADMIN_CHECK_TIMEOUT_MS,
  BACKEND_TIMEOUT_MS,
  forgeResolverDependencies,
} from '../platform/forge-platform';
import { createMacroResolver } from './macro-resolver';

const world = declareForgeWorld();

function getBlock(
  { runtime, site }: World,
  payload: unknown,
  context: ReturnType<typeof macroContext> = macroContext(site, site.member.accountId),
  handler = macroResolver,
) {
  return runtime.invoke(handler, { key: 'blocks.get', payload, context });
}

describe('the macro resolver', () => {
  it('sends the block request to the backend with the identity and place Forge vouches for', async () => {
    const w = await world.setUp();
    w.backend.answer('blocks.get', data(statusBlockOutput));

    const result = await getBlock(w, { key: 'deploy-status' });

    expect(result).toEqual({ ok: true, data: statusBlockOutput });
    const [call] = w.backend.received;
    expect(call?.path).toBe('/forge/v1/blocks.get');
    expect(call?.method).toBe('POST');
    expect(call?.headers.authorization).toMatch(/^Bearer ey/);
    expect(call?.body).toEqual({
      context: {
        cloudId: w.site.cloudId,
        siteUrl: w.runtime.installation.siteUrl,
        accountId: w.site.member.accountId,
        spaceKey: 'ENG',
        spaceId: w.site.space.id,
        contentId: '1310721',
        contentType: 'page',
        localId: MACRO_LOCAL_ID,
      },
      input: { key: 'deploy-status' },
    });
  });

  // The macro context's extension.content.type is `page` or `blogpost`
  // (https://developer.atlassian.com/platform/forge/manifest-reference/modules/macro/); a blog post keeps its
  // content properties under /blogposts/{id}/properties, so the backend must know which one it is.
  it('tells the backend when the macro sits on a blog post, so its snapshot goes to the blog post', async () => {
    const w = await world.setUp();
    w.backend.answer('blocks.get', data(statusBlockOutput));
    const onBlogPost = macroContext(w.site, w.site.member.accountId, '2293761');
    onBlogPost.extension.content.type = 'blogpost';
    await getBlock(w, { key: 'deploy-status' }, onBlogPost);
    const [call] = w.backend.received;
    expect(call?.body).toMatchObject({ context: { contentId: '2293761', contentType: 'blogpost' } });
  });

  it('refuses a payload that claims another space or user, and sends nothing to the backend', async () => {
    const w = await world.setUp();
    w.backend.answer('blocks.get', data(statusBlockOutput));

    const result = await getBlock(w, {
      key: 'deploy-status',
      spaceKey: 'HR',
      accountId: w.site.admin.accountId,
      context: { spaceKey: 'HR', isSpaceAdmin: true },
    });

    expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(w.backend.received).toHaveLength(0);
  });

  it('takes the user from the Forge principal even when the module context names someone else', async () => {
    const w = await world.setUp();
    w.backend.answer('blocks.get', data(statusBlockOutput));

    await w.runtime.invoke(macroResolver, {
      key: 'blocks.get',
      payload: { key: 'deploy-status' },
      context: {
        ...macroContext(w.site, w.site.member.accountId),
        extra: { accountId: w.site.admin.accountId },
      },
    });

    expect(w.backend.received[0]?.body).toMatchObject({ context: { accountId: w.site.member.accountId } });
  });

  it('explains which field is wrong when the block key is not a valid key', async () => {
    const w = await world.setUp();

    const result = await getBlock(w, { key: 'Deploy Status!' });

    expect(result).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', fieldErrors: [{ path: '/key' }] },
    });
    expect(w.backend.received).toHaveLength(0);
  });

  it('refuses to be called from another module', async () => {
    const w = await world.setUp();

    const result = await getBlock(
      w,
      { key: 'deploy-status' },
      {
        ...macroContext(w.site, w.site.member.accountId),
        moduleKey: 'pagewire-space-settings',
      },
    );

    expect(result).toMatchObject({ ok: false, error: { code: 'wrong_module' } });
    expect(w.backend.received).toHaveLength(0);
  });

  it('asks for a space when Confluence gives none', async () => {
    const w = await world.setUp();

    const result = await w.runtime.invoke(macroResolver, {
      key: 'blocks.list',
      payload: {},
      context: {
        accountId: w.site.member.accountId,
        moduleKey: 'pagewire-block',
        extension: { type: 'macro' },
      },
    });

    expect(result).toMatchObject({ ok: false, error: { code: 'space_required' } });
    expect(w.backend.received).toHaveLength(0);
  });

  it('asks an anonymous visitor to log in', async () => {
    const w = await world.setUp();
    const { accountId: _, ...anonymous } = macroContext(w.site, w.site.member.accountId);

    const result = await getBlock(w, { key: 'deploy-status' }, anonymous as ReturnType<typeof macroContext>);

    expect(result).toMatchObject({ ok: false, error: { message: expect.stringMatching(/log in/i) } });
    expect(w.backend.received).toHaveLength(0);
  });

  it('does not expose settings writes or lifecycle operations to the macro', async () => {
    const w = await world.setUp();

    for (const key of ['settings.update', 'ingestKeys.create', 'lifecycle.installed']) {
      await expect(
        w.runtime.invoke(macroResolver, {
          key,
          payload: {},
          context: macroContext(w.site, w.site.member.accountId),
        }),
      ).rejects.toThrow(/no definition/);
    }
    expect(w.backend.received).toHaveLength(0);
  });
});

describe('the macro resolver explains backend failures', () => {
  it('says the block is gone and how to pick another', async () => {
    const w = await world.setUp();
    w.backend.answer('blocks.get', {
      status: 404,
      json: makeProblem('block_not_found', 'No block "deploy-status" in space ENG.'),
    });

    const result = await getBlock(w, { key: 'deploy-status' });

    expect(result).toEqual({
      ok: false,
      error: { code: 'block_not_found', message: expect.stringMatching(/pick another block/) },
    });
  });

  it('tells a reader when and by whom a deleted block was deleted, in the backend’s words', async () => {
    const w = await world.setUp();
    const detail =
      'The block "Deploy status" (deploy-status) was deleted on 28 Nov 2026, 10:00 UTC by a space admin. Edit the page and pick another block, or have a source write "deploy-status" again to bring it back.';
    w.backend.answer('blocks.get', { status: 410, json: makeProblem('block_deleted', detail) });

    const result = await getBlock(w, { key: 'deploy-status' });

    expect(result).toEqual({ ok: false, error: { code: 'block_deleted', message: detail } });
  });

  it('says Pagewire is not connected yet when the backend does not know the installation', async () => {
    const w = await world.setUp();
    w.backend.answer('blocks.get', { status: 409, json: makeProblem('installation_unknown', 'Unknown.') });

    const result = await getBlock(w, { key: 'deploy-status' });

    expect(result).toMatchObject({
      ok: false,
      error: { code: 'installation_unknown', message: expect.stringMatching(/not connected/) },
    });
  });

  it('says when to try again after the backend rate-limits the caller', async () => {
    const w = await world.setUp();
    w.backend.answer('blocks.get', {
      status: 429,
      json: makeProblem('rate_limited', 'Slow down.', { retryAfterSeconds: 120 }),
      headers: { 'retry-after': '120' },
    });

    const before = Date.now();
    const result = (await getBlock(w, { key: 'deploy-status' })) as {
      ok: false;
      error: { code: string; message: string; retryAt: string };
    };

    expect(result.error.code).toBe('rate_limited');
    expect(result.error.message).toBe('Too many requests right now. Try again in 2 minutes.');
    const retryAt = Date.parse(result.error.retryAt);
    expect(retryAt).toBeGreaterThanOrEqual(before + 120_000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 120_000);
  });

  it('reads Retry-After from a bare 429 a proxy sent without a problem body', async () => {
    const w = await world.setUp();
    w.backend.answer('blocks.get', {
      status: 429,
      text: 'Too Many Requests',
      headers: { 'retry-after': '30' },
    });

    const result = await getBlock(w, { key: 'deploy-status' });

    expect(result).toMatchObject({
      ok: false,
      error: { code: 'rate_limited', message: expect.stringMatching(/Try again in 30 seconds\.$/) },
    });
  });

  it('says the service is unreachable when nothing listens at the remote', async () => {
    const w = await world.setUp();
    await w.backend.close();

    const result = await getBlock(w, { key: 'deploy-status' });

    expect(result).toMatchObject({ ok: false, error: { code: 'backend_unreachable' } });
  });

  it('falls back to the snapshot the page holds when the backend is down, saying since when', async () => {
    const w = await world.setUp();
    const pageId = await createPage(w.site, 'Release status');
    await putPageProperty(w.site, pageId, snapshotPropertyKey(MACRO_LOCAL_ID), {
      blockKey: 'deploy-status',
      revision: 7,
      title: 'Production deploys',
      adf: {
        version: 1,
        type: 'doc',
        content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Green.' }] }],
      },
      updatedAt: '2026-11-28T09:57:00Z',
    });
    await w.backend.close();

    const result = await getBlock(
      w,
      { key: 'deploy-status' },
      macroContext(w.site, w.site.member.accountId, pageId),
    );

    expect(result).toMatchObject({
      ok: true,
      data: {
        block: { kind: 'adf', key: 'deploy-status', title: 'Production deploys', revision: 7 },
        fallback: { reason: 'backend_unreachable', since: '2026-11-28T09:57:00Z' },
      },
    });
    // Read as the app, the way the export view reads it.
    expect(
      w.runtime
        .productCalls()
        .filter((call) => call.path.includes('/properties'))
        .map((call) => call.as),
    ).toEqual(['app']);
  });

  it('keeps the error when the page holds no snapshot of this block (the live policy)', async () => {
    const w = await world.setUp();
    const pageId = await createPage(w.site, 'Live only');
    await putPageProperty(w.site, pageId, snapshotPropertyKey(MACRO_LOCAL_ID), {
      blockKey: 'another-block',
      revision: 1,
      title: 'Other',
      adf: { version: 1, type: 'doc', content: [] },
      updatedAt: '2026-11-28T09:57:00Z',
    });
    await w.backend.close();

    const result = await getBlock(
      w,
      { key: 'deploy-status' },
      macroContext(w.site, w.site.member.accountId, pageId),
    );

    expect(result).toMatchObject({ ok: false, error: { code: 'backend_unreachable' } });
  });

  it('treats a gateway error page in front of the backend as unreachable', async () => {
    const w = await world.setUp();
    w.backend.answer('blocks.get', { status: 502, text: '<html>502 Bad Gateway</html>' });

    const result = await getBlock(w, { key: 'deploy-status' });

    expect(result).toMatchObject({ ok: false, error: { code: 'backend_unreachable' } });
  });

  it('gives up at its deadline when the backend does not answer, instead of hanging the page', async () => {
    const w = await world.setUp();
    w.backend.answer('blocks.get', { hang: true });
    // The production wiring with a short budget, so the test does not wait 15 s.
    const impatient = createMacroResolver(forgeResolverDependencies({ backendTimeoutMs: 300 }));

    const result = await getBlock(w, { key: 'deploy-status' }, undefined, impatient);

    expect(result).toMatchObject({ ok: false, error: { code: 'backend_timeout' } });
  });

  it('budgets the admin check and the backend call well inside the 25-second resolver limit', () => {
    expect(ADMIN_CHECK_TIMEOUT_MS + BACKEND_TIMEOUT_MS).toBeLessThanOrEqual(20_000);
  });

  it('does not pass on an answer in a shape this version does not understand', async () => {
    const w = await world.setUp();
    w.backend.answer('blocks.get', data({ block: { kind: 'video' } }));

    const result = await getBlock(w, { key: 'deploy-status' });

    expect(result).toMatchObject({ ok: false, error: { code: 'internal_error' } });
  });
});
