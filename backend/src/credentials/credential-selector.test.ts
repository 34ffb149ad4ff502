import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { confluenceEndpoints, scopesCover } from '../confluence/endpoint-scopes';
import {
  isNoCredentialError,
  isScopeError,
  type NoCredentialError,
  type ScopeError,
} from '../confluence/errors';
import { type CredentialSources, createCredentialSelector, FORGE_APP_SCOPES } from './credential-selector';

const NOW = new Date('2026-11-28T10:00:00Z');
const LABEL_SCOPES = ['read:label:confluence', 'write:label:confluence'];
const FULL_API_SCOPES = [
  'read:page:confluence',
  'write:page:confluence',
  'read:space:confluence',
  ...LABEL_SCOPES,
];

function sources(options: {
  app?: { token: string; expiresAt: Date } | null;
  api?: { email: string; token: string; grantedScopes: readonly string[] } | null;
}) {
  const used: Array<{ installationId: string; spaceKey: string; at: Date }> = [];
  const asked: string[] = [];
  const value: CredentialSources = {
    async appToken(installationId) {
      asked.push(`app:${installationId}`);
      return options.app ?? null;
    },
    async apiToken(installationId, spaceKey) {
      asked.push(`api:${installationId}:${spaceKey}`);
      return options.api ?? null;
    },
    async markApiTokenUsed(installationId, spaceKey, at) {
      used.push({ installationId, spaceKey, at });
    },
  };
  return { value, used, asked };
}

const validApp = { token: 'app-token', expiresAt: new Date(NOW.getTime() + 60 * 60 * 1000) };
const apiToken = {
  email: 'svc@serviceaccount.atlassian.com',
  token: 'ATATT3x-secret',
  grantedScopes: FULL_API_SCOPES,
};

describe('the credential selector', () => {
  it('keeps its list of app scopes equal to the manifest', async () => {
    const manifest = parse(
      await readFile(fileURLToPath(new URL('../../../manifest.yml', import.meta.url)), 'utf8'),
    );
    expect([...FORGE_APP_SCOPES].sort()).toEqual([...manifest.permissions.scopes].sort());
  });

  it('uses the app token for everything the manifest covers, even when an API token exists', async () => {
    const s = sources({ app: validApp, api: apiToken });
    const selector = createCredentialSelector({ sources: s.value, mode: 'in-house', now: () => NOW });
    for (const endpoint of confluenceEndpoints.filter((op) => scopesCover(FORGE_APP_SCOPES, op))) {
      const credential = await selector.credentialFor({ installationId: 'i1', spaceKey: 'ENG', endpoint });
      expect(credential.kind).toBe('app-token');
    }
    expect(s.used).toEqual([]);
  });

  it('sends label writes to the space API token, because the manifest requests no label scope', async () => {
    const s = sources({ app: validApp, api: apiToken });
    const selector = createCredentialSelector({ sources: s.value, mode: 'in-house', now: () => NOW });
    const credential = await selector.credentialFor({
      installationId: 'i1',
      spaceKey: 'ENG',
      endpoint: 'label.write',
    });
    expect(credential.kind).toBe('api-token');
    expect(credential.kind === 'api-token' && credential.email).toBe('svc@serviceaccount.atlassian.com');
    expect(credential.token).toBe('ATATT3x-secret');
    expect(s.used).toEqual([{ installationId: 'i1', spaceKey: 'ENG', at: NOW }]);
  });

  it('falls back to the API token when the app token has expired and the API token covers the call', async () => {
    const s = sources({ app: null, api: apiToken });
    const selector = createCredentialSelector({ sources: s.value, mode: 'in-house', now: () => NOW });
    const credential = await selector.credentialFor({
      installationId: 'i1',
      spaceKey: 'ENG',
      endpoint: 'page.update',
    });
    expect(credential.kind).toBe('api-token');
  });

  it('does not trust an app token past its expiry even if a source hands one out', async () => {
    const s = sources({ app: { token: 'old', expiresAt: new Date(NOW.getTime() - 1000) }, api: null });
    const selector = createCredentialSelector({ sources: s.value, mode: 'in-house', now: () => NOW });
    const error = await selector
      .credentialFor({ installationId: 'i1', spaceKey: 'ENG', endpoint: 'page.read' })
      .catch((e: unknown) => e);
    expect(isNoCredentialError(error)).toBe(true);
    expect((error as NoCredentialError).message).toMatch(/no valid Forge app token is cached/);
    expect((error as NoCredentialError).problemCode).toBe('no_credential');
  });

  it('names the missing scope on each credential when none covers the call', async () => {
    const s = sources({
      app: validApp,
      api: { ...apiToken, grantedScopes: ['read:page:confluence', 'write:page:confluence'] },
    });
    const selector = createCredentialSelector({ sources: s.value, mode: 'in-house', now: () => NOW });
    const error = (await selector
      .credentialFor({ installationId: 'i1', spaceKey: 'ENG', endpoint: 'label.write' })
      .catch((e: unknown) => e)) as ScopeError;
    expect(isScopeError(error)).toBe(true);
    expect(error.missingScopes).toEqual(LABEL_SCOPES);
    expect(error.message).toMatch(
      /the Forge app token lacks read:label:confluence and write:label:confluence/,
    );
    expect(error.message).toMatch(
      /the API token of svc@serviceaccount.atlassian.com for space ENG lacks read:label:confluence and write:label:confluence/,
    );
    expect(error.message).not.toContain('ATATT3x-secret');
    expect(s.used).toEqual([]);
  });

  it('says so when the space has no API token configured', async () => {
    const s = sources({ app: validApp, api: null });
    const selector = createCredentialSelector({ sources: s.value, mode: 'in-house', now: () => NOW });
    const error = await selector
      .credentialFor({ installationId: 'i1', spaceKey: 'ENG', endpoint: 'label.write' })
      .catch((e: unknown) => e);
    expect((error as ScopeError).message).toMatch(/no API token is configured for space ENG/);
  });

  it('never consults API tokens in marketplace mode', async () => {
    const s = sources({ app: validApp, api: apiToken });
    const selector = createCredentialSelector({ sources: s.value, mode: 'marketplace', now: () => NOW });
    const error = (await selector
      .credentialFor({ installationId: 'i1', spaceKey: 'ENG', endpoint: 'label.write' })
      .catch((e: unknown) => e)) as ScopeError;
    expect(isScopeError(error)).toBe(true);
    expect(error.message).toMatch(/API tokens are turned off in marketplace deployments/);
    expect(s.asked).not.toContain('api:i1:ENG');

    const noApp = sources({ app: null, api: apiToken });
    const marketplace = createCredentialSelector({
      sources: noApp.value,
      mode: 'marketplace',
      now: () => NOW,
    });
    const unavailable = await marketplace
      .credentialFor({ installationId: 'i1', spaceKey: 'ENG', endpoint: 'page.read' })
      .catch((e: unknown) => e);
    expect(isNoCredentialError(unavailable)).toBe(true);
    expect(noApp.asked).not.toContain('api:i1:ENG');
  });
});
