import { randomBytes } from 'node:crypto';
import { UnsecuredJWT } from 'jose';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../observability/metrics';
import { createRepositories, type Repositories } from '../store/repositories';
import { type TestDatabase, testDatabaseTargets } from '../store/testing/test-databases';
import { createCredentialServices } from '../testing/credential-services';
import { createFakeTokenHealth, type FakeTokenHealth } from '../testing/fake-token-health';
import { rotateMasterKey } from './master-key-rotation';
import { createSecretBox, type SecretBox } from './secret-box';
import { createUndecryptableSecretsCheck } from './undecryptable-secrets';

const A = 'ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-000000000001';
const B = 'ari:cloud:ecosystem::installation/bbbbbbbb-0000-4000-8000-000000000002';
const PLANTED = 'ATATT3xFfGF0-planted-plaintext-token-0123456789';

function appToken(expiresAt: Date, marker = 'x'): string {
  return new UnsecuredJWT({ marker }).setExpirationTime(Math.floor(expiresAt.getTime() / 1000)).encode();
}

describe.each(testDatabaseTargets())('credential storage on $name', (target) => {
  let handle: TestDatabase;
  let repos: Repositories;
  let clock: Date;
  let masterKey: Buffer;
  let box: SecretBox;
  let health: FakeTokenHealth;
  let metrics: Metrics;

  const now = () => clock;
  const later = (ms: number) => new Date(clock.getTime() + ms);
  const DAY = 24 * 60 * 60 * 1000;

  function services(secretBox = box, mode: 'in-house' | 'marketplace' = 'in-house') {
    return createCredentialServices({
      repositories: repos,
      secretBox,
      checkHealth: health.check,
      now,
      mode,
      metrics,
    });
  }

  async function rawRows(): Promise<string> {
    const tables = ['app_tokens', 'api_tokens', 'activity'];
    const dumps: unknown[] = [];
    for (const table of tables) {
      dumps.push((await sql`select * from ${sql.table(table)}`.execute(handle.database.db)).rows);
    }
    return JSON.stringify(dumps);
  }

  const setInput = (token: string, installationId = A, spaceKey = 'ENG') => ({
    installationId,
    spaceKey,
    accountId: 'admin-1',
    siteUrl: 'https://acme.atlassian.net',
    cloudId: 'cloud-a',
    email: 'svc@serviceaccount.atlassian.com',
    token,
    expiresOn: '2027-06-30',
  });

  beforeEach(async () => {
    handle = await target.open();
    repos = createRepositories(handle.database.db);
    clock = new Date('2026-11-28T10:00:00.000Z');
    masterKey = randomBytes(32);
    box = createSecretBox({ current: masterKey });
    health = createFakeTokenHealth(now);
    metrics = createMetrics({ defaultMetrics: false });
    await repos.installations.record(
      {
        installationId: A,
        cloudId: 'cloud-a',
        apiBaseUrl: 'https://api.atlassian.com/ex/confluence/cloud-a',
        environmentType: 'PRODUCTION',
        siteUrl: 'https://acme.atlassian.net',
      },
      clock,
    );
  });
  afterEach(async () => {
    await handle.dispose();
  });

  describe('the app system token', () => {
    it('is stored encrypted: the raw rows never contain it', async () => {
      const { appTokens } = services();
      const token = appToken(later(2 * 60 * 60 * 1000), PLANTED);
      expect(await appTokens.offer(A, token)).toBe('stored');
      const raw = await rawRows();
      expect(raw).not.toContain(token);
      expect(raw).not.toContain(token.split('.')[1]!);
      expect((await appTokens.appToken(A))?.token).toBe(token);
    });

    it('keeps the newest delivered token, even when an older one claimed a later expiry', async () => {
      const { appTokens } = services();
      const claimsLong = appToken(later(3 * 60 * 60 * 1000), 'long');
      const newest = appToken(later(60 * 60 * 1000), 'newest');
      expect(await appTokens.offer(A, claimsLong)).toBe('stored');
      expect(await appTokens.offer(A, newest)).toBe('stored');
      expect((await appTokens.appToken(A))?.token).toBe(newest);
      // The same token again (Forge caches its tokens) writes nothing, on this replica or another.
      expect(await appTokens.offer(A, newest)).toBe('kept_existing');
      expect(await services().appTokens.offer(A, newest)).toBe('kept_existing');
    });

    it('believes a token for at most the documented 4 hours, whatever its exp claims', async () => {
      const { appTokens } = services();
      await appTokens.offer(A, appToken(later(365 * DAY), 'forever'));
      expect((await appTokens.status(A)).expiresAt).toBe(later(4 * 60 * 60 * 1000).toISOString());
      clock = later(4 * 60 * 60 * 1000 - 4 * 60 * 1000);
      expect(await appTokens.appToken(A)).toBeNull();
    });

    it('serves a 1 h token and a 2 h token each until 5 minutes before its own expiry', async () => {
      const { appTokens } = services();
      const start = clock;
      for (const [marker, hours] of [
        ['one-hour', 1],
        ['two-hours', 2],
      ] as const) {
        clock = start;
        const token = appToken(later(hours * 60 * 60 * 1000), marker);
        await appTokens.offer(A, token);
        clock = new Date(start.getTime() + hours * 60 * 60 * 1000 - 6 * 60 * 1000);
        expect((await appTokens.appToken(A))?.token).toBe(token);
        clock = new Date(start.getTime() + hours * 60 * 60 * 1000 - 4 * 60 * 1000);
        expect(await appTokens.appToken(A)).toBeNull();
      }
    });

    it('drops a token Confluence refused, shows it as refused, and does not take it back when delivered again', async () => {
      const { appTokens } = services();
      const dead = appToken(later(2 * 60 * 60 * 1000), 'revoked');
      await appTokens.offer(A, dead);
      await appTokens.refuse(A, dead);
      expect(await appTokens.appToken(A)).toBeNull();
      expect(await appTokens.status(A)).toMatchObject({ status: 'refused' });
      expect(await services().appTokens.offer(A, dead)).toBe('refused');
      expect(await appTokens.appToken(A)).toBeNull();
      // A refusal names a token: one that was already replaced is not affected.
      const fresh = appToken(later(2 * 60 * 60 * 1000), 'fresh');
      expect(await appTokens.offer(A, fresh)).toBe('stored');
      await appTokens.refuse(A, dead);
      expect((await appTokens.appToken(A))?.token).toBe(fresh);
      expect(await appTokens.status(A)).toMatchObject({ status: 'ok' });
    });

    it('is handed out only while it has more than the safety margin left', async () => {
      const { appTokens } = services();
      await appTokens.offer(A, appToken(later(20 * 60 * 1000)));
      expect(await appTokens.appToken(A)).not.toBeNull();
      clock = later(16 * 60 * 1000);
      expect(await appTokens.appToken(A)).toBeNull();
      expect(await appTokens.status(A)).toMatchObject({ status: 'expired' });
      expect(await appTokens.status(B)).toEqual({ status: 'missing', expiresAt: null });
    });

    it('ignores a token whose expiry cannot be read, or that has already expired', async () => {
      const { appTokens } = services();
      expect(await appTokens.offer(A, 'opaque-not-a-jwt')).toBe('unreadable');
      expect(await appTokens.offer(A, appToken(later(-60_000)))).toBe('expired');
      expect(await appTokens.appToken(A)).toBeNull();
    });
  });

  describe('the scoped API token', () => {
    it('is verified, then stored encrypted: the raw rows never contain it', async () => {
      const { apiTokens } = services();
      const result = await apiTokens.set(setInput(PLANTED));
      expect(result).toMatchObject({ saved: true, health: { status: 'ok' } });
      expect(health.calls).toEqual([
        {
          siteUrl: 'https://acme.atlassian.net',
          cloudId: 'cloud-a',
          email: 'svc@serviceaccount.atlassian.com',
          token: PLANTED,
          previouslyVerified: false,
          expiresOn: '2027-06-30',
        },
      ]);
      const raw = await rawRows();
      expect(raw).not.toContain(PLANTED);
      expect(raw).not.toContain(Buffer.from(PLANTED).toString('base64'));
      expect(await apiTokens.apiToken(A, 'ENG')).toMatchObject({
        token: PLANTED,
        email: 'svc@serviceaccount.atlassian.com',
      });
    });

    it('checks a re-entered stored token as one that worked before, so a revoked one is expired_or_revoked, not wrong_email', async () => {
      const { apiTokens } = services();
      const token = 'ATATT3x-worked-then-revoked-000';
      await apiTokens.set(setInput(token));
      await apiTokens.set(setInput(token));
      expect(health.calls.map((call) => call.previouslyVerified)).toEqual([false, true]);
      // Another token, or the same token under another email, has not worked before.
      await apiTokens.set(setInput('ATATT3x-a-brand-new-token-0001'));
      await apiTokens.set({ ...setInput('ATATT3x-a-brand-new-token-0001'), email: 'someone@example.com' });
      expect(health.calls.slice(2).map((call) => call.previouslyVerified)).toEqual([false, false]);
    });

    it('shows a token that no longer decrypts as undecryptable, with what to do, and re-checks it as such', async () => {
      await services().apiTokens.set(setInput('ATATT3x-sealed-under-old-key-0'));
      const otherKey = createSecretBox({ current: randomBytes(32) });
      const { apiTokens } = services(otherKey);
      const status = await apiTokens.status(A, 'ENG');
      expect(status?.health).toMatchObject({ status: 'undecryptable' });
      expect(status?.health.detail).toContain('PAGEWIRE_PREVIOUS_MASTER_KEYS');
      clock = later(DAY + 1);
      expect(await apiTokens.recheckDue()).toBe(1);
      expect((await repos.apiTokens.find(A, 'ENG'))?.health.status).toBe('undecryptable');
      const { count } = createUndecryptableSecretsCheck({
        apiTokens: repos.apiTokens,
        appTokens: repos.appTokens,
        secretBox: otherKey,
        now,
      });
      expect(await count()).toEqual({ apiTokens: 1, appTokens: 0 });
    });

    it('keeps the old token when a new one fails verification', async () => {
      const { apiTokens } = services();
      await apiTokens.set(setInput('ATATT3x-the-good-old-token-000'));
      health.answer('ATATT3x-a-token-missing-scopes-1', 'missing_scopes', ['write:page:confluence']);
      const result = await apiTokens.set(setInput('ATATT3x-a-token-missing-scopes-1'));
      expect(result).toMatchObject({
        saved: false,
        health: { status: 'missing_scopes', missingScopes: ['write:page:confluence'] },
      });
      expect((await apiTokens.apiToken(A, 'ENG'))?.token).toBe('ATATT3x-the-good-old-token-000');
      const actions = (await repos.activity.list(A, 'ENG', { limit: 10 })).items.map((item) => item.action);
      expect(actions).toEqual(['api_token.rejected', 'api_token.set']);
    });

    it('treats a crashing check as unreachable and saves nothing', async () => {
      const { apiTokens } = services();
      health.failWith('ATATT3x-check-crashes-0000000', new Error('socket hang up'));
      expect(await apiTokens.set(setInput('ATATT3x-check-crashes-0000000'))).toMatchObject({
        saved: false,
        health: { status: 'unreachable' },
      });
      expect(await apiTokens.apiToken(A, 'ENG')).toBeNull();
    });

    it('cannot be opened by another installation, even with its row copied over', async () => {
      const { apiTokens } = services();
      await apiTokens.set(setInput(PLANTED));
      await sql`insert into api_tokens select ${B} as installation_id, space_key, email, key_id, ciphertext, expires_on, health_json, granted_scopes_json, last_used_at, expiry_warning, next_check_at, created_at, created_by, updated_at from api_tokens where installation_id = ${A}`.execute(
        handle.database.db,
      );
      await expect(apiTokens.apiToken(B, 'ENG')).rejects.toThrow(/does not authenticate/);
    });

    it('is never reported back in the status, only its metadata', async () => {
      const { apiTokens } = services();
      await apiTokens.set(setInput(PLANTED));
      await apiTokens.markApiTokenUsed(A, 'ENG', later(60_000));
      const status = await apiTokens.status(A, 'ENG');
      expect(status).toMatchObject({
        email: 'svc@serviceaccount.atlassian.com',
        expiresAt: '2027-06-30',
        expiryWarning: null,
      });
      expect(status?.lastUsedAt).toBe(later(60_000).toISOString());
      expect(JSON.stringify(status)).not.toContain(PLANTED);
    });

    it('is neither read nor shown in marketplace mode', async () => {
      await services().apiTokens.set(setInput(PLANTED));
      const { apiTokens } = services(box, 'marketplace');
      expect(await apiTokens.apiToken(A, 'ENG')).toBeNull();
      expect(await apiTokens.status(A, 'ENG')).toBeNull();
    });

    it('is removed on request, and only in its own space', async () => {
      const { apiTokens } = services();
      await apiTokens.set(setInput(PLANTED));
      expect(await apiTokens.remove({ installationId: A, spaceKey: 'OPS', accountId: 'admin-1' })).toBe(
        false,
      );
      expect(await apiTokens.remove({ installationId: A, spaceKey: 'ENG', accountId: 'admin-1' })).toBe(true);
      expect(await apiTokens.apiToken(A, 'ENG')).toBeNull();
    });
  });

  describe('rotating the master key', () => {
    it('re-encrypts every secret so that it survives, and the old key alone no longer opens it', async () => {
      const before = services();
      const app = appToken(later(2 * 60 * 60 * 1000), 'rotate-me');
      await before.appTokens.offer(A, app);
      await before.apiTokens.set(setInput(PLANTED));

      const newKey = randomBytes(32);
      const during = createSecretBox({ current: newKey, previous: [masterKey] });
      const report = await rotateMasterKey({
        secretBox: during,
        appTokens: repos.appTokens,
        apiTokens: repos.apiTokens,
      });
      expect(report).toEqual({ resealed: 2, alreadyCurrent: 0, failed: [] });
      expect(
        await rotateMasterKey({ secretBox: during, appTokens: repos.appTokens, apiTokens: repos.apiTokens }),
      ).toEqual({
        resealed: 0,
        alreadyCurrent: 2,
        failed: [],
      });

      const after = services(createSecretBox({ current: newKey }));
      expect((await after.appTokens.appToken(A))?.token).toBe(app);
      expect((await after.apiTokens.apiToken(A, 'ENG'))?.token).toBe(PLANTED);
      await expect(
        services(createSecretBox({ current: masterKey })).apiTokens.apiToken(A, 'ENG'),
      ).rejects.toThrow(/master key/);
      expect(await rawRows()).not.toContain(PLANTED);
    });

    it('reports a record it cannot open and leaves it untouched', async () => {
      await services().apiTokens.set(setInput(PLANTED));
      const unrelated = createSecretBox({ current: randomBytes(32) });
      const report = await rotateMasterKey({
        secretBox: unrelated,
        appTokens: repos.appTokens,
        apiTokens: repos.apiTokens,
      });
      expect(report.resealed).toBe(0);
      expect(report.failed).toMatchObject([{ kind: 'api-token', installationId: A, spaceKey: 'ENG' }]);
      expect((await services().apiTokens.apiToken(A, 'ENG'))?.token).toBe(PLANTED);
    });
  });

  describe('the daily re-check and expiry warnings', () => {
    it('re-checks a token a day later and logs the change of health', async () => {
      const { apiTokens } = services();
      await apiTokens.set(setInput(PLANTED));
      expect(await apiTokens.recheckDue()).toBe(0);
      clock = later(DAY + 1000);
      health.answer(PLANTED, 'expired_or_revoked');
      expect(await apiTokens.recheckDue()).toBe(1);
      expect((await apiTokens.status(A, 'ENG'))?.health.status).toBe('expired_or_revoked');
      const [latest] = (await repos.activity.list(A, 'ENG', { limit: 1 })).items;
      expect(latest).toMatchObject({ action: 'api_token.checked', result: 'failed' });
      expect(await apiTokens.recheckDue()).toBe(0);
    });

    it('warns 30, 7 and 1 day(s) before the expiry date, each once, in the log, the view and a metric', async () => {
      const { apiTokens } = services();
      await apiTokens.set({ ...setInput(PLANTED), expiresOn: '2027-01-31' });
      expect((await apiTokens.status(A, 'ENG'))?.expiryWarning).toBeNull();

      const warningsAt = async (date: string) => {
        clock = new Date(`${date}T12:00:00.000Z`);
        await apiTokens.recheckDue();
        return (await repos.activity.list(A, 'ENG', { limit: 50 })).items.filter(
          (item) => item.action === 'api_token.expiring',
        ).length;
      };
      expect(await warningsAt('2026-12-31')).toBe(0);
      expect(await warningsAt('2027-01-01')).toBe(1);
      expect((await apiTokens.status(A, 'ENG'))?.expiryWarning).toEqual({ level: '30_days', daysLeft: 30 });
      expect(await warningsAt('2027-01-02')).toBe(1);
      expect(await warningsAt('2027-01-24')).toBe(2);
      expect(await warningsAt('2027-01-25')).toBe(2);
      expect(await warningsAt('2027-01-30')).toBe(3);
      expect((await apiTokens.status(A, 'ENG'))?.expiryWarning).toEqual({ level: '1_day', daysLeft: 1 });
      const counter = await metrics.apiTokenExpiryWarnings.get();
      expect(counter.values.map((value) => [value.labels.level, value.value]).sort()).toEqual([
        ['1_day', 1],
        ['30_days', 1],
        ['7_days', 1],
      ]);
      expect(await apiTokens.countExpiring()).toMatchObject({ '1_day': 1 });
    });

    it('warns at once when a token is entered close to its expiry', async () => {
      const { apiTokens } = services();
      await apiTokens.set({ ...setInput(PLANTED), expiresOn: '2026-12-03' });
      const items = (await repos.activity.list(A, 'ENG', { limit: 5 })).items;
      expect(items[0]).toMatchObject({ action: 'api_token.expiring', result: 'warning' });
      expect(items[0]?.detail).toContain('in 5 days');
    });
  });
});
