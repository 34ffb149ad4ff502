import { randomBytes } from 'node:crypto';
import { type DevApiClient, PAGEWIRE_APP_ID } from '@pagewire/devkit';

/**
 * The environment of a backend in production configuration (an app id and a
 * master key, not `PAGEWIRE_DEV`) whose Forge and Confluence are the devkit
 * emulator: FITs verify against its JWKS and its gateway is the only API base.
 * `settings` adds the database and anything else the test tunes. Processes
 * started with one result share its master key, so each reads what another sealed.
 */
export function emulatorBackendEnv(
  dev: DevApiClient,
  settings: { DATABASE_URL: string } & Record<string, string>,
): Record<string, string> {
  return {
    PAGEWIRE_FORGE_APP_ID: PAGEWIRE_APP_ID,
    PAGEWIRE_FORGE_JWKS_URL: dev.jwksUrl,
    PAGEWIRE_ATLASSIAN_API_BASE: dev.url,
    PAGEWIRE_MASTER_KEY: randomBytes(32).toString('base64'),
    ...settings,
  };
}
