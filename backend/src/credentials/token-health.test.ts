import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../confluence/testing/fake-clock';
import { createFakeFetch, jsonResponse, networkFailure } from '../confluence/testing/fake-fetch';
import { checkApiTokenHealth, REQUIRED_API_TOKEN_SCOPES, type TokenHealthInput } from './token-health';

const API_BASE = 'https://api.atlassian.com';
const SITE = 'https://acme.atlassian.net';
const CLOUD_ID = 'a1b2c3d4-0000-4000-8000-00000000c10d';
const EMAIL = 'svc@serviceaccount.atlassian.com';
const NOW = new Date('2026-11-28T10:00:00Z');

/** Scopes the gateway checks per route, as in the v2 spec and the v1 label, restriction and attachment references. */
const ROUTE_SCOPES: Array<[RegExp, string, readonly (readonly string[])[]]> = [
  [/^\/wiki\/api\/v2\/spaces$/, 'GET', [['read:space:confluence']]],
  [/^\/wiki\/api\/v2\/pages$/, 'GET', [['read:page:confluence']]],
  [/^\/wiki\/api\/v2\/pages\/\d+$/, 'PUT', [['write:page:confluence']]],
  [/^\/wiki\/api\/v2\/labels$/, 'GET', [['read:label:confluence']]],
  [
    /^\/wiki\/rest\/api\/content\/\d+\/label$/,
    'POST',
    [['read:label:confluence', 'write:label:confluence'], ['write:confluence-content']],
  ],
  [
    /^\/wiki\/rest\/api\/content\/\d+\/restriction\/byOperation\/read$/,
    'GET',
    [['read:content-details:confluence'], ['read:confluence-content.all']],
  ],
  [
    /^\/wiki\/rest\/api\/content\/\d+\/child\/attachment$/,
    'PUT',
    [['read:content-details:confluence', 'write:attachment:confluence'], ['write:confluence-file']],
  ],
  [/^\/wiki\/rest\/api\/content\/archive$/, 'POST', [['write:confluence-content']]],
];

/** A gateway + site stand-in that answers like production for the cases token health separates. */
function fakeAtlassian(options: {
  tokens: Record<string, { email: string; scopes: string[] }>;
  outage?: 'network' | '503';
}) {
  const clock = createFakeClock(NOW.getTime());
  const fake = createFakeFetch((request) => {
    const { url } = request;
    if (url.origin === SITE && url.pathname === '/_edge/tenant_info')
      return jsonResponse(200, { cloudId: CLOUD_ID });
    if (url.origin === SITE) {
      // A scoped token on the site URL is always refused.
      return jsonResponse(401, { message: 'Unauthorized' });
    }
    const prefix = `/ex/confluence/${CLOUD_ID}`;
    if (url.origin !== new URL(API_BASE).origin || !url.pathname.startsWith(prefix)) {
      return jsonResponse(404, { message: 'Not Found' });
    }
    if (options.outage === 'network') throw networkFailure('ECONNRESET');
    if (options.outage === '503') return jsonResponse(503, {});
    const auth = request.headers.get('authorization') ?? '';
    const decoded = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString('utf8');
    const [email, token] = [decoded.slice(0, decoded.indexOf(':')), decoded.slice(decoded.indexOf(':') + 1)];
    const known = options.tokens[token];
    if (!known || known.email !== email) return jsonResponse(401, { code: 401, message: 'Unauthorized' });
    const path = url.pathname.slice(prefix.length);
    // A removed v1 operation answers 410 Gone whatever the token holds
    // (https://community.developer.atlassian.com/t/deprecating-many-confluence-v1-apis-that-have-v2-equivalents/66883).
    if (request.method === 'GET' && /^\/wiki\/rest\/api\/content\/\d+\/label$/.test(path)) {
      return jsonResponse(410, {
        statusCode: 410,
        message:
          'com.atlassian.confluence.api.service.exceptions.GoneException: This deprecated endpoint has been removed.',
      });
    }
    const route = ROUTE_SCOPES.find(([pattern, method]) => pattern.test(path) && method === request.method);
    if (!route) return jsonResponse(404, {});
    const allowed = route[2].some((set) => set.every((scope) => known.scopes.includes(scope)));
    if (!allowed) {
      return jsonResponse(
        401,
        { code: 401, message: 'Unauthorized; scope does not match' },
        {
          'x-failure-category': 'FAILURE_CLIENT_SCOPE_CHECK',
        },
      );
    }
    if (request.method === 'GET' && path.startsWith('/wiki/api/v2/'))
      return jsonResponse(200, { results: [], _links: {} });
    return jsonResponse(404, {
      errors: [{ status: 404, code: 'NOT_FOUND', title: 'Not found', detail: null }],
    });
  }, clock);
  return { clock, ...fake };
}

