import { type DeploymentMode, FORGE_APP_SCOPES } from '@pagewire/shared';
import {
  type ConfluenceCredential,
  createApiTokenCredential,
  createAppTokenCredential,
} from '../confluence/credential';
import {
  type ConfluenceEndpoint,
  confluenceEndpointScopes,
  missingScopesFor,
  scopesCover,
} from '../confluence/endpoint-scopes';
import { NoCredentialError, ScopeError } from '../confluence/errors';

/**
 * Picks the credential for each Confluence call by the scopes the call needs
 * (docs/CONFLUENCE-CLIENT.md, "Which credential for which call"):
 *  1. the Forge app system token, when the manifest's scopes cover the call
 *     and a token valid beyond the safety margin is cached;
 *  2. else the space's scoped API token, when its granted scopes cover the
 *     call (in-house deployments only: Atlassian's policy forbids apps that
 *     are distributed to customers from collecting API tokens);
 *  3. else a ScopeError naming what is missing on which credential, or a
 *     NoCredentialError when the scopes would be covered but no usable token
 *     is on hand (retry later).
 */

export interface CredentialSources {
  /** Only tokens still valid beyond a safety margin. */
  appToken(installationId: string): Promise<{ token: string; expiresAt: Date } | null>;
  apiToken(
    installationId: string,
    spaceKey: string,
  ): Promise<{ email: string; token: string; grantedScopes: readonly string[] } | null>;
  markApiTokenUsed(installationId: string, spaceKey: string, at: Date): Promise<void>;
  /**
   * Confluence answered 401 (not a scope 401) to this app token: drop it, so
   * the next `appToken` call has none and the selector falls back.
   */
  refuseAppToken?(installationId: string, token: string): Promise<void>;
}

/** Re-exported from the contract: the scopes `manifest.yml` requests. */
export { FORGE_APP_SCOPES };

export interface CredentialRequest {
  readonly installationId: string;
  /** The space the call touches; null for calls outside any space (then only the app token can serve). */
  readonly spaceKey: string | null;
  readonly endpoint: ConfluenceEndpoint;
}

export interface CredentialSelector {
  credentialFor(request: CredentialRequest): Promise<ConfluenceCredential>;
}

export interface CredentialSelectorOptions {
  readonly sources: CredentialSources;
  /** Defaults to FORGE_APP_SCOPES. */
  readonly appScopes?: readonly string[];
  readonly mode: DeploymentMode;
  readonly now?: () => Date;
}

export function createCredentialSelector(options: CredentialSelectorOptions): CredentialSelector {
  const { sources, mode } = options;
  const appScopes = options.appScopes ?? FORGE_APP_SCOPES;
  const now = options.now ?? (() => new Date());

  return {
    async credentialFor({ installationId, spaceKey, endpoint }) {
      const work = confluenceEndpointScopes[endpoint].describe;
      const appCovers = scopesCover(appScopes, endpoint);
      const lacks: string[] = [];
      let unavailable: string | null = null;

      if (appCovers) {
        const app = await sources.appToken(installationId);
        if (app && app.expiresAt.getTime() > now().getTime()) {
          return createAppTokenCredential({
            installationId,
            token: app.token,
            expiresAt: app.expiresAt,
            scopes: appScopes,
          });
        }
        unavailable =
          'no valid Forge app token is cached (Forge hands one to the backend with each invocation and the hourly trigger)';
      } else {
        lacks.push(`the Forge app token lacks ${missingScopesFor(appScopes, endpoint).join(' and ')}`);
      }

      if (mode === 'marketplace') {
        lacks.push('API tokens are turned off in marketplace deployments');
      } else if (spaceKey === null) {
        lacks.push('no space is involved, so no space API token can stand in');
      } else {
        const api = await sources.apiToken(installationId, spaceKey);
        if (!api) {
          lacks.push(`no API token is configured for space ${spaceKey}`);
        } else if (!scopesCover(api.grantedScopes, endpoint)) {
          lacks.push(
            `the API token of ${api.email} for space ${spaceKey} lacks ${missingScopesFor(api.grantedScopes, endpoint).join(' and ')}`,
          );
        } else {
          const at = now();
          await sources.markApiTokenUsed(installationId, spaceKey, at);
          return createApiTokenCredential({
            installationId,
            spaceKey,
            email: api.email,
            token: api.token,
            scopes: api.grantedScopes,
          });
        }
      }

      if (unavailable !== null) {
        throw new NoCredentialError(
          `Pagewire cannot do ${work} right now: ${unavailable}, and ${lacks.join('; ')}. It tries again after the next Forge call.`,
        );
      }
      const missing = missingScopesFor(appScopes, endpoint);
      throw new ScopeError(
        `No credential can do ${work}: ${lacks.join('; ')}.` +
          (mode === 'in-house'
            ? ` Create a scoped API token with ${missing.join(' and ')} for the service account and enter it in the space settings.`
            : ''),
        {
          missingScopes: missing,
          credential:
            mode === 'in-house' && spaceKey
              ? `the Forge app token and the API token for space ${spaceKey}`
              : 'the Forge app token',
        },
      );
    },
  };
}
