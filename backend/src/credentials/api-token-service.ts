import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiTokenStatus, DeploymentMode, TokenHealth } from '@pagewire/shared';
import type { Logger } from 'pino';
import { expiryWarningFor, isNewerWarning } from '../domain/expiry-warning';
import type { Metrics } from '../observability/metrics';
import type { ActivityRepository } from '../store/activity-repository';
import type { ApiTokenRecord, ApiTokenRepository } from '../store/api-token-repository';
import type { InstallationRepository } from '../store/installation-repository';
import type { ApiTokenHealthCheck, ApiTokenHealthInput } from './credential-ports';
import type { SecretBox } from './secret-box';
import { UNDECRYPTABLE_ACTION } from './undecryptable-secrets';

/**
 * Scoped API tokens, one per space, for the Confluence work the Forge scopes
 * do not cover (in-house deployments only: Atlassian's policy forbids
 * distributed apps from collecting API tokens, docs/platform-notes.md#api-tokens-and-distributed-apps).
 *
 * - A new token is verified against Confluence before it replaces the old one;
 *   a failed verification leaves the old one in place.
 * - The token is sealed with the installation and space as associated data,
 *   never returned by any operation and never logged.
 * - A daily re-check refreshes its health, and warnings fire 30, 7 and 1 day(s)
 *   before the admin-entered expiry (activity log, settings view, a metric).
 */
export const RECHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;
/** An unreachable Confluence is retried sooner than a day: it says nothing about the token. */
const RECHECK_AFTER_UNREACHABLE_MS = 60 * 60 * 1000;
const RECHECK_BATCH = 50;

export interface SetApiTokenInput {
  installationId: string;
  spaceKey: string;
  accountId: string;
  siteUrl: string;
  cloudId: string;
  email: string;
  token: string;
  /** `YYYY-MM-DD`, already checked to be in the future and within a year. */
  expiresOn: string;
}

export interface ApiTokenService {
  set(input: SetApiTokenInput): Promise<{ saved: boolean; health: TokenHealth }>;
  remove(input: { installationId: string; spaceKey: string; accountId: string }): Promise<boolean>;
  /** What the settings view shows; never the token. Null when none is configured or in marketplace mode. */
  status(installationId: string, spaceKey: string): Promise<ApiTokenStatus | null>;
  /** `CredentialSources.apiToken`. */
  apiToken(
    installationId: string,
    spaceKey: string,
  ): Promise<{ email: string; token: string; grantedScopes: readonly string[] } | null>;
  /** `CredentialSources.markApiTokenUsed`. */
  markApiTokenUsed(installationId: string, spaceKey: string, at: Date): Promise<void>;
  /** The daily job's body: re-checks every token whose check is due; returns how many it checked. */
  recheckDue(): Promise<number>;
  /** Tokens per expiry-warning level, for the gauge. */
  countExpiring(): Promise<Record<string, number>>;
}

function unreachable(now: Date, detail: string): TokenHealth {
  return { status: 'unreachable', missingScopes: [], checkedAt: now.toISOString(), detail };
}

function undecryptable(now: Date): TokenHealth {
  return {
    status: 'undecryptable',
    missingScopes: [],
    checkedAt: now.toISOString(),
    detail: UNDECRYPTABLE_ACTION,
  };
}

/** Compares two secrets without leaking, through timing, how much of them matched. */
function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

const actionForStatus = (health: TokenHealth) =>
  health.status === 'ok' ? 'ok' : health.status === 'unreachable' ? 'warning' : 'failed';

export interface ApiTokenServiceDeps {
  mode: DeploymentMode;
  apiTokens: ApiTokenRepository;
  installations: InstallationRepository;
  activity: ActivityRepository;
  secretBox: SecretBox;
  checkHealth: ApiTokenHealthCheck;
  now: () => Date;
  logger: Logger;
  metrics: Metrics;
}

type CheckResult = { health: TokenHealth; grantedScopes: string[] };