function input(token: string, extra: Partial<TokenHealthInput> = {}): TokenHealthInput {
  return { siteUrl: SITE, cloudId: CLOUD_ID, email: EMAIL, token, ...extra };
}

describe('API token health', () => {
  it('reports ok for a token with every scope, having called only the gateway with credentials', async () => {
    const atlassian = fakeAtlassian({
      tokens: { good: { email: EMAIL, scopes: [...REQUIRED_API_TOKEN_SCOPES] } },
    });
    const result = await atlassian.clock.run(
      checkApiTokenHealth(
        { apiBase: API_BASE, fetch: atlassian.fetch, now: () => NOW, clock: atlassian.clock },
        input('good'),
      ),
    );
    expect(result.health.status).toBe('ok');
    expect(result.health.missingScopes).toEqual([]);
    expect(result.health.checkedAt).toBe(NOW.toISOString());
    expect([...result.grantedScopes].sort()).toEqual([...REQUIRED_API_TOKEN_SCOPES].sort());
    for (const request of atlassian.requests) {
      if (request.headers.has('authorization'))
        expect(request.url.href.startsWith(`${API_BASE}/ex/confluence/${CLOUD_ID}/`)).toBe(true);
    }
    expect(
      atlassian.requests
        .filter((request) => request.url.origin === SITE)
        .every((r) => !r.headers.has('authorization')),
    ).toBe(true);
  });

  it('names the scopes a token lacks', async () => {
    const atlassian = fakeAtlassian({
      tokens: {
        partial: {
          email: EMAIL,
          scopes: ['read:page:confluence', 'write:page:confluence', 'read:space:confluence'],
        },
      },
    });
    const result = await atlassian.clock.run(
      checkApiTokenHealth(
        { apiBase: API_BASE, fetch: atlassian.fetch, now: () => NOW, clock: atlassian.clock },
        input('partial'),
      ),
    );
    expect(result.health.status).toBe('missing_scopes');
    expect(result.health.missingScopes).toEqual([
      'read:label:confluence',
      'write:label:confluence',
      'read:content-details:confluence',
      'write:attachment:confluence',
    ]);
    expect(result.grantedScopes).toEqual([
      'read:space:confluence',
      'read:page:confluence',
      'write:page:confluence',
    ]);
    expect(result.health.detail).toMatch(/cannot be edited/);
  });

  it('counts the classic scopes for label writes and uploads (v1 accepts them) but not for label reads, which go through v2', async () => {
    const atlassian = fakeAtlassian({
      tokens: {
        classic: {
          email: EMAIL,
          scopes: [
            'read:page:confluence',
            'write:page:confluence',
            'read:space:confluence',
            'read:confluence-content.summary',
            'write:confluence-content',
            'write:confluence-file',
          ],
        },
      },
    });
    const result = await atlassian.clock.run(
      checkApiTokenHealth(
        { apiBase: API_BASE, fetch: atlassian.fetch, now: () => NOW, clock: atlassian.clock },
        input('classic'),
      ),
    );
    expect(result.health.status).toBe('missing_scopes');
    expect(result.health.missingScopes).toEqual(['read:label:confluence', 'read:content-details:confluence']);
    expect(result.grantedScopes).toContain('write:label:confluence');
    expect(result.grantedScopes).toContain('write:attachment:confluence');
  });

  it('calls a rejection of a token that worked before expired or revoked', async () => {
    const atlassian = fakeAtlassian({ tokens: {} });
    const result = await atlassian.clock.run(
      checkApiTokenHealth(
        { apiBase: API_BASE, fetch: atlassian.fetch, now: () => NOW, clock: atlassian.clock },
        input('revoked', { previouslyVerified: true }),
      ),
    );
    expect(result.health.status).toBe('expired_or_revoked');
    expect(result.grantedScopes).toEqual([]);
  });

  it('calls a rejection after the entered expiry date an expiry, whatever the history', async () => {
    const atlassian = fakeAtlassian({ tokens: {} });
    const result = await atlassian.clock.run(
      checkApiTokenHealth(
        { apiBase: API_BASE, fetch: atlassian.fetch, now: () => NOW, clock: atlassian.clock },
        input('old', { previouslyVerified: false, expiresOn: '2026-11-27' }),
      ),
    );
    expect(result.health.status).toBe('expired_or_revoked');
    expect(result.health.detail).toMatch(/2026-11-27/);
  });

  it('calls a rejection of a new email and token pair a wrong email', async () => {
    const atlassian = fakeAtlassian({
      tokens: { good: { email: EMAIL, scopes: [...REQUIRED_API_TOKEN_SCOPES] } },
    });
    const result = await atlassian.clock.run(
      checkApiTokenHealth(
        { apiBase: API_BASE, fetch: atlassian.fetch, now: () => NOW, clock: atlassian.clock },
        input('good', { email: 'admin@acme.com', previouslyVerified: false }),
      ),
    );
    expect(result.health.status).toBe('wrong_email');
    expect(result.health.detail).toMatch(/serviceaccount/);
  });

  it('never sends the token to a site: an API base that is a site URL is a wrong base URL', async () => {
    const atlassian = fakeAtlassian({
      tokens: { good: { email: EMAIL, scopes: [...REQUIRED_API_TOKEN_SCOPES] } },
    });
    const result = await atlassian.clock.run(
      checkApiTokenHealth(
        { apiBase: SITE, fetch: atlassian.fetch, now: () => NOW, clock: atlassian.clock },
        input('good'),
      ),
    );
    expect(result.health.status).toBe('wrong_base_url');
    expect(result.health.detail).toMatch(/gateway/);
    expect(atlassian.requests.some((request) => request.headers.has('authorization'))).toBe(false);
  });

  it('calls a site URL that is not a Confluence site, or belongs to another site, a wrong base URL', async () => {
    const atlassian = fakeAtlassian({
      tokens: { good: { email: EMAIL, scopes: [...REQUIRED_API_TOKEN_SCOPES] } },
    });
    const deps = { apiBase: API_BASE, fetch: atlassian.fetch, now: () => NOW, clock: atlassian.clock };
    const notASite = await atlassian.clock.run(
      checkApiTokenHealth(deps, input('good', { siteUrl: 'https://api.atlassian.com/wiki' })),
    );
    expect(notASite.health.status).toBe('wrong_base_url');
    const otherSite = await atlassian.clock.run(
      checkApiTokenHealth(deps, input('good', { cloudId: 'ffffffff-0000-4000-8000-000000000000' })),
    );
    expect(otherSite.health.status).toBe('wrong_base_url');
    expect(otherSite.health.detail).toMatch(/another Confluence site/);
  });

  it('reports unreachable when the gateway does not answer or keeps failing, without guessing', async () => {
    for (const outage of ['network', '503'] as const) {
      const atlassian = fakeAtlassian({ tokens: {}, outage });
      const result = await atlassian.clock.run(
        checkApiTokenHealth(
          { apiBase: API_BASE, fetch: atlassian.fetch, now: () => NOW, clock: atlassian.clock },
          input('x'),
        ),
      );
      expect(result.health.status).toBe('unreachable');
    }
  });
});
