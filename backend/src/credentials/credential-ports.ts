import type { TokenHealth } from '@pagewire/shared';
import type { TokenHealthInput } from './token-health';

/**
 * The seams between credential storage (here) and the Confluence-client work
 * (`credential-selector.ts`, `token-health.ts`): storage implements the selector's
 * `CredentialSources`, and runs `checkApiTokenHealth` with its deps (API base,
 * fetch, clock) bound by the composition, so tests can pass a fake check.
 */
export type { CredentialSources } from './credential-selector';

export type ApiTokenHealthInput = TokenHealthInput;

export type ApiTokenHealthCheck = (
  input: ApiTokenHealthInput,
) => Promise<{ health: TokenHealth; grantedScopes: string[] }>;
