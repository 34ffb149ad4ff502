import type { DeploymentMode, TokenHealth } from '@pagewire/shared';
import type { ApiTokenService } from '../credentials/api-token-service';

import { checkExpiryDate } from '../domain/expiry-warning';
import { ProblemError } from '../domain/problem-error';
import { isAllowedSiteUrl, normaliseSiteUrl } from '../domain/site-url';
import type { KeyAdmin } from './ingest-keys';
import type { InstallationStore } from './ports';

export interface ApiTokenUseCasesDeps {
  apiTokens: Pick<ApiTokenService, 'set' | 'remove'>;
  installations: Pick<InstallationStore, 'find'>;
  mode: DeploymentMode;
  atlassianApiBase: URL;
  now: () => Date;
}

/** A space admin setting the space's token, from a call that may name the site. */
export interface ApiTokenAdmin extends KeyAdmin {
  cloudId: string;
  /** The site URL the call's context names, if any. */
  siteUrl: string | null;
}

export interface ApiTokenUseCases {
  /** Checks and stores a scoped API token for the space (never in marketplace mode). */
  set(
    admin: ApiTokenAdmin,
    token: { email: string; token: string; expiresAt: string },
  ): Promise<{ saved: boolean; health: TokenHealth }>;
  remove(admin: KeyAdmin): Promise<boolean>;
}

export function createApiTokenUseCases(deps: ApiTokenUseCasesDeps): ApiTokenUseCases {
  function refuseInMarketplace(): void {
    if (deps.mode === 'marketplace') {
      // Atlassian forbids distributed apps from collecting API tokens (docs/platform-notes.md#api-tokens-and-distributed-apps).
      throw new ProblemError(
        'api_tokens_disabled',
        'This Pagewire deployment runs in marketplace mode, where storing Atlassian API tokens is not allowed.',
      );
    }
  }

  return {
    async set(admin, input) {
      refuseInMarketplace();
      const dateProblem = checkExpiryDate(input.expiresAt, deps.now());
      if (dateProblem !== null) {
        throw new ProblemError('validation_failed', `The expiry date ${dateProblem}.`, {
          errors: [{ path: '/expiresAt', message: dateProblem }],
        });
      }
      const installation = await deps.installations.find(admin.installationId);
      const siteUrl = [installation?.siteUrl, admin.siteUrl].find(
        (candidate): candidate is string =>
          typeof candidate === 'string' && isAllowedSiteUrl(candidate, deps.atlassianApiBase),
      );
      if (siteUrl === undefined) {
        throw new ProblemError(
          'installation_unknown',
          'Pagewire does not know this site’s URL yet, so it cannot check the token. Open Pagewire once from the site, then try again.',
        );
      }
      return deps.apiTokens.set({
        installationId: admin.installationId,
        spaceKey: admin.spaceKey,
        accountId: admin.accountId,
        siteUrl: normaliseSiteUrl(siteUrl),
        cloudId: admin.cloudId,
        email: input.email,
        token: input.token,
        expiresOn: input.expiresAt,
      });
    },

    async remove(admin) {
      refuseInMarketplace();
      return deps.apiTokens.remove(admin);
    },
  };
}
