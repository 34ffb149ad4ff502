import { ALL_CONFLUENCE_SCOPES, type SeededSite } from '@pagewire/devkit';
import { declareEmulator } from '@pagewire/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkApiTokenHealth, REQUIRED_API_TOKEN_SCOPES, type TokenHealthInput } from './token-health';

/** Token health against the devkit, which answers like Atlassian's gateway and sites. */

const env = declareEmulator();
let site: SeededSite;

beforeEach(async () => {
  await env.dev.clearFaults();
  site = await env.dev.seedSite({ spaceKey: 'ENG' });
});

function check(input: Partial<TokenHealthInput> & { token: string }, apiBase = env.emulator.url) {
  return checkApiTokenHealth(
    { apiBase, timeoutMs: 3_000 },
    { siteUrl: site.siteUrl, cloudId: site.cloudId, email: site.admin.email, ...input },
  );
}

describe('API token health against the devkit', () => {
  it('is ok for a scoped token with every scope Pagewire needs', async () => {
    const result = await check({ token: site.scopedToken });
    expect(result.health.status).toBe('ok');
    expect([...result.grantedScopes].sort()).toEqual([...REQUIRED_API_TOKEN_SCOPES].sort());
    // Only the gateway ever saw the token; the site was asked for its cloud id anonymously.
    const log = await env.dev.requests({ cloudId: site.cloudId });
    expect(log.length).toBeGreaterThan(0);
    for (const entry of log) {
      if (entry.path.startsWith('/site/')) expect(entry.credential).toBe('anonymous');
      else expect(entry.credential).toBe('api-token-scoped');
    }
  });

  it('lists the missing scopes of a token created without label scopes', async () => {
    const { token } = await env.dev.createApiToken({
      email: site.admin.email,
      scopes: ALL_CONFLUENCE_SCOPES.filter((scope) => !scope.includes(':label:')),
    });
    const result = await check({ token });
    expect(result.health.status).toBe('missing_scopes');
    expect(result.health.missingScopes).toEqual(['read:label:confluence', 'write:label:confluence']);
    expect(result.grantedScopes).toEqual([
      'read:space:confluence',
      'read:page:confluence',
      'write:page:confluence',
      'read:content-details:confluence',
      'write:attachment:confluence',
    ]);
  });

  it('finds a missing write scope without writing anything', async () => {
    const { token } = await env.dev.createApiToken({
      email: site.admin.email,
      scopes: [
        'read:page:confluence',
        'read:space:confluence',
        'read:label:confluence',
        'write:label:confluence',
        'read:content-details:confluence',
      ],
    });
    const before = await env.dev.pages(site.cloudId);
    const result = await check({ token });
    // Neither the page update nor the attachment upload probe wrote anything.
    expect(result.health.missingScopes).toEqual(['write:page:confluence', 'write:attachment:confluence']);
    expect(await env.dev.pages(site.cloudId)).toEqual(before);
  });

  it('calls a revoked token that worked before expired or revoked', async () => {
    await env.dev.revokeApiToken(site.scopedToken);
    const result = await check({ token: site.scopedToken, previouslyVerified: true });
    expect(result.health.status).toBe('expired_or_revoked');
  });

  it('calls a token past its expiry date expired', async () => {
    const { token } = await env.dev.createApiToken({
      email: site.admin.email,
      scopes: [...ALL_CONFLUENCE_SCOPES],
      expiresAt: '2026-01-01',
    });
    const result = await check({ token, expiresOn: '2026-01-01' });
    expect(result.health.status).toBe('expired_or_revoked');
  });

  it('calls a new token entered with the wrong email a wrong email', async () => {
    const result = await check({
      token: site.scopedToken,
      email: site.member.email,
      previouslyVerified: false,
    });
    expect(result.health.status).toBe('wrong_email');
  });

  it('calls a scoped token aimed at the site URL a wrong base URL, and never sends it there', async () => {
    const result = await check({ token: site.scopedToken }, site.siteUrl);
    expect(result.health.status).toBe('wrong_base_url');
    const log = await env.dev.requests({ cloudId: site.cloudId });
    expect(log.length).toBeGreaterThan(0);
    expect(log.every((entry) => entry.credential === 'anonymous')).toBe(true);
  });

  it('calls a site URL of another site a wrong base URL', async () => {
    const other = await env.dev.seedSite();
    const result = await check({ token: site.scopedToken, siteUrl: other.siteUrl });
    expect(result.health.status).toBe('wrong_base_url');
  });

  it('calls a gateway that drops every connection unreachable', async () => {
    await env.dev.setFaults({ rules: [{ path: '/ex/confluence/**', dropRate: 1 }] });
    const result = await check({ token: site.scopedToken });
    expect(result.health.status).toBe('unreachable');
  });
});
