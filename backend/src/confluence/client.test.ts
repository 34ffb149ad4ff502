import { describe, expect, it } from 'vitest';
import { addLabelsToPage, listPageLabels } from './api/labels';
import { createPage, getPageById, listPages, readAdfBody, updatePage } from './api/pages';
import {
  assertGatewayBaseUrl,
  type ConfluenceAttemptEvent,
  type ConfluenceClient,
  createConfluenceClient,
  createConfluenceClientFactory,
  gatewayBaseUrl,
  resolveGatewayUrl,
} from './client';
import { type ConfluenceCredential, createApiTokenCredential, createAppTokenCredential } from './credential';
import {
  AuthError,
  ConflictError,
  isAuthError,
  isBadRequestError,
  isConflictError,
  isConfluenceConfigError,
  isForbiddenError,
  isNetworkError,
  isNotFoundError,
  isRateLimitError,
  isResponseSchemaError,
  isScopeError,
  isServerError,
  type NetworkError,
  type RateLimitError,
  type ScopeError,
  type ServerError,
} from './errors';
import { pacingTargetFor } from './pacer';
import { createFakeClient } from './testing/fake-client';
import { createFakeClock, type FakeClock } from './testing/fake-clock';
import { createFakeFetch, type FakeHandler, jsonResponse, networkFailure } from './testing/fake-fetch';

const API_BASE = 'https://api.atlassian.com';
const CLOUD_ID = '0b3c6a52-6f4e-4e0d-9c1e-6f2d1f0e9a11';
const BASE = `${API_BASE}/ex/confluence/${CLOUD_ID}`;

const appCredential = createAppTokenCredential({
  installationId: 'inst-1',
  token: 'app-secret-token',
  expiresAt: new Date('2026-11-28T12:00:00Z'),
  scopes: ['read:page:confluence', 'write:page:confluence', 'read:space:confluence'],
});
const apiCredential = createApiTokenCredential({
  installationId: 'inst-1',
  spaceKey: 'ENG',
  email: 'svc@serviceaccount.atlassian.com',
  token: 'ATATT3xFfGF0-secret',
  scopes: ['read:page:confluence', 'write:page:confluence'],
});

function page(id: string, version: number, extra: Record<string, unknown> = {}) {
  return {
    id,
    status: 'current',
    title: `Page ${id}`,
    spaceId: '98',
    version: { number: version },
    ...extra,
  };
}

/** PUT of page 7 with an empty ADF document as `version`: the write most error tests send. */
function writeEmptyPage(client: ConfluenceClient, version: number) {
  return updatePage(client, {
    id: '7',
    title: 'T',
    body: { representation: 'atlas_doc_format', value: { version: 1, type: 'doc', content: [] } },
    version: { number: version },
  });
}

/** A POST creating a page: a write that is never replayed. */
function createNewPage(client: ConfluenceClient) {
  return createPage(client, {
    spaceId: '98',
    title: 'New',
    body: { representation: 'storage', value: '<p/>' },
  });
}

function setup(
  handler: FakeHandler,
  credential: ConfluenceCredential = appCredential,
  options: {
    clock?: FakeClock;
    random?: () => number;
    onAttempt?: (event: ConfluenceAttemptEvent) => void;
  } = {},
) {
  const clock = options.clock ?? createFakeClock();
  const { client, requests } = createFakeClient({
    handler,
    clock,
    baseUrl: BASE,
    credential,
    random: options.random,
    timeoutMs: 5_000,
    onAttempt: options.onAttempt,
  });
  return { clock, client, requests };
}

