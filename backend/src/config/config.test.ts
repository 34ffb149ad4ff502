import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasErrorKind } from '../error-kinds';
import { ConfigError, DEVELOPMENT_APP_ID, loadConfig, PRODUCTION_FORGE_JWKS_URL } from './config';

const appId = 'ari:cloud:ecosystem::app/8db33809-1f32-48bb-8c52-5877dab48107';
const masterKey = randomBytes(32).toString('base64');
const production = { PAGEWIRE_FORGE_APP_ID: appId, PAGEWIRE_MASTER_KEY: masterKey };

function configErrorFor(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(hasErrorKind(error, 'config')).toBe(true);
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loading the configuration', () => {
  it('applies the documented defaults when only the required values are given', () => {
    const config = loadConfig(production);
    expect(config.port).toBe(8080);
    expect(config.host).toBe('0.0.0.0');
    expect(config.databaseUrl).toBe(`sqlite:${join(process.cwd(), 'data', 'pagewire.db')}`);
    expect(config.forge.jwksUrl.href).toBe(PRODUCTION_FORGE_JWKS_URL);
    expect(config.forge.environments).toBeNull();
    expect(config.atlassianApiBase.origin).toBe('https://api.atlassian.com');
    expect(config.mode).toBe('in-house');
    expect(config.logLevel).toBe('info');
    expect(config.masterKeys.current?.length).toBe(32);
  });

  it('resolves relative SQLite and data paths against the directory npm was started from, not the workspace', () => {
    const config = loadConfig({
      ...production,
      INIT_CWD: '/srv/pagewire',
      DATABASE_URL: 'sqlite:./data/pagewire.db',
      PAGEWIRE_DATA_DIR: 'state',
    });
    expect(config.databaseUrl).toBe('sqlite:/srv/pagewire/data/pagewire.db');
    expect(config.dataDir).toBe('/srv/pagewire/state');
    expect(
      loadConfig({ ...production, DATABASE_URL: 'sqlite:/abs/x.db', INIT_CWD: '/srv' }).databaseUrl,
    ).toBe('sqlite:/abs/x.db');
    expect(loadConfig({ ...production, DATABASE_URL: 'sqlite::memory:' }).databaseUrl).toBe(
      'sqlite::memory:',
    );
  });

  it('reads the ingest limits as rate and burst, or off, and refuses anything else naming the variable', () => {
    const defaults = loadConfig(production).ingestLimits;
    expect(defaults).toEqual({
      perKey: { perSecond: 20, burst: 120 },
      perInstallation: { perSecond: 100, burst: 600 },
      wrongKeysPerAddress: { perSecond: 20 / 60, burst: 20 },
    });
    const tuned = loadConfig({
      ...production,
      PAGEWIRE_INGEST_LIMIT_PER_KEY: '5/s,10',
      PAGEWIRE_INGEST_LIMIT_WRONG_KEYS: 'off',
    });
    expect(tuned.ingestLimits.perKey).toEqual({ perSecond: 5, burst: 10 });
    expect(tuned.ingestLimits.wrongKeysPerAddress).toBeNull();
    expect(configErrorFor({ ...production, PAGEWIRE_INGEST_LIMIT_PER_KEY: 'lots' })).toMatch(
      /^invalid configuration: PAGEWIRE_INGEST_LIMIT_PER_KEY must be/,
    );
  });

  it('takes the public URL the settings page shows sources, and refuses plain http off loopback', () => {
    expect(loadConfig(production).publicUrl).toBeNull();
    expect(
      loadConfig({ ...production, PAGEWIRE_PUBLIC_URL: 'https://pagewire.example.com/' }).publicUrl,
    ).toBe('https://pagewire.example.com');
    expect(configErrorFor({ ...production, PAGEWIRE_PUBLIC_URL: 'http://pagewire.example.com' })).toContain(
      'PAGEWIRE_PUBLIC_URL must use https',
    );
  });

  it('refuses to start without an app id, naming the variable', () => {
    expect(configErrorFor({ PAGEWIRE_MASTER_KEY: masterKey })).toMatch(/PAGEWIRE_FORGE_APP_ID is required/);
  });

  it('refuses to start without a master key outside development', () => {
    expect(configErrorFor({ PAGEWIRE_FORGE_APP_ID: appId })).toMatch(/PAGEWIRE_MASTER_KEY is required/);
  });

  it('starts in development mode without app id or master key', () => {
    const config = loadConfig({ PAGEWIRE_DEV: '1' });
    expect(config.dev).toBe(true);
    expect(config.forge.appId).toBe(DEVELOPMENT_APP_ID);
    expect(config.masterKeys.current).toBeNull();
  });

  it('names a master key of the wrong length without echoing it', () => {
    const short = randomBytes(16).toString('base64');
    const message = configErrorFor({ ...production, PAGEWIRE_MASTER_KEY: short });
    expect(message).toMatch(/^invalid configuration: PAGEWIRE_MASTER_KEY must decode to 32 bytes, not 16/);
    expect(message).not.toContain(short);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('refuses a master key that is not base64', () => {
    expect(configErrorFor({ ...production, PAGEWIRE_MASTER_KEY: 'not base64 at all!' })).toMatch(
      /PAGEWIRE_MASTER_KEY must be base64/,
    );
  });

  it('names a bad previous master key', () => {
    expect(configErrorFor({ ...production, PAGEWIRE_PREVIOUS_MASTER_KEYS: 'c2hvcnQ=' })).toBe(
      'invalid configuration: PAGEWIRE_PREVIOUS_MASTER_KEYS has a key that must decode to 32 bytes, not 5 (generate one with: openssl rand -base64 32)',
    );
  });

  it('reads previous master keys for a rotation in progress', () => {
    const previous = randomBytes(32).toString('base64');
    const config = loadConfig({ ...production, PAGEWIRE_PREVIOUS_MASTER_KEYS: previous });
    expect(config.masterKeys.previous.map((key) => key.toString('base64'))).toEqual([previous]);
  });

  it('names a bad port', () => {
    expect(configErrorFor({ ...production, PORT: 'eighty' })).toMatch(/^invalid configuration: PORT /);
    expect(configErrorFor({ ...production, PORT: '70000' })).toMatch(/PORT must be between 0 and 65535/);
  });

  it('accepts port 0 so tests can ask for any free port', () => {
    expect(loadConfig({ ...production, PORT: '0' }).port).toBe(0);
  });

  it('refuses an unknown Forge environment type', () => {
    expect(configErrorFor({ ...production, PAGEWIRE_FORGE_ENVIRONMENTS: 'PRODUCTION,QA' })).toMatch(
      /PAGEWIRE_FORGE_ENVIRONMENTS "QA" is not one of/,
    );
  });

  it('reads the environment allow-list case-insensitively', () => {
    const config = loadConfig({ ...production, PAGEWIRE_FORGE_ENVIRONMENTS: 'production, staging' });
    expect([...(config.forge.environments ?? [])].sort()).toEqual(['PRODUCTION', 'STAGING']);
  });

  it('refuses a JWKS URL over plain http unless it is on this machine', () => {
    expect(
      configErrorFor({ ...production, PAGEWIRE_FORGE_JWKS_URL: 'http://keys.example.com/jwks.json' }),
    ).toMatch(/PAGEWIRE_FORGE_JWKS_URL must use https/);
    expect(
      loadConfig({ ...production, PAGEWIRE_FORGE_JWKS_URL: 'http://127.0.0.1:4000/.well-known/jwks.json' })
        .forge.jwksUrl.port,
    ).toBe('4000');
  });

  it('refuses an unknown deployment mode', () => {
    expect(configErrorFor({ ...production, PAGEWIRE_MODE: 'saas' })).toMatch(
      /^invalid configuration: PAGEWIRE_MODE/,
    );
  });

  it('refuses a database URL it cannot open', () => {
    expect(configErrorFor({ ...production, DATABASE_URL: 'mysql://db/pagewire' })).toMatch(
      /DATABASE_URL must be/,
    );
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ ...production, PORT: '', LOG_LEVEL: '  ' }).port).toBe(8080);
  });

  describe('PAGEWIRE_WEBHOOKS, the operator’s subscriptions', () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const list = [{ spaceKey: 'ENG', url: 'https://hooks.example.com/eng', secret }];

    it('reads the list from the variable itself or from a file, relative to where the backend was started', () => {
      expect(loadConfig({ ...production, PAGEWIRE_WEBHOOKS: JSON.stringify(list) }).operatorWebhooks).toEqual(
        list,
      );
      const dir = mkdtempSync(join(tmpdir(), 'pagewire-webhooks-config-'));
      try {
        writeFileSync(join(dir, 'webhooks.json'), JSON.stringify(list));
        const config = loadConfig({ ...production, INIT_CWD: dir, PAGEWIRE_WEBHOOKS: './webhooks.json' });
        expect(config.operatorWebhooks).toEqual(list);
      } finally {
        rmSync(dir, { recursive: true });
      }
      expect(loadConfig(production).operatorWebhooks).toEqual([]);
    });

    it('refuses a bad entry naming where it is, and never quotes the secret', () => {
      const shortSecret = `whsec_${randomBytes(8).toString('base64')}`;
      const message = configErrorFor({
        ...production,
        PAGEWIRE_WEBHOOKS: JSON.stringify([{ url: 'https://a.example.com/', secret: shortSecret }]),
      });
      expect(message).toMatch(/PAGEWIRE_WEBHOOKS\[0\]\.secret must be whsec_/);
      expect(message).not.toContain(shortSecret.slice('whsec_'.length));
      const broken = configErrorFor({ ...production, PAGEWIRE_WEBHOOKS: `[{"secret": "${secret}"` });
      expect(broken).toBe('invalid configuration: PAGEWIRE_WEBHOOKS is not valid JSON');
      expect(
        configErrorFor({ ...production, PAGEWIRE_WEBHOOKS: JSON.stringify([...list, ...list]) }),
      ).toMatch(/PAGEWIRE_WEBHOOKS\[1\]\.url is listed twice/);
      expect(configErrorFor({ ...production, PAGEWIRE_WEBHOOKS: '/no/such/webhooks.json' })).toMatch(
        /PAGEWIRE_WEBHOOKS must be a JSON list or the path of a readable file/,
      );
    });

    it('is refused in marketplace mode, where space admins add webhooks', () => {
      expect(
        configErrorFor({
          ...production,
          PAGEWIRE_MODE: 'marketplace',
          PAGEWIRE_WEBHOOKS: JSON.stringify(list),
        }),
      ).toMatch(/PAGEWIRE_WEBHOOKS is for in-house deployments/);
    });
  });
});
