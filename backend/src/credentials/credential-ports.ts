import type { TokenHealth } from '@pagewire/shared';

/**
 * The two seams between credential storage (here) and the Confluence-client
 * work (`credential-router.ts`, `token-health.ts`, another engineer's). These
 * mirror the agreed interfaces exactly; the composition passes the real
 * `checkApiTokenHealth` in, so swapping these aliases for imports of the real
 * modules is a one-line change per type.
 */
export interface CredentialSources {
  /** Only tokens still valid beyond a safety margin. */
  appToken(installationId: string): Promise<{ token: string; expiresAt: Date } | null>;
  apiToken(
    installationId: string,
    spaceKey: string,
  ): Promise<{ email: string; token: string; grantedScopes: readonly string[] } | null>;
  markApiTokenUsed(installationId: string, spaceKey: string, at: Date): Promise<void>;
}

export interface ApiTokenHealthInput {
  siteUrl: string;
  cloudId: string;
  email: string;
  token: string;
}

/** `checkApiTokenHealth` with its `deps` (API base, fetch, clock) already bound by the composition. */
export type ApiTokenHealthCheck = (
  input: ApiTokenHealthInput,
) => Promise<{ health: TokenHealth; grantedScopes: string[] }>;
