import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ConfluenceCredential } from '../confluence/credential';
import { createPacer } from '../confluence/pacer';
import { emptyBodySchema } from '../confluence/schemas';
import type { CredentialSources } from '../credentials/credential-selector';
import { createSecretBox } from '../credentials/secret-box';
import type { InstallationRepository } from '../store/installation-repository';
import {
  type ConfluenceClientResolverDeps,
  createConfluenceClientResolver,
} from './confluence-client-resolver';
import { createPublishingConfluence } from './confluence-gateway';

const INSTALLATION = 'ari:cloud:ecosystem::installation/00000000-0000-4000-8000-000000000001';
const API_BASE = 'https://api.atlassian.com';

let uninstalledAt: string | null = null;
let installationReads = 0;
const installations: InstallationRepository = {
  async record() {
    return false;
  },
  async markUninstalled() {
    return null;
  },
  async findUninstalledOnSite() {
    return null;
  },
  async listUninstalledBefore() {
    return [];
  },
  async find() {
    installationReads++;
    return {
      uninstalledAt,
      installationId: INSTALLATION,
      cloudId: 'cloud-a',
      siteUrl: null,
      apiBaseUrl: `${API_BASE}/ex/confluence/cloud-a`,
      environmentType: 'PRODUCTION',
      createdAt: '2026-11-28T10:00:00.000Z',
      updatedAt: '2026-11-28T10:00:00.000Z',
    };
  },
};

/**
 * Credential sources that keep their tokens sealed, as the stores do: every
 * read opens (decrypts) one, and `opened` counts them. The app token can be
 * dropped (`refuseAppToken`), as the app token store does after a 401.
 */
function sealedSources(options: { apiToken?: boolean } = {}) {
  const box = createSecretBox({ current: randomBytes(32) });
  const appBinding = { kind: 'app-token', installationId: INSTALLATION } as const;
  const apiBinding = { kind: 'api-token', installationId: INSTALLATION, spaceKey: 'ENG' } as const;
  let app: ReturnType<typeof box.seal> | null = box.seal('app-token-secret', appBinding);
  const api = box.seal('api-token-secret', apiBinding);
  const opened = { app: 0, api: 0 };
  const sources: CredentialSources = {
    async appToken() {
      if (app === null) return null;
      opened.app++;
      return { token: box.open(app, appBinding), expiresAt: new Date(Date.now() + 3600_000) };
    },
    async apiToken() {
      if (!options.apiToken) return null;
      opened.api++;
      return {
        email: 'bot@example.com',
        token: box.open(api, apiBinding),
        grantedScopes: ['read:page:confluence', 'write:page:confluence'],
      };
    },
    async markApiTokenUsed() {},
    async refuseAppToken() {
      app = null;
    },
  };
  return { sources, opened };
}

function resolverAnswering(
  status: number,
  body: unknown,
  overrides: Partial<ConfluenceClientResolverDeps> = {},
) {
  const refused: ConfluenceCredential[] = [];
  const resolve = createConfluenceClientResolver({
    sources: sealedSources().sources,
    mode: 'in-house',
    appScopes: ['read:page:confluence', 'write:page:confluence'],
    installations,
    allowedApiBase: API_BASE,
    pacer: createPacer(),
    retry: { maxRetries: 0 },
    fetch: async () =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }),
    onCredentialRefused: async (credential) => {
      refused.push(credential);
    },
    ...overrides,
  });
  return { resolve, refused };
}

async function readPage(resolve: ReturnType<typeof resolverAnswering>['resolve']) {
  const client = await resolve
    .forJob()
    .clientFor({ installationId: INSTALLATION, spaceKey: 'ENG' }, 'page.read');
  return client.send({
    endpoint: 'page.read',
    method: 'GET',
    path: '/wiki/api/v2/pages/1',
    schema: emptyBodySchema,
  });
}

