import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import SQLite from 'better-sqlite3';
import { UnsecuredJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSecretBox } from '../credentials/secret-box';
import { openDatabase } from '../store/database';
import { migrations } from '../store/migrations';
import { migrateToLatest } from '../store/migrator';
import { createRepositories } from '../store/repositories';
import { postgresTarget, postgresTestUrl, type TestDatabase } from '../store/testing/test-databases';
import { createCredentialServices } from '../testing/credential-services';
import { createFakeTokenHealth } from '../testing/fake-token-health';
import { createSubscriptionRepository } from '../webhooks/store/subscription-repository';
import { openSubscriptionSecret, sealSubscriptionSecret } from '../webhooks/subscription-secret';
import { type CliOutput, runRotateMasterKey } from './rotate-master-key';

const A = 'ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-000000000001';
const API_TOKEN = 'ATATT3xFfGF0-rotate-me-please-0000';
const WEBHOOK_SECRET = `whsec_${Buffer.from('a webhook secret that must survive rotation').toString('base64')}`;
const SUBSCRIPTION = 'wh_rotation';

function capture(): CliOutput & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (line) => lines.push(line), err: (line) => lines.push(`ERR ${line}`) };
}

interface Target {
  name: string;
  open(): Promise<{ url: string; dispose(): Promise<void> }>;
}

const targets: Target[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'pagewire-rotate-'));
      return {
        url: `sqlite:${join(dir, 'pagewire.db')}`,
        dispose: async () => rmSync(dir, { recursive: true }),
      };
    },
  },
];
const postgres = postgresTestUrl();
if (postgres !== null) {
  targets.push({
    name: 'postgres',
    async open() {
      const handle: TestDatabase = await postgresTarget(postgres).open({ migrations: false });
      await handle.database.close();
      return { url: handle.url, dispose: () => handle.dispose() };
    },
  });
}