describe('the Confluence client', () => {
  it('sends the app token as Bearer and an API token as Basic email:token, to the gateway only', async () => {
    const app = setup(() => jsonResponse(200, page('42', 3)));
    await app.clock.run(getPageById(app.client, { id: '42', bodyFormat: 'atlas_doc_format' }));
    expect(app.requests[0]?.url.href).toBe(`${BASE}/wiki/api/v2/pages/42?body-format=atlas_doc_format`);
    expect(app.requests[0]?.headers.get('authorization')).toBe('Bearer app-secret-token');

    const api = setup(() => jsonResponse(200, page('42', 3)), apiCredential);
    await api.clock.run(getPageById(api.client, { id: '42', bodyFormat: 'none' }));
    const expected = Buffer.from('svc@serviceaccount.atlassian.com:ATATT3xFfGF0-secret').toString('base64');
    expect(api.requests[0]?.headers.get('authorization')).toBe(`Basic ${expected}`);
    expect(api.requests[0]?.url.search).toBe('');
  });

  it('refuses a site URL, another origin or a malformed cloud id as its base', () => {
    const attempt = (baseUrl: string) => () =>
      createConfluenceClient({ baseUrl, allowedApiBase: API_BASE, credential: appCredential });
    expect(attempt('https://acme.atlassian.net/wiki')).toThrow(/gateway|only calls Confluence through/);
    expect(attempt(`https://evil.example.com/ex/confluence/${CLOUD_ID}`)).toThrow(/not allowed/);
    expect(attempt(`${API_BASE}/ex/confluence/..%2F..%2Fadmin`)).toThrow(/not a Confluence gateway URL/);
    expect(attempt(`${API_BASE}/ex/jira/${CLOUD_ID}`)).toThrow(/not a Confluence gateway URL/);
    // The devkit serves sites under the gateway's own origin: a site path there is refused too.
    expect(() => assertGatewayBaseUrl('http://127.0.0.1:9000/site/acme', 'http://127.0.0.1:9000')).toThrow();
    expect(assertGatewayBaseUrl(`${BASE}/`, API_BASE)).toEqual({ baseUrl: BASE, cloudId: CLOUD_ID });
    expect(gatewayBaseUrl('http://127.0.0.1:9000/', 'abc-123')).toBe(
      'http://127.0.0.1:9000/ex/confluence/abc-123',
    );
  });

  it('parses the ADF body, which Confluence sends as a JSON string', async () => {
    const doc = {
      version: 1,
      type: 'doc',
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'hi' }] }],
    };
    const { client, clock } = setup(() =>
      jsonResponse(
        200,
        page('7', 2, {
          body: { atlas_doc_format: { representation: 'atlas_doc_format', value: JSON.stringify(doc) } },
        }),
      ),
    );
    const fetched = await clock.run(getPageById(client, { id: '7', bodyFormat: 'atlas_doc_format' }));
    expect(readAdfBody(fetched)).toEqual(doc);
    expect(fetched.version.number).toBe(2);
  });

  it('sends ADF as a string and the next version number when updating a page', async () => {
    const { client, clock, requests } = setup(() => jsonResponse(200, page('7', 6)));
    const doc = { version: 1 as const, type: 'doc' as const, content: [] };
    const updated = await clock.run(
      updatePage(client, {
        id: '7',
        title: 'Deploys',
        body: { representation: 'atlas_doc_format', value: doc },
        version: { number: 6, message: 'Pagewire' },
      }),
    );
    expect(updated.version.number).toBe(6);
    expect(requests[0]?.method).toBe('PUT');
    expect(requests[0]?.body).toEqual({
      id: '7',
      status: 'current',
      title: 'Deploys',
      body: { representation: 'atlas_doc_format', value: JSON.stringify(doc) },
      version: { number: 6, message: 'Pagewire' },
    });
  });

  it('retries a 429 on a PUT after Retry-After, then succeeds', async () => {
    let calls = 0;
    const { client, clock, requests } = setup(() => {
      calls += 1;
      return calls === 1 ? jsonResponse(429, {}, { 'retry-after': '3' }) : jsonResponse(200, page('7', 6));
    });
    const started = clock.now();
    await clock.run(writeEmptyPage(client, 6));
    expect(requests.map((request) => request.method)).toEqual(['PUT', 'PUT']);
    // Retry-After is a minimum: jitter only lengthens the wait.
    expect((requests[1]?.at ?? 0) - started).toBeGreaterThanOrEqual(3_000);
    expect((requests[1]?.at ?? 0) - started).toBeLessThanOrEqual(3_600);
  });

  it('reads Retry-After given as an HTTP date', async () => {
    const clock = createFakeClock();
    let calls = 0;
    const retryAt = new Date(clock.now() + 5_000).toUTCString();
    const { client, requests } = setup(
      () => {
        calls += 1;
        return calls === 1
          ? jsonResponse(429, {}, { 'retry-after': retryAt })
          : jsonResponse(200, page('1', 1));
      },
      appCredential,
      { clock, random: () => 0 },
    );
    const started = clock.now();
    await clock.run(getPageById(client, { id: '1', bodyFormat: 'none' }));
    expect((requests[1]?.at ?? 0) - started).toBeGreaterThanOrEqual(5_000);
  });

  it('waits until X-RateLimit-Reset when a 429 has no Retry-After', async () => {
    const clock = createFakeClock();
    let calls = 0;
    const reset = new Date(clock.now() + 7_000).toISOString();
    const { client, requests } = setup(
      () => {
        calls += 1;
        return calls === 1
          ? jsonResponse(
              429,
              {},
              { 'x-ratelimit-reset': reset, 'x-failure-category': 'FAILURE_CLIENT_RATE_LIMITED' },
            )
          : jsonResponse(200, page('1', 1));
      },
      appCredential,
      { clock, random: () => 0 },
    );
    const started = clock.now();
    await clock.run(getPageById(client, { id: '1', bodyFormat: 'none' }));
    expect((requests[1]?.at ?? 0) - started).toBeGreaterThanOrEqual(7_000);
  });

  it('gives up after four retries of a 429 with a RateLimitError that says when to come back', async () => {
    const { client, clock, requests } = setup(() =>
      jsonResponse(429, {}, { 'retry-after': '2', 'ratelimit-reason': 'confluence-burst-based' }),
    );
    const error = await clock
      .run(getPageById(client, { id: '1', bodyFormat: 'none' }))
      .catch((e: unknown) => e);
    expect(isRateLimitError(error)).toBe(true);
    expect(requests).toHaveLength(5);
    expect((error as RateLimitError).reason).toBe('confluence-burst-based');
    expect((error as RateLimitError).message).toMatch(/rate limiting the Forge app token/);
  });

  it('does not wait out a Retry-After beyond 60 s, even an absurd one, and says how long', async () => {
    const { client, clock, requests } = setup(() =>
      jsonResponse(
        429,
        {},
        { 'retry-after': '9223372036854775807', 'ratelimit-reason': 'confluence-quota-tenant-based' },
      ),
    );
    const error = (await clock
      .run(getPageById(client, { id: '1', bodyFormat: 'none' }))
      .catch((e: unknown) => e)) as RateLimitError;
    expect(isRateLimitError(error)).toBe(true);
    expect(requests).toHaveLength(1);
    expect(error.scope).toBe('quota');
    expect(error.retryAfterMs).toBeGreaterThan(60_000);
  });

  it('does not replay a PUT that failed with 503, and says the write may have landed', async () => {
    const { client, clock, requests } = setup(() =>
      jsonResponse(503, { errors: [] }, { 'retry-after': '1' }),
    );
    const error = (await clock.run(writeEmptyPage(client, 2)).catch((e: unknown) => e)) as ServerError;
    expect(isServerError(error)).toBe(true);
    expect(error.ambiguous).toBe(true);
    expect(error.message).toMatch(/may or may not have been made/);
    expect(requests).toHaveLength(1);
  });

  it('retries a 503 on a GET with backoff, honouring Retry-After', async () => {
    let calls = 0;
    const { client, clock, requests } = setup(() => {
      calls += 1;
      return calls < 3 ? jsonResponse(503, {}, { 'retry-after': '4' }) : jsonResponse(200, page('1', 1));
    });
    const started = clock.now();
    await clock.run(getPageById(client, { id: '1', bodyFormat: 'none' }));
    expect(requests).toHaveLength(3);
    expect((requests[1]?.at ?? 0) - started).toBeGreaterThanOrEqual(4_000);
  });

  it('reports every attempt, with its answer and what the retry policy made of it', async () => {
    const events: ConfluenceAttemptEvent[] = [];
    let calls = 0;
    const { client, clock } = setup(
      () => {
        calls += 1;
        if (calls === 1) throw networkFailure('ECONNRESET');
        return calls === 2
          ? jsonResponse(503, {}, { 'retry-after': '1', 'x-ratelimit-remaining': '9' })
          : jsonResponse(200, page('1', 1));
      },
      appCredential,
      { onAttempt: (event) => events.push(event) },
    );
    await clock.run(getPageById(client, { id: '1', bodyFormat: 'none' }));
    expect(
      events.map(({ attempt, status, decision, endpoint, method, credentialKind }) => ({
        attempt,
        status,
        retried: decision?.retry ?? null,
        endpoint,
        method,
        credentialKind,
      })),
    ).toEqual([
      {
        attempt: 1,
        status: null,
        retried: true,
        endpoint: 'page.read',
        method: 'GET',
        credentialKind: 'app-token',
      },
      {
        attempt: 2,
        status: 503,
        retried: true,
        endpoint: 'page.read',
        method: 'GET',
        credentialKind: 'app-token',
      },
      {
        attempt: 3,
        status: 200,
        retried: null,
        endpoint: 'page.read',
        method: 'GET',
        credentialKind: 'app-token',
      },
    ]);
    expect(events[0]?.rateLimit).toBeNull();
    expect(events[1]?.rateLimit).not.toBeNull();
    expect(events.every((event) => event.path === '/wiki/api/v2/pages/1')).toBe(true);
    expect(events.every((event) => event.pacingKey === pacingTargetFor(appCredential).key)).toBe(true);
  });

  it('retries a GET after a dropped connection but never a POST', async () => {
    let calls = 0;
    const get = setup(() => {
      calls += 1;
      if (calls === 1) throw networkFailure('ECONNRESET');
      return jsonResponse(200, page('1', 1));
    });
    await get.clock.run(getPageById(get.client, { id: '1', bodyFormat: 'none' }));
    expect(get.requests).toHaveLength(2);

    const post = setup(() => {
      throw networkFailure('ECONNRESET');
    });
    const error = (await post.clock.run(createNewPage(post.client)).catch((e: unknown) => e)) as NetworkError;
    expect(isNetworkError(error)).toBe(true);
    expect(error.ambiguous).toBe(true);
    expect(error.transient).toBe(true);
    expect(post.requests).toHaveLength(1);
  });

  it('marks a refused connection on a write as not ambiguous: nothing was sent', async () => {
    const { client, clock } = setup(() => {
      throw networkFailure('ECONNREFUSED');
    });
    const error = (await clock.run(createNewPage(client)).catch((e: unknown) => e)) as NetworkError;
    expect(error.ambiguous).toBe(false);
  });

  it('times out an attempt that never answers, and retries it when it is a read', async () => {
    let calls = 0;
    const { client, clock, requests } = setup(() => {
      calls += 1;
      return calls === 1 ? new Promise<Response>(() => {}) : jsonResponse(200, page('1', 1));
    });
    const started = clock.now();
    await clock.run(getPageById(client, { id: '1', bodyFormat: 'none' }));
    expect(requests).toHaveLength(2);
    expect((requests[1]?.at ?? 0) - started).toBeGreaterThanOrEqual(5_000);
  });

  it('reports a timed-out write as a NetworkError that may have landed', async () => {
    const { client, clock } = setup(() => new Promise<Response>(() => {}));
    const error = (await clock.run(createNewPage(client)).catch((e: unknown) => e)) as NetworkError;
    expect(error.timedOut).toBe(true);
    expect(error.ambiguous).toBe(true);
    expect(error.message).toMatch(/did not answer within 5 s/);
  });

  it('stops at once when the caller aborts', async () => {
    const { client, clock } = setup(() => new Promise<Response>(() => {}));
    const controller = new AbortController();
    const pending = getPageById(client, { id: '1', bodyFormat: 'none', signal: controller.signal });
    controller.abort(new Error('job cancelled'));
    await expect(clock.run(pending)).rejects.toThrow('job cancelled');
  });

  it('names the missing scope and the credential on a 401 "scope does not match"', async () => {
    const { client, clock } = setup(
      () => jsonResponse(401, { code: 401, message: 'Unauthorized; scope does not match' }),
      apiCredential,
    );
    const error = (await clock
      .run(addLabelsToPage(client, { pageId: '7', labels: ['release-notes'] }))
      .catch((e: unknown) => e)) as ScopeError;
    expect(isScopeError(error)).toBe(true);
    expect(isAuthError(error)).toBe(false);
    expect(error.missingScopes).toEqual(['read:label:confluence', 'write:label:confluence']);
    expect(error.credential).toBe('the API token of svc@serviceaccount.atlassian.com for space ENG');
    expect(error.message).toMatch(/adding labels/);
    expect(error.message).toMatch(/create a new token/);
    expect(error.message).not.toContain('ATATT3x');
  });

  it('treats a plain 401 as an expired or revoked credential, never as a scope problem', async () => {
    const { client, clock, requests } = setup(
      () => jsonResponse(401, { code: 401, message: 'Unauthorized' }),
      apiCredential,
    );
    const error = await clock
      .run(getPageById(client, { id: '1', bodyFormat: 'none' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toMatch(/expired or been revoked/);
    expect(requests).toHaveLength(1);
  });

  it('classifies 403, 404, 400 and 413 without retrying', async () => {
    for (const [status, check] of [
      [403, isForbiddenError],
      [404, isNotFoundError],
      [400, isBadRequestError],
      [413, isBadRequestError],
    ] as const) {
      const { client, clock, requests } = setup(() =>
        jsonResponse(status, { errors: [{ status, code: 'X', title: 'nope', detail: null }] }),
      );
      const error = await clock
        .run(getPageById(client, { id: '1', bodyFormat: 'none' }))
        .catch((e: unknown) => e);
      expect(check(error)).toBe(true);
      expect(requests).toHaveLength(1);
    }
  });

  it('reads the current version out of a 409 body', async () => {
    const { client, clock } = setup(() =>
      jsonResponse(409, {
        errors: [
          {
            status: 409,
            code: 'CONFLICT',
            title:
              'Version must be incremented when updating a page. Current Version: [6]. Provided version: [5]',
            detail: null,
          },
        ],
      }),
    );
    const error = (await clock.run(writeEmptyPage(client, 5)).catch((e: unknown) => e)) as ConflictError;
    expect(isConflictError(error)).toBe(true);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.currentVersion).toBe(6);
    expect(error.status).toBe(409);
    expect(error.headers?.get('content-type')).toBe('application/json');
    expect(error.problemCode).toBe('confluence_conflict');
  });

  it('fails clearly when a success body does not match the expected shape', async () => {
    const { client, clock } = setup(() => jsonResponse(200, { id: '1', title: 'no version' }));
    const error = await clock
      .run(getPageById(client, { id: '1', bodyFormat: 'none' }))
      .catch((e: unknown) => e);
    expect(isResponseSchemaError(error)).toBe(true);
    expect((error as Error).message).toMatch(/not in the shape Pagewire expects/);
  });

  it('follows the whole next link, from the Link header or _links.next, under the gateway and never _links.base', async () => {
    const { client, clock, requests } = setup((request) => {
      const cursor = request.url.searchParams.get('cursor');
      if (cursor === null) {
        return jsonResponse(
          200,
          {
            results: [page('1', 1)],
            _links: { base: 'https://acme.atlassian.net/wiki', next: '/wiki/api/v2/pages?cursor=ignored' },
          },
          {
            link: '</wiki/api/v2/pages?space-id=98&limit=250&cursor=abc%3D%3D>; rel="next", <https://acme.atlassian.net/wiki>; rel="base"',
          },
        );
      }
      if (cursor === 'abc==') {
        return jsonResponse(200, {
          results: [page('2', 1)],
          _links: {
            base: 'https://acme.atlassian.net/wiki',
            next: '/wiki/api/v2/pages?space-id=98&limit=250&cursor=def',
          },
        });
      }
      return jsonResponse(200, {
        results: [page('3', 1)],
        _links: { base: 'https://acme.atlassian.net/wiki' },
      });
    });
    const ids: string[] = [];
    await clock.run(
      (async () => {
        for await (const item of listPages(client, { spaceId: '98' })) ids.push(item.id);
      })(),
    );
    expect(ids).toEqual(['1', '2', '3']);
    expect(requests.map((request) => request.url.href)).toEqual([
      `${BASE}/wiki/api/v2/pages?space-id=98&limit=250`,
      `${BASE}/wiki/api/v2/pages?space-id=98&limit=250&cursor=abc%3D%3D`,
      `${BASE}/wiki/api/v2/pages?space-id=98&limit=250&cursor=def`,
    ]);
  });

  it('refuses paths that resolve outside the gateway, however they are spelled', () => {
    expect(() => resolveGatewayUrl(BASE, '/wiki/%2e%2e/%2e%2e/site/acme/wiki/rest/api/space')).toThrow(
      /outside the gateway/,
    );
    expect(() => resolveGatewayUrl(BASE, '/wiki/../../../x')).toThrow(/outside the gateway/);
    expect(() => resolveGatewayUrl(BASE, '/rest/api/space')).toThrow(/not a Confluence REST path/);
    expect(resolveGatewayUrl(BASE, '/wiki/api/v2/pages?cursor=a%3D').href).toBe(
      `${BASE}/wiki/api/v2/pages?cursor=a%3D`,
    );
  });

  it('refuses a next link that leaves the gateway', async () => {
    const { client, clock } = setup(() =>
      jsonResponse(200, {
        results: [],
        _links: { next: 'https://acme.atlassian.net/wiki/api/v2/pages?cursor=x' },
      }),
    );
    const error = await clock
      .run(
        (async () => {
          for await (const _ of listPages(client, { spaceId: '98' })) {
            // draining
          }
        })(),
      )
      .catch((e: unknown) => e);
    expect(isConfluenceConfigError(error)).toBe(true);
  });

  it('adds labels through v1 with the XSRF opt-out header and lists them through v2 cursor pages', async () => {
    const { client, clock, requests } = setup((request) => {
      if (request.method === 'POST')
        return jsonResponse(200, { results: [{ prefix: 'global', name: 'ops', id: '5' }] });
      expect(request.url.pathname).toBe(`/ex/confluence/${CLOUD_ID}/wiki/api/v2/pages/7/labels`);
      const second = request.url.searchParams.get('cursor') === 'two';
      const results = second
        ? [{ prefix: 'global', name: 'last', id: '999' }]
        : Array.from({ length: 200 }, (_, i) => ({ prefix: 'global', name: `l${i}`, id: String(i) }));
      return jsonResponse(200, {
        results,
        _links: second ? {} : { next: '/wiki/api/v2/pages/7/labels?cursor=two' },
      });
    }, apiCredential);
    await clock.run(addLabelsToPage(client, { pageId: '7', labels: ['ops'] }));
    expect(requests[0]?.url.pathname).toBe(`/ex/confluence/${CLOUD_ID}/wiki/rest/api/content/7/label`);
    expect(requests[0]?.headers.get('x-atlassian-token')).toBe('no-check');
    expect(requests[0]?.body).toEqual([{ prefix: 'global', name: 'ops' }]);
    const names: string[] = [];
    await clock.run(
      (async () => {
        for await (const label of listPageLabels(client, { pageId: '7' })) names.push(label.name);
      })(),
    );
    expect(names).toHaveLength(201);
    expect(names.at(-1)).toBe('last');
  });

  it('never puts the secret into an error or a serialised credential', async () => {
    const { client, clock } = setup(() => jsonResponse(401, { message: 'Unauthorized' }), apiCredential);
    const error = await clock
      .run(getPageById(client, { id: '1', bodyFormat: 'none' }))
      .catch((e: unknown) => e);
    const serialised = JSON.stringify({
      error,
      message: (error as Error).message,
      credential: apiCredential,
    });
    expect(serialised).not.toContain('ATATT3xFfGF0-secret');
    expect(apiCredential.token).toBe('ATATT3xFfGF0-secret');
  });

  it('hands out clients from one factory that pace as one', async () => {
    const clock = createFakeClock();
    const fake = createFakeFetch(
      () => jsonResponse(200, page('1', 1), { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '9' }),
      clock,
    );
    const factory = createConfluenceClientFactory({ allowedApiBase: API_BASE, fetch: fake.fetch, clock });
    const first = factory.clientFor(BASE, appCredential);
    const second = factory.clientFor(BASE, appCredential);
    await clock.run(
      Promise.all([
        getPageById(first, { id: '1', bodyFormat: 'none' }),
        getPageById(second, { id: '1', bodyFormat: 'none' }),
        getPageById(first, { id: '1', bodyFormat: 'none' }),
      ]),
    );
    const starts = fake.requests.map((request) => request.at);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(100);
    expect(factory.pacer.stateOf(pacingTargetFor(appCredential).key)?.burstLimitPerSecond).toBe(10);
  });
});
