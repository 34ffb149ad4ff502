import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { type DeploymentMode, deploymentModeSchema, type OperatorWebhook } from '@pagewire/shared';
import { z } from 'zod';
import { ERROR_KINDS } from '../error-kinds';
import { readOperatorWebhooks } from './operator-webhooks';

/**
 * The backend's configuration, read once at start from an env record (never
 * from `process.env` directly: `main.ts` passes it, tests pass their own).
 * A bad value stops the process with one line naming the variable; secrets
 * are never echoed back in that line.
 */
export interface Config {
  readonly port: number;
  readonly host: string;
  /** A `sqlite:` path is absolute here: relative ones are resolved against `startDir`. */
  readonly databaseUrl: string;
  readonly forge: {
    /** The app ARI: the only audience a Forge Invocation Token may carry. */
    readonly appId: string;
    readonly jwksUrl: URL;
    /** `null` allows every environment type. */
    readonly environments: ReadonlySet<ForgeEnvironmentType> | null;
  };
  readonly masterKeys: {
    /** `null` only with `PAGEWIRE_DEV=1`: the composition then uses a generated development key. */
    readonly current: Buffer | null;
    /** Keys still accepted for decryption while a rotation is under way. */
    readonly previous: readonly Buffer[];
  };
  /** The only origin (and path prefix) Confluence API calls may go to. */
  readonly atlassianApiBase: URL;
  readonly mode: DeploymentMode;
  readonly logLevel: LogLevel;
  readonly dev: boolean;
  /** Where development-only files (the generated master key) go. */
  readonly dataDir: string;
  /** How long an uninstalled installation's data is kept before it is purged (a reinstall within it gets its settings back). */
  readonly uninstallGraceMs: number;
  /**
   * The URL sources reach this backend at (what the manifest's remote points
   * to), shown on the settings page next to the ingest keys; null when not configured.
   */
  readonly publicUrl: string | null;
  /** `PAGEWIRE_EXPORT_RECONCILE_MINUTES` (default 15), in milliseconds. */
  readonly exportReconcileMs: number;
  /** Markdown→ADF off the HTTP thread (docs/BACKEND.md, "Threat model"). */
  readonly render: {
    /** Worker threads rendering at once. */
    readonly workers: number;
    /** How long one render may take before it fails as `content_too_complex`. */
    readonly timeoutMs: number;
  };
  /** Token buckets on the ingest API (docs/BACKEND.md, "Ingest limits"); `null` is off. */
  readonly ingestLimits: {
    readonly perKey: RateLimit | null;
    readonly perInstallation: RateLimit | null;
    readonly wrongKeysPerAddress: RateLimit | null;
  };
  /**
   * `PAGEWIRE_WEBHOOK_ALLOW_PRIVATE=1`: webhooks may go to `http://` and to
   * private, loopback and link-local addresses (local development and tests
   * only; docs/WEBHOOKS.md, "Targets"). Off by default.
   */
  readonly webhookAllowPrivate: boolean;
  /**
   * `PAGEWIRE_WEBHOOKS`: subscriptions the operator declares (in-house only),
   * kept in sync at start, each with the operator's own secret.
   */
  readonly operatorWebhooks: readonly OperatorWebhook[];
}

export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

/**
 * `<rate>/s,<burst>` or `<rate>/min,<burst>` (`20/s,120`: 20 a second
 * sustained, 120 at once), or `off`.
 */
function rateLimit(fallback: string) {
  return z
    .string()
    .trim()
    .default(fallback)
    .transform((value, ctx): RateLimit | null => {
      if (value.toLowerCase() === 'off') return null;
      const match = /^(\d+(?:\.\d+)?)\/(s|min),(\d+)$/.exec(value);
      const rate = match === null ? 0 : Number(match[1]) / (match[2] === 'min' ? 60 : 1);
      const burst = match === null ? 0 : Number(match[3]);
      if (match === null || rate <= 0 || burst < 1) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be <rate>/s,<burst> or <rate>/min,<burst> (e.g. 20/s,120), or off',
        });
        return z.NEVER;
      }
      return { perSecond: rate, burst };
    });
}

export const forgeEnvironmentTypes = ['DEVELOPMENT', 'STAGING', 'PRODUCTION'] as const;
export type ForgeEnvironmentType = (typeof forgeEnvironmentTypes)[number];

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Where Atlassian publishes the keys that sign Forge Invocation Tokens (Forge Remote essentials). */
export const PRODUCTION_FORGE_JWKS_URL = 'https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json';
/** The app id in the repository's manifest.yml; only a default for local development. */
export const DEVELOPMENT_APP_ID = 'ari:cloud:ecosystem::app/00000000-0000-4000-8000-000000000000';

export class ConfigError extends Error {
  readonly [ERROR_KINDS] = ['config'] as const;
  override readonly name = 'ConfigError';
}

const MASTER_KEY_BYTES = 32;
const appIdPattern = /^ari:cloud:ecosystem::app\/[0-9A-Za-z-]{1,64}$/;

function isLoopback(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
}