export function createApiTokenService(deps: ApiTokenServiceDeps): ApiTokenService {
  const inHouse = deps.mode === 'in-house';
  return {
    set: (input) => setApiToken(deps, input),

    async remove(input) {
      const removed = await deps.apiTokens.remove(input.installationId, input.spaceKey);
      if (removed) {
        await deps.activity.append({
          installationId: input.installationId,
          spaceKey: input.spaceKey,
          actor: { kind: 'user', id: input.accountId },
          action: 'api_token.removed',
          result: 'ok',
          detail: 'The API token was removed.',
          at: deps.now(),
        });
      }
      return removed;
    },

    async status(installationId, spaceKey) {
      if (!inHouse) return null;
      const record = await deps.apiTokens.find(installationId, spaceKey);
      if (record === null) return null;
      // A token that no longer decrypts cannot work, whatever its last check said.
      const readable = deps.secretBox.hasKey(record.sealed.keyId) && openRecord(deps, record) !== null;
      return {
        email: record.email,
        expiresAt: record.expiresOn,
        health: readable ? record.health : undecryptable(deps.now()),
        lastUsedAt: record.lastUsedAt,
        expiryWarning: expiryWarningFor(record.expiresOn, deps.now()),
      };
    },

    async apiToken(installationId, spaceKey) {
      if (!inHouse) return null;
      const record = await deps.apiTokens.find(installationId, spaceKey);
      if (record === null) return null;
      const token = deps.secretBox.open(record.sealed, { kind: 'api-token', installationId, spaceKey });
      return { email: record.email, token, grantedScopes: record.grantedScopes };
    },

    async markApiTokenUsed(installationId, spaceKey, at) {
      await deps.apiTokens.markUsed(installationId, spaceKey, at);
    },

    recheckDue: () => (inHouse ? recheckDue(deps) : Promise.resolve(0)),

    async countExpiring() {
      const now = deps.now();
      const counts: Record<string, number> = { '30_days': 0, '7_days': 0, '1_day': 0, expired: 0 };
      for (const expiresOn of await deps.apiTokens.listExpiryDates()) {
        const warning = expiryWarningFor(expiresOn, now);
        if (warning !== null) counts[warning.level] = (counts[warning.level] ?? 0) + 1;
      }
      return counts;
    },
  };
}

/** The stored token of a record, or null when it no longer decrypts (a changed master key). */
function openRecord(deps: ApiTokenServiceDeps, record: ApiTokenRecord): string | null {
  try {
    return deps.secretBox.open(record.sealed, {
      kind: 'api-token',
      installationId: record.installationId,
      spaceKey: record.spaceKey,
    });
  } catch (error) {
    deps.logger.error(
      { installationId: record.installationId, spaceKey: record.spaceKey, err: error },
      'a stored API token cannot be decrypted',
    );
    return null;
  }
}

/** Runs the health check; a thrown error is an unreachable Confluence, never a crash of the caller. */
async function runCheck(deps: ApiTokenServiceDeps, input: ApiTokenHealthInput): Promise<CheckResult> {
  try {
    const result = await deps.checkHealth(input);
    deps.metrics.apiTokenChecks.inc({ status: result.health.status });
    return result;
  } catch (error) {
    // Only the error's name: its message might quote the request, and the request carried the token.
    deps.logger.warn(
      { errorName: error instanceof Error ? error.name : typeof error },
      'the API token health check failed unexpectedly',
    );
    deps.metrics.apiTokenChecks.inc({ status: 'unreachable' });
    return {
      health: unreachable(deps.now(), 'Pagewire could not complete the check; it will try again.'),
      grantedScopes: [],
    };
  }
}

async function announceExpiry(deps: ApiTokenServiceDeps, record: ApiTokenRecord, now: Date): Promise<void> {
  const warning = expiryWarningFor(record.expiresOn, now);
  if (warning === null || !isNewerWarning(warning.level, record.expiryWarning)) return;
  const when =
    warning.level === 'expired'
      ? `expired on ${record.expiresOn}`
      : `expires on ${record.expiresOn} (in ${warning.daysLeft} day${warning.daysLeft === 1 ? '' : 's'})`;
  await deps.activity.append({
    installationId: record.installationId,
    spaceKey: record.spaceKey,
    actor: { kind: 'system', id: 'pagewire' },
    action: 'api_token.expiring',
    result: 'warning',
    detail: `The API token of ${record.email} ${when}. Create a new scoped token and enter it in the Pagewire space settings.`,
    at: now,
  });
  await deps.apiTokens.setExpiryWarning(record.installationId, record.spaceKey, warning.level);
  deps.metrics.apiTokenExpiryWarnings.inc({ level: warning.level });
}

/**
 * A new token is verified before it replaces the old one; a failed check
 * leaves the old one in place and says so in the activity log.
 */
async function setApiToken(
  deps: ApiTokenServiceDeps,
  input: SetApiTokenInput,
): Promise<{ saved: boolean; health: TokenHealth }> {
  // Only a pair that passed a check is ever stored: re-entering the stored
  // email + token (after it stopped working) is a pair that worked before,
  // so a plain 401 now means expired or revoked, not a wrong email.
  const existing = await deps.apiTokens.find(input.installationId, input.spaceKey);
  const stored = existing === null ? null : openRecord(deps, existing);
  const previouslyVerified =
    existing !== null &&
    stored !== null &&
    existing.email.toLowerCase() === input.email.toLowerCase() &&
    sameSecret(stored, input.token);
  const result = await runCheck(deps, {
    siteUrl: input.siteUrl,
    cloudId: input.cloudId,
    email: input.email,
    token: input.token,
    previouslyVerified,
    expiresOn: input.expiresOn,
  });
  const now = deps.now();
  if (result.health.status !== 'ok') {
    await deps.activity.append({
      installationId: input.installationId,
      spaceKey: input.spaceKey,
      actor: { kind: 'user', id: input.accountId },
      action: 'api_token.rejected',
      result: 'failed',
      detail: `A new API token for ${input.email} was not saved: the check found "${result.health.status}". The previous token (if any) stays in place.`,
      at: now,
    });
    return { saved: false, health: result.health };
  }
  await saveVerified(deps, input, result, now);
  return { saved: true, health: result.health };
}

