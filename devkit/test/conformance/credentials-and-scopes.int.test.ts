import { describe, expect, it } from 'vitest';
import { basicAuthorization } from '../../src/client/dev-api-client';
import {
  bearer,
  call,
  classicAuth,
  createPage,
  declareEmulator,
  scopedAuth,
} from '../support/emulator-fixture';

/**
 * Credentials and scopes at Atlassian's edge.
 * Sources: docs/platform-notes.md#scoped-api-tokens (scoped tokens use the gateway; "A scoped
 * token sent to the site URL gets 401", Atlassian KB "Scoped API tokens in
 * Confluence Cloud"), docs/platform-notes.md#telling-confluence-401s-apart (the two kinds of 401), and each operation's
 * `x-atlassian-oauth2-scopes` in the v2 OpenAPI spec.
 */
describe('credentials and scopes', () => {
  const env = declareEmulator();

  it('lets a scoped API token read spaces through the gateway', async () => {
    const site = await env.dev.seedSite();
    const response = await call(`${site.gatewayUrl}/wiki/api/v2/spaces?keys=DOCS`, {
      authorization: scopedAuth(site),
    });
    expect(response.status).toBe(200);
    expect(response.json.results.map((space: { key: string }) => space.key)).toEqual(['DOCS']);
  });

  it('refuses a scoped token on the site URL with a plain 401, as production does (KB: scoped tokens use api.atlassian.com)', async () => {
    const site = await env.dev.seedSite();
    const response = await call(`${site.siteUrl}/wiki/api/v2/spaces`, { authorization: scopedAuth(site) });
    expect(response.status).toBe(401);
    expect(response.json).toEqual({ code: 401, message: 'Unauthorized' });
  });

  it('accepts a classic token on the site URL and refuses it at the gateway (KB: classic tokens use site URLs)', async () => {
    const site = await env.dev.seedSite();
    const onSite = await call(`${site.siteUrl}/wiki/api/v2/spaces`, { authorization: classicAuth(site) });
    expect(onSite.status).toBe(200);
    const atGateway = await call(`${site.gatewayUrl}/wiki/api/v2/spaces`, {
      authorization: classicAuth(site),
    });
    expect(atGateway.status).toBe(401);
  });

  it('answers tenant_info with the cloudId and without any authentication (docs/platform-notes.md#cloud-id-lookup)', async () => {
    const site = await env.dev.seedSite();
    const response = await call(`${site.siteUrl}/_edge/tenant_info`);
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ cloudId: site.cloudId });
  });

  it('says "Unauthorized; scope does not match" when the token lacks the operation scope (docs/platform-notes.md#telling-confluence-401s-apart)', async () => {
    const site = await env.dev.seedSite({ tokenScopes: ['read:page:confluence'] });
    const response = await call(`${site.gatewayUrl}/wiki/api/v2/spaces`, { authorization: scopedAuth(site) });
    expect(response.status).toBe(401);
    expect(response.json).toEqual({ code: 401, message: 'Unauthorized; scope does not match' });
    expect(response.headers.get('x-failure-category')).toBe('FAILURE_CLIENT_SCOPE_CHECK');
  });

  it('requires write:page:confluence to create a page, per createPage in the v2 spec', async () => {
    const site = await env.dev.seedSite({ tokenScopes: ['read:page:confluence', 'read:space:confluence'] });
    const response = await createPage(site, { title: 'Nope' });
    expect(response.status).toBe(401);
    expect(response.json.message).toMatch(/scope does not match/);
  });

  it('requires both read and write page scopes to create a content property, per createPageProperty', async () => {
    const site = await env.dev.seedSite();
    const page = await createPage(site, { title: 'Props' });
    const writeOnly = await env.dev.createApiToken({
      email: site.admin.email,
      scopes: ['write:page:confluence'],
    });
    const response = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${page.json.id}/properties`, {
      method: 'POST',
      authorization: basicAuthorization(site.admin.email, writeOnly.token),
      body: { key: 'k', value: 1 },
    });
    expect(response.status).toBe(401);
    expect(response.json.message).toMatch(/scope does not match/);
  });

  it('gives a revoked token a plain 401 without the scope message', async () => {
    const site = await env.dev.seedSite();
    await env.dev.revokeApiToken(site.scopedToken);
    const response = await call(`${site.gatewayUrl}/wiki/api/v2/spaces`, { authorization: scopedAuth(site) });
    expect(response.status).toBe(401);
    expect(response.text).not.toMatch(/scope/);
  });

  it('gives an expired token a plain 401', async () => {
    const site = await env.dev.seedSite();
    const expired = await env.dev.createApiToken({
      email: site.admin.email,
      scopes: ['read:space:confluence'],
      expiresAt: '2020-01-01',
    });
    const response = await call(`${site.gatewayUrl}/wiki/api/v2/spaces`, {
      authorization: basicAuthorization(site.admin.email, expired.token),
    });
    expect(response.status).toBe(401);
    expect(response.json.message).toBe('Unauthorized');
  });

  it('refuses a token sent with another account’s email', async () => {
    const site = await env.dev.seedSite();
    const response = await call(`${site.gatewayUrl}/wiki/api/v2/spaces`, {
      authorization: basicAuthorization(site.member.email, site.scopedToken),
    });
    expect(response.status).toBe(401);
  });

  it('refuses a request without credentials', async () => {
    const site = await env.dev.seedSite();
    expect((await call(`${site.gatewayUrl}/wiki/api/v2/spaces`)).status).toBe(401);
  });

  it('accepts the app system token as a Bearer token at the gateway and checks the installation scopes', async () => {
    const site = await env.dev.seedSite();
    const { token } = await env.dev.mintAppToken({ installationId: site.installationId });
    const spaces = await call(`${site.gatewayUrl}/wiki/api/v2/spaces`, { authorization: bearer(token) });
    expect(spaces.status).toBe(200);
    // Pagewire's manifest has no delete:page:confluence.
    const page = await createPage(site, { title: 'Keep me', authorization: bearer(token) });
    expect(page.status).toBe(200);
    const deletion = await call(`${site.gatewayUrl}/wiki/api/v2/pages/${page.json.id}`, {
      method: 'DELETE',
      authorization: bearer(token),
    });
    expect(deletion.status).toBe(401);
    expect(deletion.json.message).toMatch(/scope does not match/);
  });

  it('records the app’s bot account as the author of what the system token writes', async () => {
    const site = await env.dev.seedSite();
    const installation = await env.dev.createInstallation({
      cloudId: site.cloudId,
      appId: '11111111-2222-4333-8444-555555555555',
      scopes: ['write:page:confluence', 'read:page:confluence'],
    });
    const { token } = await env.dev.mintAppToken({ installationId: installation.installationId });
    const page = await createPage(site, { title: 'By the app', authorization: bearer(token) });
    expect(page.json.authorId).toBe(installation.appAccountId);
  });

  it('refuses an app token at the site URL and on another site (tokens only work via apiBaseUrl: docs/platform-notes.md#app-system-token-lifetime)', async () => {
    const site = await env.dev.seedSite();
    const other = await env.dev.seedSite();
    const { token } = await env.dev.mintAppToken({ installationId: site.installationId });
    expect((await call(`${site.siteUrl}/wiki/api/v2/spaces`, { authorization: bearer(token) })).status).toBe(
      401,
    );
    expect(
      (await call(`${other.gatewayUrl}/wiki/api/v2/spaces`, { authorization: bearer(token) })).status,
    ).toBe(401);
  });

  it('refuses an expired app token (a cached token used past exp gets 401: docs/platform-notes.md#app-system-token-lifetime)', async () => {
    const site = await env.dev.seedSite();
    const { token, expiresAt } = await env.dev.mintAppToken({
      installationId: site.installationId,
      ttlSeconds: -5,
    });
    expect(new Date(expiresAt).getTime()).toBeLessThan(Date.now());
    expect(
      (await call(`${site.gatewayUrl}/wiki/api/v2/spaces`, { authorization: bearer(token) })).status,
    ).toBe(401);
  });

  it('lets an app token minted with narrower scopes do only what those scopes allow', async () => {
    const site = await env.dev.seedSite();
    const { token } = await env.dev.mintAppToken({
      installationId: site.installationId,
      scopes: ['read:page:confluence'],
    });
    expect(
      (await call(`${site.gatewayUrl}/wiki/api/v2/pages`, { authorization: bearer(token) })).status,
    ).toBe(200);
    expect(
      (await call(`${site.gatewayUrl}/wiki/api/v2/spaces`, { authorization: bearer(token) })).status,
    ).toBe(401);
  });

  it('accepts either the classic or the granular scopes on the v1 label path (v1 "Add labels to content" scopes)', async () => {
    const site = await env.dev.seedSite();
    const page = await createPage(site, { title: 'Labelled' });
    const classicScoped = await env.dev.createApiToken({
      email: site.admin.email,
      scopes: ['write:confluence-content'],
    });
    const granularOnlyWrite = await env.dev.createApiToken({
      email: site.admin.email,
      scopes: ['write:label:confluence'],
    });
    const url = `${site.gatewayUrl}/wiki/rest/api/content/${page.json.id}/label`;
    const viaClassic = await call(url, {
      method: 'POST',
      authorization: basicAuthorization(site.admin.email, classicScoped.token),
      body: [{ prefix: 'global', name: 'runbook' }],
    });
    expect(viaClassic.status).toBe(200);
    // The granular family needs read:label too for this operation.
    const viaIncompleteGranular = await call(url, {
      method: 'POST',
      authorization: basicAuthorization(site.admin.email, granularOnlyWrite.token),
      body: [{ prefix: 'global', name: 'other' }],
    });
    expect(viaIncompleteGranular.status).toBe(401);
  });
});
