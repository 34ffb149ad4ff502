import { checkExpiryDate } from '../../domain/expiry-warning';
import { isAllowedSiteUrl, normaliseSiteUrl } from '../../domain/site-url';
import { ProblemError } from '../problem-error';
import type { OperationDeps, OperationHandlers } from './operation-types';
import { actorOf, spaceOf } from './operation-types';

function refuseInMarketplace(deps: OperationDeps): void {
  if (deps.mode === 'marketplace') {
    // Atlassian forbids distributed apps from collecting API tokens (docs/platform-notes.md#api-tokens-and-distributed-apps).
    throw new ProblemError(
      'api_tokens_disabled',
      'This Pagewire deployment runs in marketplace mode, where storing Atlassian API tokens is not allowed.',
    );
  }
}

export function createApiTokenOperations(
  deps: OperationDeps,
): Pick<OperationHandlers, 'apiToken.set' | 'apiToken.remove'> {
  return {
    async 'apiToken.set'(call) {
      refuseInMarketplace(deps);
      const installationId = call.invocation.installationId;
      const spaceKey = spaceOf(call.context);
      const now = deps.now();
      const dateProblem = checkExpiryDate(call.input.expiresAt, now);
      if (dateProblem !== null) {
        throw new ProblemError('validation_failed', `The expiry date ${dateProblem}.`, {
          errors: [{ path: '/expiresAt', message: dateProblem }],
        });
      }
      const installation = await deps.repositories.installations.find(installationId);
      const candidates = [installation?.siteUrl, call.context.siteUrl];
      const siteUrl = candidates.find(
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
        installationId,
        spaceKey,
        accountId: actorOf(call.context),
        siteUrl: normaliseSiteUrl(siteUrl),
        cloudId: call.invocation.cloudId,
        email: call.input.email,
        token: call.input.token,
        expiresOn: call.input.expiresAt,
      });
    },

    async 'apiToken.remove'(call) {
      refuseInMarketplace(deps);
      const removed = await deps.apiTokens.remove({
        installationId: call.invocation.installationId,
        spaceKey: spaceOf(call.context),
        accountId: actorOf(call.context),
      });
      return { removed };
    },
  };
}
