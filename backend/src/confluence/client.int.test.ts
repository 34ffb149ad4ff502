import type { SeededSite } from '@pagewire/devkit';
import { declareEmulator } from '@pagewire/devkit/testing';
import { FORGE_APP_SCOPES } from '@pagewire/shared';
import { beforeEach, describe, expect, it } from 'vitest';
import { createPageProperty, findPagePropertyByKey, updatePageProperty } from './api/content-properties';
import { addLabelsToPage, listPageLabels } from './api/labels';
import { createPage, findPageByTitle, getPageById, listPages, readAdfBody, updatePage } from './api/pages';
import { canAdministerSpace, getSpaceByKey, getSpaceOperations } from './api/spaces';
import { getTenantInfo } from './api/tenant-info';
import { type ConfluenceClient, type ConfluenceClientOptions, createConfluenceClient } from './client';
import { type ConfluenceCredential, createApiTokenCredential, createAppTokenCredential } from './credential';
import {
  type ConflictError,
  isAuthError,
  isBadRequestError,
  isConflictError,
  isNetworkError,
  isNotFoundError,
  isRateLimitError,
  isScopeError,
  isServerError,
  type NetworkError,
  type RateLimitError,
  type ScopeError,
  type ServerError,
} from './errors';
import { createPacer, pacingTargetFor } from './pacer';
import { createDrivenClock } from './testing/driven-clock';

/**
 * The client against the devkit emulator: every error class from the
 * behaviour that produces it in production, the retry rules of the HTTP
 * policy, and pacing at a real rate limit.
 */

const env = declareEmulator();
let site: SeededSite;

const doc = (text: string) => ({
  version: 1 as const,
  type: 'doc' as const,
  content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
});

beforeEach(async () => {
  await env.dev.clearFaults();
  await env.dev.setLimits({ burstPerSecond: null, quotaPointsPerHour: null });
  site = await env.dev.seedSite({ spaceKey: 'ENG' });
});

async function appCredential(
  options: { ttlSeconds?: number; scopes?: string[] } = {},
): Promise<ConfluenceCredential> {
  const minted = await env.dev.mintAppToken({ installationId: site.installationId, ...options });
  return createAppTokenCredential({
    installationId: site.installationId,
    token: minted.token,
    expiresAt: new Date(minted.expiresAt),
    scopes: options.scopes ?? FORGE_APP_SCOPES,
  });
}

function apiCredential(token = site.scopedToken, scopes: readonly string[] = [], email = site.admin.email) {
  return createApiTokenCredential({
    installationId: site.installationId,
    spaceKey: 'ENG',
    email,
    token,
    scopes,
  });
}

function clientWith(
  credential: ConfluenceCredential,
  options: Partial<ConfluenceClientOptions> = {},
): ConfluenceClient {
  return createConfluenceClient({
    baseUrl: site.gatewayUrl,
    allowedApiBase: env.emulator.url,
    credential,
    retry: { baseDelayMs: 50 },
    timeoutMs: 5_000,
    ...options,
  });
}

async function seedPage(client: ConfluenceClient, title = 'Deploys') {
  const space = await getSpaceByKey(client, { key: 'ENG' });
  return createPage(client, {
    spaceId: space.id,
    title,
    body: { representation: 'atlas_doc_format', value: doc('v1') },
  });
}