describe.each(targets)('npm run rotate-master-key on $name', (target) => {
  let url: string;
  let dispose: () => Promise<void>;
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const appToken = new UnsecuredJWT({ n: 1 }).setExpirationTime('3h').encode();

  async function secretsUnder(key: Buffer, options: { seed?: boolean } = {}) {
    const database = await openDatabase(url);
    try {
      const repositories = createRepositories(database.db);
      const secretBox = createSecretBox({ current: key });
      const subscriptions = createSubscriptionRepository(database.db);
      const { appTokens, apiTokens } = createCredentialServices({
        repositories,
        secretBox,
        checkHealth: createFakeTokenHealth().check,
        now: () => new Date(),
      });
      if (options.seed === true) {
        await appTokens.offer(A, appToken);
        await apiTokens.set({
          installationId: A,
          spaceKey: 'ENG',
          accountId: 'admin',
          siteUrl: 'https://acme.atlassian.net',
          cloudId: 'cloud',
          email: 'svc@serviceaccount.atlassian.com',
          token: API_TOKEN,
          expiresOn: '2099-01-01',
        });
        await subscriptions.insert({
          id: SUBSCRIPTION,
          installationId: A,
          spaceKey: 'ENG',
          url: 'https://hooks.example.com/pagewire',
          events: ['page.updated'],
          secretSealed: sealSubscriptionSecret(
            secretBox,
            { id: SUBSCRIPTION, installationId: A },
            WEBHOOK_SECRET,
          ),
          state: 'active',
          createdAt: new Date().toISOString(),
          createdBy: 'admin',
          failingSince: null,
          lastSuccessAt: null,
          lastError: null,
          pausedAt: null,
        });
      }
      const subscription = await subscriptions.findById(SUBSCRIPTION);
      return {
        app: (await appTokens.appToken(A))?.token,
        api: (await apiTokens.apiToken(A, 'ENG'))?.token,
        webhook: subscription === null ? undefined : openSubscriptionSecret(secretBox, subscription),
      };
    } finally {
      await database.close();
    }
  }

  beforeEach(async () => {
    ({ url, dispose } = await target.open());
    const database = await openDatabase(url);
    await migrateToLatest(database, migrations);
    await database.close();
    await secretsUnder(oldKey, { seed: true });
  });
  afterEach(async () => {
    await dispose();
  });

  const env = (overrides: Record<string, string>) => ({ DATABASE_URL: url, ...overrides });

  it('re-encrypts every secret, webhook signing secrets included, under the new key, so they survive and the old key alone no longer opens them', async () => {
    const io = capture();
    const code = await runRotateMasterKey(
      [],
      env({
        PAGEWIRE_MASTER_KEY: newKey.toString('base64'),
        PAGEWIRE_PREVIOUS_MASTER_KEYS: oldKey.toString('base64'),
      }),
      io,
    );
    expect(code).toBe(0);
    expect(io.lines.join('\n')).toContain('re-encrypted 3, already under the new key 0, failed 0');
    expect(await secretsUnder(newKey)).toMatchObject({
      app: appToken,
      api: API_TOKEN,
      webhook: WEBHOOK_SECRET,
    });
    await expect(secretsUnder(oldKey)).rejects.toThrow(/master key/);
  });

  // Only SQLite keeps the whole database in files this test can read.
  const onSqlite = target.name === 'sqlite' ? it : undefined;
  onSqlite?.('leaves no plaintext secret anywhere in the database files', async () => {
    const file = url.slice('sqlite:'.length);
    const bytes = [file, `${file}-wal`]
      .filter((path) => existsSync(path))
      .map((path) => readFileSync(path).toString('latin1'))
      .join('');
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes).not.toContain(API_TOKEN);
    expect(bytes).not.toContain(WEBHOOK_SECRET.slice('whsec_'.length));
    expect(bytes).not.toContain(appToken.split('.')[1]!);
  });

  const keys = () => ({
    PAGEWIRE_MASTER_KEY: newKey.toString('base64'),
    PAGEWIRE_PREVIOUS_MASTER_KEYS: oldKey.toString('base64'),
  });

  onSqlite?.(
    'resolves a relative DATABASE_URL against the directory the command was started from, and prints the file',
    async () => {
      const file = url.slice('sqlite:'.length);
      const io = capture();
      // As `npm run rotate-master-key` from that directory: npm runs the script in backend/ and sets INIT_CWD.
      const code = await runRotateMasterKey(
        [],
        { ...keys(), DATABASE_URL: `sqlite:./${basename(file)}`, INIT_CWD: dirname(file) },
        io,
      );
      expect(code).toBe(0);
      expect(io.lines).toContain(`using the database sqlite ${file}`);
      expect(io.lines.join('\n')).toContain('re-encrypted 3, already under the new key 0, failed 0');
    },
  );

  onSqlite?.('refuses a path with no database, exits 1 naming it, and creates nothing there', async () => {
    const missing = join(dirname(url.slice('sqlite:'.length)), 'typo.db');
    const io = capture();
    expect(await runRotateMasterKey([], { ...keys(), DATABASE_URL: `sqlite:${missing}` }, io)).toBe(1);
    expect(io.lines.join('\n')).toContain(`there is no database at ${missing}`);
    expect(existsSync(missing)).toBe(false);
  });

  onSqlite?.('refuses a database without the Pagewire schema and exits 1 naming the file', async () => {
    const other = join(dirname(url.slice('sqlite:'.length)), 'other.db');
    const foreign = new SQLite(other);
    foreign.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    foreign.close();
    const io = capture();
    expect(await runRotateMasterKey([], { ...keys(), DATABASE_URL: `sqlite:${other}` }, io)).toBe(1);
    expect(io.lines.join('\n')).toMatch(new RegExp(`sqlite ${other} has no Pagewire schema`));
  });

  it('refuses to run without the previous key, and says why', async () => {
    const io = capture();
    expect(await runRotateMasterKey([], env({ PAGEWIRE_MASTER_KEY: newKey.toString('base64') }), io)).toBe(1);
    expect(io.lines.join('\n')).toMatch(/PAGEWIRE_PREVIOUS_MASTER_KEYS/);
  });

  it('exits 2 and names what it could not re-encrypt when given the wrong old key', async () => {
    const io = capture();
    const code = await runRotateMasterKey(
      [],
      env({
        PAGEWIRE_MASTER_KEY: newKey.toString('base64'),
        PAGEWIRE_PREVIOUS_MASTER_KEYS: randomBytes(32).toString('base64'),
      }),
      io,
    );
    expect(code).toBe(2);
    const errors = io.lines.filter((line) => line.startsWith('ERR'));
    expect(errors).toHaveLength(3);
    expect(errors.join('\n')).toContain(`could not re-encrypt the webhook-secret of ${A} space ENG`);
    expect(errors.join('\n')).not.toContain(WEBHOOK_SECRET);
    expect(await secretsUnder(oldKey)).toMatchObject({ api: API_TOKEN, webhook: WEBHOOK_SECRET });
  });
});

describe('rotate-master-key --generate', () => {
  it('prints a fresh 32-byte key', async () => {
    const io = capture();
    expect(await runRotateMasterKey(['--generate'], {}, io)).toBe(0);
    expect(Buffer.from(io.lines[0]!, 'base64')).toHaveLength(32);
  });
});
