import { describe, expect, it } from 'vitest';
import { type ConfluenceCredential, createAppTokenCredential } from '../confluence/credential';
import { createPacer } from '../confluence/pacer';
import { emptyBodySchema } from '../confluence/schemas';
import type { InstallationRepository } from '../store/installation-repository';
import { createConfluenceClientResolver } from './confluence-client-resolver';

const INSTALLATION = 'ari:cloud:ecosystem::installation/00000000-0000-4000-8000-000000000001';
const API_BASE = 'https://api.atlassian.com';

let uninstalledAt: string | null = null;
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

function resolverAnswering(status: number, body: unknown) {
  const refused: ConfluenceCredential[] = [];
  const resolve = createConfluenceClientResolver({
    credentialRouter: {
      async credentialFor() {
        return createAppTokenCredential({
          installationId: INSTALLATION,
          token: 'app-token-secret',
          expiresAt: new Date(Date.now() + 3600_000),
          scopes: ['read:page:confluence'],
        });
      },
    },
    installations,
    allowedApiBase: API_BASE,
    pacer: createPacer(),
    retry: { maxRetries: 0 },
    fetch: async () =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }),
    onCredentialRefused: async (credential) => {
      refused.push(credential);
    },
  });
  return { resolve, refused };
}

async function readPage(resolve: ReturnType<typeof resolverAnswering>['resolve']) {
  const client = await resolve({ installationId: INSTALLATION, spaceKey: 'ENG' }, 'page.read');
  return client.send({
    operation: 'page.read',
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
        resolve({ installationId: INSTALLATION, spaceKey: 'ENG' }, 'page.read'),
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
});