describe('the Confluence client against the devkit', () => {
  it('resolves the cloud id from the site without credentials, and works the whole page lifecycle through the gateway', async () => {
    expect(await getTenantInfo({ siteUrl: site.siteUrl })).toEqual({ cloudId: site.cloudId });
    const client = clientWith(await appCredential());
    const space = await getSpaceByKey(client, { key: 'ENG' });
    const created = await seedPage(client);
    const read = await getPageById(client, { id: created.id, bodyFormat: 'atlas_doc_format' });
    expect(readAdfBody(read)).toEqual(doc('v1'));
    const updated = await updatePage(client, {
      id: created.id,
      title: 'Deploys',
      body: { representation: 'atlas_doc_format', value: doc('v2') },
      version: { number: read.version.number + 1, message: 'Pagewire' },
    });
    expect(updated.version.number).toBe(read.version.number + 1);
    expect((await findPageByTitle(client, { spaceId: space.id, title: 'Deploys' }))?.id).toBe(created.id);

    const property = await createPageProperty(client, {
      pageId: created.id,
      key: 'pagewire.sync',
      value: { hash: 'a' },
    });
    await updatePageProperty(client, {
      pageId: created.id,
      propertyId: property.id,
      key: 'pagewire.sync',
      value: { hash: 'b' },
      version: { number: property.version.number + 1 },
    });
    expect(
      (await findPagePropertyByKey(client, { pageId: created.id, key: 'pagewire.sync' }))?.value,
    ).toEqual({ hash: 'b' });
    // Properties do not move the page's version.
    expect((await getPageById(client, { id: created.id, bodyFormat: 'none' })).version.number).toBe(
      updated.version.number,
    );
  });

  it('follows cursor pages under the gateway until the last one', async () => {
    const client = clientWith(await appCredential());
    const space = await getSpaceByKey(client, { key: 'ENG' });
    for (let i = 0; i < 7; i++) await seedPage(client, `Page ${i}`);
    const titles: string[] = [];
    for await (const page of listPages(client, { spaceId: space.id, limit: 2 })) titles.push(page.title);
    expect(titles.filter((title) => title.startsWith('Page ')).sort()).toEqual(
      Array.from({ length: 7 }, (_, i) => `Page ${i}`),
    );
    const log = await env.dev.requests({ cloudId: site.cloudId });
    expect(log.filter((entry) => entry.operationId === 'getPages').length).toBeGreaterThanOrEqual(4);
    expect(log.every((entry) => !entry.path.startsWith('/site/') || entry.credential === 'anonymous')).toBe(
      true,
    );
  });

  it('checks space administration through the permitted operations', async () => {
    const space = await getSpaceByKey(clientWith(await appCredential()), { key: 'ENG' });
    const asAdmin = await env.dev.mintAppToken({
      installationId: site.installationId,
      accountId: site.admin.accountId,
    });
    const asMember = await env.dev.mintAppToken({
      installationId: site.installationId,
      accountId: site.member.accountId,
    });
    const forUser = (token: string) =>
      clientWith(
        createAppTokenCredential({
          installationId: site.installationId,
          token,
          expiresAt: new Date(Date.now() + 3_600_000),
          scopes: FORGE_APP_SCOPES,
        }),
      );
    expect(canAdministerSpace(await getSpaceOperations(forUser(asAdmin.token), { spaceId: space.id }))).toBe(
      true,
    );
    expect(canAdministerSpace(await getSpaceOperations(forUser(asMember.token), { spaceId: space.id }))).toBe(
      false,
    );
  });

  it('adds and lists labels through v1 with the space API token', async () => {
    const client = clientWith(
      apiCredential(site.scopedToken, ['read:label:confluence', 'write:label:confluence']),
    );
    const page = await seedPage(clientWith(await appCredential()));
    await addLabelsToPage(client, { pageId: page.id, labels: ['runbook', 'ops'] });
    const names: string[] = [];
    for await (const label of listPageLabels(client, { pageId: page.id })) names.push(label.name);
    expect(names.sort()).toEqual(['ops', 'runbook']);
  });

  describe('produces each error class from the matching Confluence behaviour', () => {
    it('ScopeError for a label write with the app token, whose manifest has no label scope', async () => {
      const page = await seedPage(clientWith(await appCredential()));
      const error = (await addLabelsToPage(clientWith(await appCredential()), {
        pageId: page.id,
        labels: ['x'],
      }).catch((e: unknown) => e)) as ScopeError;
      expect(isScopeError(error)).toBe(true);
      expect(error.missingScopes).toEqual(['read:label:confluence', 'write:label:confluence']);
      expect(error.credential).toBe('the Forge app token');
    });

    it('AuthError for a revoked API token and for an expired app token', async () => {
      await env.dev.revokeApiToken(site.scopedToken);
      const revoked = await getSpaceByKey(clientWith(apiCredential()), { key: 'ENG' }).catch(
        (e: unknown) => e,
      );
      expect(isAuthError(revoked)).toBe(true);
      const expired = await getSpaceByKey(clientWith(await appCredential({ ttlSeconds: -60 })), {
        key: 'ENG',
      }).catch((e: unknown) => e);
      expect(isAuthError(expired)).toBe(true);
    });

    it('NotFoundError for a page that does not exist or that the account may not see', async () => {
      const missing = await getPageById(clientWith(await appCredential()), {
        id: '999999',
        bodyFormat: 'none',
      }).catch((e: unknown) => e);
      expect(isNotFoundError(missing)).toBe(true);
      const outsiderToken = await env.dev.createApiToken({
        email: site.outsider.email,
        scopes: ['read:page:confluence'],
      });
      const page = await seedPage(clientWith(await appCredential()));
      const hidden = await getPageById(
        clientWith(apiCredential(outsiderToken.token, [], site.outsider.email)),
        {
          id: page.id,
          bodyFormat: 'none',
        },
      ).catch((e: unknown) => e);
      expect(isNotFoundError(hidden)).toBe(true);
    });

    it('ConflictError with the current version after a human edit', async () => {
      const client = clientWith(await appCredential());
      const page = await seedPage(client);
      await env.dev.humanEdit(page.id, { body: JSON.stringify(doc('edited by a person')) });
      const error = (await updatePage(client, {
        id: page.id,
        title: page.title,
        body: { representation: 'atlas_doc_format', value: doc('ours') },
        version: { number: page.version.number + 1 },
      }).catch((e: unknown) => e)) as ConflictError;
      expect(isConflictError(error)).toBe(true);
      expect(error.currentVersion).toBe(page.version.number + 1);
    });

    it('RateLimitError, without waiting, when the hourly quota is spent', async () => {
      await env.dev.setLimits({ burstPerSecond: null, quotaPointsPerHour: 4 });
      const client = clientWith(await appCredential(), { pacer: createPacer() });
      await getSpaceByKey(client, { key: 'ENG' });
      await getSpaceByKey(client, { key: 'ENG' });
      const error = (await getSpaceByKey(client, { key: 'ENG' }).catch((e: unknown) => e)) as RateLimitError;
      expect(isRateLimitError(error)).toBe(true);
      expect(error.scope).toBe('quota');
      expect(error.retryAfterMs).toBeGreaterThan(0);
    });

    it('ServerError for a 500, not retried even on a read', async () => {
      await env.dev.setFaults({
        rules: [{ path: '/ex/confluence/**', method: 'GET', errorRate: 1, status: 500 }],
      });
      const error = (await getSpaceByKey(clientWith(await appCredential()), { key: 'ENG' }).catch(
        (e: unknown) => e,
      )) as ServerError;
      expect(isServerError(error)).toBe(true);
      expect(error.ambiguous).toBe(false);
      const log = await env.dev.requests({ cloudId: site.cloudId });
      expect(log.filter((entry) => entry.fault === 'error')).toHaveLength(1);
    });

    it('NetworkError when the connection drops during a create, marked as possibly applied', async () => {
      const client = clientWith(await appCredential());
      const space = await getSpaceByKey(client, { key: 'ENG' });
      await env.dev.setFaults({ rules: [{ path: '/ex/confluence/**', method: 'POST', dropRate: 1 }] });
      const error = (await createPage(client, {
        spaceId: space.id,
        title: 'Dropped',
        body: { representation: 'atlas_doc_format', value: doc('x') },
      }).catch((e: unknown) => e)) as NetworkError;
      expect(isNetworkError(error)).toBe(true);
      expect(error.ambiguous).toBe(true);
    });

    it('BadRequestError for a request Confluence refuses as invalid', async () => {
      const client = clientWith(await appCredential());
      const error = await client
        .send({
          endpoint: 'page.list',
          method: 'GET',
          path: '/wiki/api/v2/pages',
          query: { limit: 251 },
          schema: (await import('./schemas')).multiEntityResultSchema((await import('./schemas')).pageSchema),
        })
        .catch((e: unknown) => e);
      expect(isBadRequestError(error)).toBe(true);
    });
  });

  describe('applies the retry policy', () => {
    it('does not retry a 503 on a PUT: the page keeps its version and the caller is told to re-read', async () => {
      const client = clientWith(await appCredential());
      const page = await seedPage(client);
      await env.dev.setFaults({
        rules: [
          { path: '/ex/confluence/**', method: 'PUT', errorRate: 1, status: 503, retryAfterSeconds: 1 },
        ],
      });
      const error = (await updatePage(client, {
        id: page.id,
        title: page.title,
        body: { representation: 'atlas_doc_format', value: doc('lost?') },
        version: { number: page.version.number + 1 },
      }).catch((e: unknown) => e)) as ServerError;
      expect(isServerError(error)).toBe(true);
      expect(error.ambiguous).toBe(true);
      const puts = (await env.dev.requests({ cloudId: site.cloudId })).filter(
        (entry) => entry.method === 'PUT',
      );
      expect(puts).toHaveLength(1);
    });

    it('retries a 503 on a GET until it succeeds', async () => {
      const client = clientWith(await appCredential());
      const page = await seedPage(client);
      await env.dev.setFaults({
        rules: [{ path: '/ex/confluence/**', method: 'GET', errorRate: 1, status: 503, times: 2 }],
      });
      const read = await getPageById(client, { id: page.id, bodyFormat: 'none' });
      expect(read.id).toBe(page.id);
      const gets = (await env.dev.requests({ cloudId: site.cloudId })).filter(
        (entry) => entry.operationId === 'getPageById' || entry.fault,
      );
      expect(gets.map((entry) => entry.status)).toEqual([503, 503, 200]);
    });
  });

  describe('on a clock the test drives, shared by the emulator and the client', () => {
    // Time moves only when every request is waiting on the clock (see
    // createDrivenClock), so rate-limit windows, Retry-After and the pace are
    // measured in the emulator's time, whatever the load on this machine.
    const clock = createDrivenClock(Math.ceil(Date.now() / 1_000) * 1_000);
    const timed = declareEmulator({ now: clock.now });
    let timedSite: SeededSite;

    beforeEach(async () => {
      await timed.dev.setLimits({ burstPerSecond: null, quotaPointsPerHour: null });
      timedSite = await timed.dev.seedSite({ spaceKey: 'ENG' });
    });

    async function timedCredential(): Promise<ConfluenceCredential> {
      const minted = await timed.dev.mintAppToken({ installationId: timedSite.installationId });
      return createAppTokenCredential({
        installationId: timedSite.installationId,
        token: minted.token,
        expiresAt: new Date(minted.expiresAt),
        scopes: FORGE_APP_SCOPES,
      });
    }

    function timedClient(credential: ConfluenceCredential, pacer = createPacer({ clock })): ConfluenceClient {
      return createConfluenceClient({
        baseUrl: timedSite.gatewayUrl,
        allowedApiBase: timed.emulator.url,
        credential,
        retry: { baseDelayMs: 50 },
        timeoutMs: 5_000,
        fetch: clock.fetch,
        clock,
        pacer,
      });
    }

    it('retries a 429 on a PUT after Retry-After', async () => {
      const credential = await timedCredential();
      const writer = timedClient(credential);
      const page = await clock.run(seedPage(writer));
      await timed.dev.setLimits({ burstPerSecond: 1, quotaPointsPerHour: null });
      // A quarter into a fresh second, another process spends its budget just before our PUT.
      await clock.run(clock.sleep(1_000 - (clock.now() % 1_000) + 250));
      await clock.run(getPageById(timedClient(credential), { id: page.id, bodyFormat: 'none' }));
      const since = (await timed.dev.requests()).at(-1)?.seq ?? 0;
      const updated = await clock.run(
        updatePage(writer, {
          id: page.id,
          title: page.title,
          body: { representation: 'atlas_doc_format', value: doc('after a 429') },
          version: { number: page.version.number + 1 },
        }),
      );
      expect(updated.version.number).toBe(page.version.number + 1);
      const puts = (await timed.dev.requests({ since })).filter((entry) => entry.method === 'PUT');
      expect(puts.map((entry) => entry.status)).toEqual([429, 200]);
      // The 429 came 250 ms into its second and said Retry-After: 1; the retry waited all of it.
      expect(Date.parse(puts[1]!.time) - Date.parse(puts[0]!.time)).toBeGreaterThanOrEqual(1_000);
    });

    it('runs 2,000 requests at a 50/s limit within 15% of the 40 s minimum, with under 1% answered 429', async () => {
      const credential = await timedCredential();
      const pacer = createPacer({ clock });
      const client = timedClient(credential, pacer);
      const page = await clock.run(seedPage(client));
      await timed.dev.setLimits({ burstPerSecond: 50, quotaPointsPerHour: null });
      const since = (await timed.dev.requests()).at(-1)?.seq ?? 0;
      const started = clock.now();
      const results = await clock.run(
        Promise.allSettled(
          Array.from({ length: 2000 }, () => getPageById(client, { id: page.id, bodyFormat: 'none' })),
        ),
      );
      const elapsedSeconds = (clock.now() - started) / 1000;
      const log = (await timed.dev.requests({ since })).filter(
        (entry) => entry.cloudId === timedSite.cloudId,
      );
      const throttled = log.filter((entry) => entry.status === 429).length;
      console.info(
        `pacing: 2000 requests in ${elapsedSeconds.toFixed(2)} emulated s (${(2000 / elapsedSeconds).toFixed(1)}/s), ${throttled} answered 429, pace ${pacer.stateOf(pacingTargetFor(credential).key)?.intervalMs.toFixed(2)} ms`,
      );
      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
      expect(throttled).toBeLessThan(20);
      expect(elapsedSeconds).toBeGreaterThanOrEqual(2000 / 50 - 1);
      expect(elapsedSeconds).toBeLessThanOrEqual(46);
    }, 90_000);
  });
});
