import { describe, expect, it } from 'vitest';
import { basicAuthorization } from '../../src/client/dev-api-client';
import { bearer, call, createPage, declareEmulator, scopedAuth } from '../support/emulator-fixture';

/**
 * Space permissions and the permitted-operations endpoint the Forge app uses
 * for its server-side space-admin check (docs/platform-notes.md#resolver-context-and-payload-trust;
 * `getSpaceOperations`, scope `read:space:confluence`, 404 "if the calling
 * user does not have permission to view the space").
 */
describe('space permissions', () => {
  const env = declareEmulator();

  async function tokenFor(email: string, scopes: string[]) {
    const { token } = await env.dev.createApiToken({ email, scopes });
    return basicAuthorization(email, token);
  }

  it('gives a space admin {operation: administer, targetType: space} among the permitted operations', async () => {
    const site = await env.dev.seedSite();
    const response = await call(`${site.gatewayUrl}/wiki/api/v2/spaces/${site.space.id}/operations`, {
      authorization: scopedAuth(site),
    });
    expect(response.status).toBe(200);
    expect(response.json.operations).toContainEqual({ operation: 'administer', targetType: 'space' });
  });

  it('lets a member read and create but not administer', async () => {
    const site = await env.dev.seedSite();
    const auth = await tokenFor(site.member.email, ['read:space:confluence', 'write:page:confluence']);
    const operations = await call(`${site.gatewayUrl}/wiki/api/v2/spaces/${site.space.id}/operations`, {
      authorization: auth,
    });
    expect(operations.json.operations).toContainEqual({ operation: 'create', targetType: 'page' });
    expect(operations.json.operations).not.toContainEqual({ operation: 'administer', targetType: 'space' });
    expect((await createPage(site, { title: 'By member', authorization: auth })).status).toBe(200);
  });

  it('hides a space and its pages from a user without permission behind 404 (docs/platform-notes.md#telling-confluence-401s-apart)', async () => {
    const site = await env.dev.seedSite();
    const page = await createPage(site, { title: 'Secret' });
    const auth = await tokenFor(site.outsider.email, ['read:space:confluence', 'read:page:confluence']);
    const base = `${site.gatewayUrl}/wiki/api/v2`;
    expect((await call(`${base}/spaces/${site.space.id}`, { authorization: auth })).status).toBe(404);
    expect((await call(`${base}/spaces/${site.space.id}/operations`, { authorization: auth })).status).toBe(
      404,
    );
    expect((await call(`${base}/pages/${page.json.id}`, { authorization: auth })).status).toBe(404);
    const list = await call(`${base}/spaces`, { authorization: auth });
    expect(list.json.results).toEqual([]);
    const pages = await call(`${base}/pages`, { authorization: auth });
    expect(pages.json.results).toEqual([]);
  });

  it('answers the permitted operations as the user behind an app user token, and never administer for the system token', async () => {
    const site = await env.dev.seedSite();
    const asAdmin = await env.dev.mintAppToken({
      installationId: site.installationId,
      accountId: site.admin.accountId,
    });
    const asMember = await env.dev.mintAppToken({
      installationId: site.installationId,
      accountId: site.member.accountId,
    });
    const asApp = await env.dev.mintAppToken({ installationId: site.installationId });
    const url = `${site.gatewayUrl}/wiki/api/v2/spaces/${site.space.id}/operations`;
    const administers = async (token: string) =>
      (await call(url, { authorization: bearer(token) })).json.operations.some(
        (entry: { operation: string; targetType: string }) =>
          entry.operation === 'administer' && entry.targetType === 'space',
      );
    expect(await administers(asAdmin.token)).toBe(true);
    expect(await administers(asMember.token)).toBe(false);
    expect(await administers(asApp.token)).toBe(false);
  });

  it('finds a space by key with keys= and by id (getSpaces, getSpaceById)', async () => {
    const site = await env.dev.seedSite();
    const byKey = await call(`${site.gatewayUrl}/wiki/api/v2/spaces?keys=DOCS,NOPE`, {
      authorization: scopedAuth(site),
    });
    expect(byKey.json.results).toHaveLength(1);
    expect(byKey.json.results[0]).toMatchObject({
      id: site.space.id,
      key: 'DOCS',
      homepageId: site.space.homepageId,
    });
    const byId = await call(`${site.gatewayUrl}/wiki/api/v2/spaces/${site.space.id}`, {
      authorization: scopedAuth(site),
    });
    expect(byId.json).toMatchObject({ key: 'DOCS', _links: { base: `${site.siteUrl}/wiki` } });
  });

  it('keeps sites apart: one site’s token sees nothing of another site', async () => {
    const first = await env.dev.seedSite();
    const second = await env.dev.seedSite();
    const page = await createPage(first, { title: 'Tenant A' });
    // The admin of the second site is a different account with no access to the first.
    const response = await call(`${first.gatewayUrl}/wiki/api/v2/pages/${page.json.id}`, {
      authorization: scopedAuth(second),
    });
    expect(response.status).toBe(401);
  });
});