/** https everywhere, except for loopback addresses (the devkit and tests run on plain http). */
function secureUrl(what: string) {
  return z
    .string()
    .trim()
    .transform((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be an absolute URL (${what})` });
        return z.NEVER;
      }
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
        ctx.addIssue({ code: 'custom', message: `must use https (plain http only for localhost) (${what})` });
        return z.NEVER;
      }
      return url;
    });
}

function masterKey(prefix: string) {
  return z
    .string()
    .trim()
    .transform((value, ctx) => decodeMasterKey(value, prefix, ctx));
}

/** `prefix` starts the message after the variable name ("" or "has a key that "). */
function decodeMasterKey(value: string, prefix: string, ctx: z.RefinementCtx): Buffer {
  // Strict base64 with padding: Buffer.from is lenient and would quietly accept typos.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) {
    ctx.addIssue({
      code: 'custom',
      message: `${prefix}must be base64 (generate one with: openssl rand -base64 32)`,
    });
    return z.NEVER;
  }
  const key = Buffer.from(value, 'base64');
  if (key.length !== MASTER_KEY_BYTES) {
    ctx.addIssue({
      code: 'custom',
      message: `${prefix}must decode to ${MASTER_KEY_BYTES} bytes, not ${key.length} (generate one with: openssl rand -base64 32)`,
    });
    return z.NEVER;
  }
  return key;
}

const booleanFlag = z
  .enum(['', '0', '1', 'false', 'true'])
  .optional()
  .transform((value) => value === '1' || value === 'true');

const envSchema = z.object({
  PORT: z.coerce
    .number({ message: 'must be a port number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65_535, 'must be between 0 and 65535')
    .default(8080),
  HOST: z.string().trim().min(1, 'must not be empty').default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be sqlite:<path>, sqlite::memory: or postgres://…')
    .default('sqlite:./data/pagewire.db'),
  PAGEWIRE_FORGE_APP_ID: z
    .string()
    .trim()
    .regex(appIdPattern, 'must be the app ARI from manifest.yml (ari:cloud:ecosystem::app/<uuid>)')
    .optional(),
  PAGEWIRE_FORGE_JWKS_URL: secureUrl('the Forge JWKS').default(new URL(PRODUCTION_FORGE_JWKS_URL)),
  PAGEWIRE_FORGE_ENVIRONMENTS: z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '' || value.toLowerCase() === 'all') return null;
      const names = value.split(',').map((name) => name.trim().toUpperCase());
      for (const name of names) {
        if (!(forgeEnvironmentTypes as readonly string[]).includes(name)) {
          ctx.addIssue({
            code: 'custom',
            message: `"${name}" is not one of ${forgeEnvironmentTypes.join(', ')}`,
          });
          return z.NEVER;
        }
      }
      return new Set(names as ForgeEnvironmentType[]);
    }),
  PAGEWIRE_MASTER_KEY: masterKey('').optional(),
  PAGEWIRE_PREVIOUS_MASTER_KEYS: z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return [];
      return value.split(',').map((part) => decodeMasterKey(part.trim(), 'has a key that ', ctx));
    }),
  PAGEWIRE_ATLASSIAN_API_BASE: secureUrl('the Atlassian API gateway').default(
    new URL('https://api.atlassian.com'),
  ),
  PAGEWIRE_MODE: deploymentModeSchema.default('in-house'),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  PAGEWIRE_DEV: booleanFlag,
  PAGEWIRE_WEBHOOK_ALLOW_PRIVATE: booleanFlag,
  PAGEWIRE_DATA_DIR: z.string().trim().min(1).default('./data'),
  PAGEWIRE_UNINSTALL_GRACE_DAYS: z.coerce
    .number({ message: 'must be a number of days' })
    .int('must be a whole number of days')
    .min(0, 'must be between 0 and 365')
    .max(365, 'must be between 0 and 365')
    .default(30),
  // One core fewer than the machine has, so a burst of hard renders never takes the HTTP thread's core.
  PAGEWIRE_RENDER_WORKERS: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 16')
    .max(16, 'must be between 1 and 16')
    .default(Math.min(16, Math.max(1, availableParallelism() - 1))),
  // A legitimate 256 KB document renders in about 1.5 s on a busy 2-core machine; 10 s leaves room.
  PAGEWIRE_RENDER_TIMEOUT_MS: z.coerce
    .number({ message: 'must be a number of milliseconds' })
    .int('must be a whole number')
    .min(50, 'must be at least 50')
    .max(600_000, 'must be at most 600000')
    .default(10_000),
  // A CI job or status page writes a few blocks a second at most; a site's sources together a few dozen.
  PAGEWIRE_INGEST_LIMIT_PER_KEY: rateLimit('20/s,120'),
  PAGEWIRE_INGEST_LIMIT_PER_INSTALLATION: rateLimit('100/s,600'),
  // A source with a stale key retries a few times a minute; a key guesser wants thousands a second.
  PAGEWIRE_INGEST_LIMIT_WRONG_KEYS: rateLimit('20/min,20'),
  PAGEWIRE_PUBLIC_URL: secureUrl('the backend’s public URL').optional(),
  // A JSON list or a file path: read and validated after the rest (operator-webhooks.ts).
  PAGEWIRE_WEBHOOKS: z.string().optional(),
  // How often the export mirror is reconciled with Confluence (docs/EXPORT.md, "How it stays true").
  PAGEWIRE_EXPORT_RECONCILE_MINUTES: z.coerce
    .number({ message: 'must be a number of minutes' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 1440')
    .max(1440, 'must be between 1 and 1440')
    .default(15),
});

/**
 * The directory relative paths (`sqlite:./data/…`, `PAGEWIRE_DATA_DIR`) are
 * resolved against: the one the command was started from. `npm run` and
 * `npm -w` switch into the workspace before running a script and leave the
 * original directory in `INIT_CWD`
 * (https://docs.npmjs.com/cli/v10/commands/npm-run-script); anything else
 * runs where it was started.
 */
export function startDirectory(env: Record<string, string | undefined>): string {
  const initCwd = env.INIT_CWD?.trim();
  return initCwd !== undefined && initCwd !== '' && isAbsolute(initCwd) ? initCwd : process.cwd();
}

function resolveDatabaseUrl(url: string, startDir: string): string {
  if (!url.startsWith('sqlite:')) return url;
  const location = url.slice('sqlite:'.length);
  return location === ':memory:' ? url : `sqlite:${resolve(startDir, location)}`;
}

/** Reads and validates the configuration; throws a `ConfigError` with one line naming the bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Empty strings mean "unset" (a blank line in an .env file must not override a default).
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path[0] === undefined ? 'environment' : String(issue.path[0]);
      // zod's default messages for a wrong type would quote the received value; ours never do.
      return `${name} ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  const dev = values.PAGEWIRE_DEV;

  if (!dev && values.PAGEWIRE_FORGE_APP_ID === undefined) {
    throw new ConfigError(
      'invalid configuration: PAGEWIRE_FORGE_APP_ID is required (the app ARI from manifest.yml), unless PAGEWIRE_DEV=1',
    );
  }
  if (!dev && values.PAGEWIRE_MASTER_KEY === undefined) {
    throw new ConfigError(
      'invalid configuration: PAGEWIRE_MASTER_KEY is required (32 random bytes, base64: openssl rand -base64 32), unless PAGEWIRE_DEV=1',
    );
  }
  const apiBase = values.PAGEWIRE_ATLASSIAN_API_BASE;
  if (apiBase.search !== '' || apiBase.hash !== '') {
    throw new ConfigError(
      'invalid configuration: PAGEWIRE_ATLASSIAN_API_BASE must not have a query or fragment',
    );
  }

  const startDir = startDirectory(env);
  const operatorWebhooks = readOperatorWebhooks(values.PAGEWIRE_WEBHOOKS, startDir);
  if (!operatorWebhooks.ok) throw new ConfigError(`invalid configuration: ${operatorWebhooks.problem}`);
  if (operatorWebhooks.webhooks.length > 0 && values.PAGEWIRE_MODE === 'marketplace') {
    // A marketplace app serves many customers: one operator list would send every customer's pages to it.
    throw new ConfigError(
      'invalid configuration: PAGEWIRE_WEBHOOKS is for in-house deployments; in marketplace mode space admins add webhooks',
    );
  }
  return {
    port: values.PORT,
    host: values.HOST,
    databaseUrl: resolveDatabaseUrl(values.DATABASE_URL, startDir),
    forge: {
      appId: values.PAGEWIRE_FORGE_APP_ID ?? DEVELOPMENT_APP_ID,
      jwksUrl: values.PAGEWIRE_FORGE_JWKS_URL,
      environments: values.PAGEWIRE_FORGE_ENVIRONMENTS,
    },
    masterKeys: {
      current: values.PAGEWIRE_MASTER_KEY ?? null,
      previous: values.PAGEWIRE_PREVIOUS_MASTER_KEYS,
    },
    atlassianApiBase: apiBase,
    mode: values.PAGEWIRE_MODE,
    logLevel: values.LOG_LEVEL,
    dev,
    dataDir: resolve(startDir, values.PAGEWIRE_DATA_DIR),
    uninstallGraceMs: values.PAGEWIRE_UNINSTALL_GRACE_DAYS * 24 * 60 * 60 * 1000,
    render: { workers: values.PAGEWIRE_RENDER_WORKERS, timeoutMs: values.PAGEWIRE_RENDER_TIMEOUT_MS },
    ingestLimits: {
      perKey: values.PAGEWIRE_INGEST_LIMIT_PER_KEY,
      perInstallation: values.PAGEWIRE_INGEST_LIMIT_PER_INSTALLATION,
      wrongKeysPerAddress: values.PAGEWIRE_INGEST_LIMIT_WRONG_KEYS,
    },
    publicUrl: values.PAGEWIRE_PUBLIC_URL?.href.replace(/\/+$/, '') ?? null,
    exportReconcileMs: values.PAGEWIRE_EXPORT_RECONCILE_MINUTES * 60 * 1000,
    webhookAllowPrivate: values.PAGEWIRE_WEBHOOK_ALLOW_PRIVATE,
    operatorWebhooks: operatorWebhooks.webhooks,
  };
}