describe('the Confluence client resolver', () => {
  it('publishes nothing for an installation that was uninstalled, and says so for good', async () => {
    uninstalledAt = '2026-11-28T10:00:00.000Z';
    try {
      const { resolve } = resolverAnswering(200, {});
      await expect(
        resolve.forJob().clientFor({ installationId: INSTALLATION, spaceKey: 'ENG' }, 'page.read'),
      ).rejects.toMatchObject({ code: 'installation_uninstalled' });
    } finally {
      uninstalledAt = null;
    }
  });

  it('reports the app token Confluence answers a plain 401 to, so it is dropped', async () => {
    const { resolve, refused } = resolverAnswering(401, { code: 401, message: 'Unauthorized' });
    await expect(readPage(resolve)).rejects.toMatchObject({ name: expect.any(String) });
    expect(refused.map((credential) => credential.kind)).toEqual(['app-token']);
  });

  it('keeps the token when the 401 only says a scope is missing', async () => {
    const { resolve, refused } = resolverAnswering(401, {
      code: 401,
      message: 'Unauthorized; scope does not match',
    });
    await expect(readPage(resolve)).rejects.toBeDefined();
    expect(refused).toEqual([]);
  });

  it('reads the installation and opens the token once per job, however many calls the job makes', async () => {
    const { sources, opened } = sealedSources();
    const property = { id: '77', key: 'pagewire.snapshot', value: {}, version: { number: 3 } };
    const { resolve } = resolverAnswering(200, property, {
      sources,
      // Reads list the property by key; the write answers the property itself.
      fetch: async (_url, init) =>
        new Response(JSON.stringify(init?.method === 'GET' ? { results: [property] } : property), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        }),
    });
    const target = { installationId: INSTALLATION, spaceKey: 'ENG' };
    installationReads = 0;

    // A snapshot refresh: read the property, then write its next version.
    const job = createPublishingConfluence(resolve.forJob());
    const existing = await job.getProperty(target, '1', 'pagewire.snapshot');
    await job.putProperty(target, '1', 'pagewire.snapshot', { v: 1 }, existing);
    await job.getProperty(target, '1', 'pagewire.snapshot');
    expect({ installationReads, opened: opened.app }).toEqual({ installationReads: 1, opened: 1 });

    // The next job reads afresh: a token rotated or refused in between is seen.
    await createPublishingConfluence(resolve.forJob()).getProperty(target, '1', 'pagewire.snapshot');
    expect({ installationReads, opened: opened.app }).toEqual({ installationReads: 2, opened: 2 });
  });

  it('falls back within the job when Confluence refuses the app token mid-job', async () => {
    const { sources, opened } = sealedSources({ apiToken: true });
    const sent: string[] = [];
    const { resolve, refused } = resolverAnswering(
      200,
      {},
      {
        sources,
        onCredentialRefused: async (credential) => {
          refused.push(credential);
          if (credential.kind === 'app-token') await sources.refuseAppToken?.(INSTALLATION, credential.token);
        },
        fetch: async (_url, init) => {
          const authorization = new Headers(init?.headers).get('authorization') ?? '';
          sent.push(authorization.split(' ')[0]!);
          const status = authorization.startsWith('Bearer') ? 401 : 200;
          const answer = status === 401 ? { code: 401, message: 'Unauthorized' } : {};
          return new Response(JSON.stringify(answer), {
            status,
            headers: { 'content-type': 'application/json' },
          });
        },
      },
    );
    const job = resolve.forJob();
    const target = { installationId: INSTALLATION, spaceKey: 'ENG' };
    const read = async () =>
      (await job.clientFor(target, 'page.read')).send({
        endpoint: 'page.read',
        method: 'GET',
        path: '/wiki/api/v2/pages/1',
        schema: emptyBodySchema,
      });

    await expect(read()).rejects.toBeDefined();
    await read();
    expect(sent).toEqual(['Bearer', 'Basic']);
    expect(refused.map((credential) => credential.kind)).toEqual(['app-token']);
    expect(opened).toEqual({ app: 1, api: 1 });
  });
});
