import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { DEVELOPMENT_APP_ID, loadConfig } from '../config/config';
import { rotateMasterKey } from '../credentials/master-key-rotation';
import { createSecretBox, masterKeyId } from '../credentials/secret-box';
import { hasErrorKind } from '../error-kinds';
import { openDatabase } from '../store/database';
import { migrations } from '../store/migrations';
import { pendingMigrations } from '../store/migrator';
import { createRepositories } from '../store/repositories';
import { createSubscriptionRepository } from '../webhooks/store/subscription-repository';

const USAGE = `Re-encrypts every stored secret (app system tokens, scoped API tokens, webhook signing secrets)
under a new master key.

  npm run rotate-master-key -- --generate     print a fresh random key and exit

  PAGEWIRE_MASTER_KEY=<new key> PAGEWIRE_PREVIOUS_MASTER_KEYS=<old key>[,<older>] \\
  DATABASE_URL=<the backend's database> npm run rotate-master-key

The procedure (docs/BACKEND.md, "Rotating the master key"):
  1. Deploy every replica with PAGEWIRE_MASTER_KEY=<new> and PAGEWIRE_PREVIOUS_MASTER_KEYS=<old>:
     they read both and write only under the new key.
  2. Run this command with the same two variables. It can run while the service is up.
  3. When it reports nothing left under an old key, drop PAGEWIRE_PREVIOUS_MASTER_KEYS.
`;

/** The core migration that creates the tables holding sealed secrets. */
const CREDENTIALS_MIGRATION = '0002-credentials';
/** The migration of the webhooks' subscriptions, whose signing secrets are sealed too. */
const WEBHOOKS_MIGRATION = '0310-webhooks';

export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

/** Returns the exit code: 0 done, 1 bad configuration or usage, 2 some records could not be re-encrypted. */
export async function runRotateMasterKey(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: CliOutput,
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  if (argv.includes('--generate')) {
    io.out(randomBytes(32).toString('base64'));
    return 0;
  }
  if (argv.length > 0) {
    io.err(`rotate-master-key: unknown argument ${argv[0]}\n${USAGE}`);
    return 1;
  }

  let config: ReturnType<typeof loadConfig>;
  try {
    // Only the database and the keys matter here; the app id is irrelevant to a rotation.
    config = loadConfig({ PAGEWIRE_FORGE_APP_ID: DEVELOPMENT_APP_ID, ...env });
  } catch (error) {
    if (!hasErrorKind(error, 'config')) throw error;
    io.err(`rotate-master-key: ${(error as Error).message}`);
    return 1;
  }
  const current = config.masterKeys.current;
  if (current === null) {
    io.err(
      'rotate-master-key: set PAGEWIRE_MASTER_KEY to the new key (and PAGEWIRE_PREVIOUS_MASTER_KEYS to the old ones)',
    );
    return 1;
  }
  if (config.masterKeys.previous.length === 0) {
    io.err(
      'rotate-master-key: set PAGEWIRE_PREVIOUS_MASTER_KEYS to the key(s) the secrets are sealed under now; without them nothing can be re-encrypted',
    );
    return 1;
  }

  // A mistyped path must not quietly become a new empty database that "rotates" 0 secrets.
  if (config.databaseUrl.startsWith('sqlite:') && config.databaseUrl !== 'sqlite::memory:') {
    const file = config.databaseUrl.slice('sqlite:'.length);
    if (!existsSync(file)) {
      io.err(
        `rotate-master-key: there is no database at ${file} (DATABASE_URL, relative to where the command was started)`,
      );
      return 1;
    }
  }
  const database = await openDatabase(config.databaseUrl);
  try {
    io.out(`using the database ${database.description}`);
    const pending = await pendingMigrations(database, migrations);
    if (pending.includes(CREDENTIALS_MIGRATION)) {
      io.err(
        `rotate-master-key: ${database.description} has no Pagewire schema (its credentials tables were never created): is DATABASE_URL the backend's database?`,
      );
      return 1;
    }
    const repositories = createRepositories(database.db);
    const secretBox = createSecretBox({ current, previous: config.masterKeys.previous });
    io.out(`re-encrypting secrets in ${database.description} under ${masterKeyId(current)}`);
    const report = await rotateMasterKey({
      secretBox,
      appTokens: repositories.appTokens,
      apiTokens: repositories.apiTokens,
      // A database migrated before the webhooks existed has no such secrets to re-seal.
      ...(pending.includes(WEBHOOKS_MIGRATION)
        ? {}
        : { webhookSecrets: createSubscriptionRepository(database.db) }),
    });
    io.out(
      `re-encrypted ${report.resealed}, already under the new key ${report.alreadyCurrent}, failed ${report.failed.length}`,
    );
    for (const failure of report.failed) {
      const where =
        failure.spaceKey === null
          ? failure.installationId
          : `${failure.installationId} space ${failure.spaceKey}`;
      io.err(`  could not re-encrypt the ${failure.kind} of ${where}: ${failure.reason}`);
    }
    return report.failed.length === 0 ? 0 : 2;
  } finally {
    await database.close();
  }
}

// Run as a command (npm run rotate-master-key), not when imported by tests.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runRotateMasterKey(process.argv.slice(2), process.env, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`rotate-master-key: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
