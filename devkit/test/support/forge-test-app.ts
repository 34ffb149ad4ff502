import { asApp, asUser, invokeRemote, route } from '@forge/api';
import { kvs } from '@forge/kvs';
import Resolver from '@forge/resolver';

/**
 * A small Forge app written the way Pagewire's is: resolvers defined with the
 * real `@forge/resolver`, calling the real `@forge/api` and `@forge/kvs`. Only
 * the devkit's runtime harness stands between it and the network.
 */
const resolver = new Resolver();

type Context = { accountId?: string; cloudId?: string; extension?: { space?: { id?: string } } };

resolver.define('callBackend', async ({ payload, context }) => {
  const ctx = context as Context;
  const response = await invokeRemote('backend', {
    path: '/forge/v1/echo',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ context: { cloudId: ctx.cloudId, accountId: ctx.accountId }, input: payload }),
  });
  return { status: response.status, body: await response.json() };
});

resolver.define('isSpaceAdmin', async ({ context }) => {
  const spaceId = (context as Context).extension?.space?.id ?? '';
  const response = await asUser().requestConfluence(route`/wiki/api/v2/spaces/${spaceId}/operations`, {
    headers: { accept: 'application/json' },
  });
  if (response.status !== 200) return { status: response.status };
  const body = (await response.json()) as { operations: { operation: string; targetType: string }[] };
  return {
    status: 200,
    admin: body.operations.some((entry) => entry.operation === 'administer' && entry.targetType === 'space'),
  };
});

resolver.define('countPagesAsApp', async ({ context }) => {
  const spaceId = (context as Context).extension?.space?.id ?? '';
  const response = await asApp().requestConfluence(route`/wiki/api/v2/spaces/${spaceId}/pages?limit=250`);
  const body = (await response.json()) as { results: unknown[] };
  return { status: response.status, count: body.results.length };
});

resolver.define('remember', async ({ payload }) => {
  const { key, value } = payload as { key: string; value: unknown };
  const previous = await kvs.get(key);
  await kvs.set(key, value);
  return { previous: previous ?? null, now: await kvs.get(key) };
});

resolver.define('whoAmI', ({ context }) => context);

export const testAppHandler = resolver.getDefinitions();