/** Seals and stores a token that passed its check, and warns at once when it expires soon. */
async function saveVerified(
  deps: ApiTokenServiceDeps,
  input: SetApiTokenInput,
  result: CheckResult,
  now: Date,
): Promise<void> {
  await deps.apiTokens.save(
    {
      installationId: input.installationId,
      spaceKey: input.spaceKey,
      email: input.email,
      sealed: deps.secretBox.seal(input.token, {
        kind: 'api-token',
        installationId: input.installationId,
        spaceKey: input.spaceKey,
      }),
      expiresOn: input.expiresOn,
      health: result.health,
      grantedScopes: result.grantedScopes,
      nextCheckAt: new Date(now.getTime() + RECHECK_INTERVAL_MS).toISOString(),
      createdAt: now.toISOString(),
      createdBy: input.accountId,
    },
    now,
  );
  await deps.activity.append({
    installationId: input.installationId,
    spaceKey: input.spaceKey,
    actor: { kind: 'user', id: input.accountId },
    action: 'api_token.set',
    result: 'ok',
    detail: `API token of ${input.email} saved; it expires on ${input.expiresOn}.`,
    at: now,
  });
  // A token entered 20 days before its expiry warns right away rather than at the next daily run.
  const saved = await deps.apiTokens.find(input.installationId, input.spaceKey);
  if (saved !== null) await announceExpiry(deps, saved, now);
}

/** The daily job's body: re-checks every token whose check is due, in batches; returns how many. */
async function recheckDue(deps: ApiTokenServiceDeps): Promise<number> {
  let checked = 0;
  for (;;) {
    const now = deps.now();
    const batch = await deps.apiTokens.claimDue(
      now,
      new Date(now.getTime() + RECHECK_INTERVAL_MS),
      RECHECK_BATCH,
    );
    for (const record of batch) {
      try {
        await recheck(deps, record, now);
        await announceExpiry(deps, record, now);
      } catch (error) {
        deps.logger.error(
          { installationId: record.installationId, spaceKey: record.spaceKey, err: error },
          'the daily API token check failed for one space',
        );
      }
      checked++;
    }
    if (batch.length < RECHECK_BATCH) return checked;
  }
}

/** Checks a stored token as it is now: not knowing the site, or not decrypting, is a result too. */
async function checkStored(
  deps: ApiTokenServiceDeps,
  record: ApiTokenRecord,
  now: Date,
): Promise<CheckResult> {
  const installation = await deps.installations.find(record.installationId);
  if (installation?.siteUrl == null) {
    return {
      health: unreachable(now, 'The site URL of this installation is not known yet.'),
      grantedScopes: [],
    };
  }
  const token = openRecord(deps, record);
  if (token === null) return { health: undecryptable(now), grantedScopes: [] };
  return runCheck(deps, {
    siteUrl: installation.siteUrl,
    cloudId: installation.cloudId,
    email: record.email,
    token,
    previouslyVerified: true,
    expiresOn: record.expiresOn,
  });
}

/** Re-checks one token, records the result and logs a change of health in the activity log. */
async function recheck(deps: ApiTokenServiceDeps, record: ApiTokenRecord, now: Date): Promise<void> {
  const result = await checkStored(deps, record, now);
  const retryIn = result.health.status === 'unreachable' ? RECHECK_AFTER_UNREACHABLE_MS : RECHECK_INTERVAL_MS;
  // Keep the scopes last seen when the check could not reach Confluence or read the token.
  const keepScopes = result.health.status === 'unreachable' || result.health.status === 'undecryptable';
  const recorded = await deps.apiTokens.recordCheck(record.installationId, record.spaceKey, record.sealed, {
    health: result.health,
    grantedScopes: keepScopes ? record.grantedScopes : result.grantedScopes,
    nextCheckAt: new Date(now.getTime() + retryIn),
  });
  if (recorded && result.health.status !== record.health.status) {
    await deps.activity.append({
      installationId: record.installationId,
      spaceKey: record.spaceKey,
      actor: { kind: 'system', id: 'pagewire' },
      action: 'api_token.checked',
      result: actionForStatus(result.health),
      detail: `The API token of ${record.email} is now "${result.health.status}" (was "${record.health.status}").${
        result.health.detail === undefined ? '' : ` ${result.health.detail}`
      }`,
      at: now,
    });
  }
}
