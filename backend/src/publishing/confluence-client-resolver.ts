import { type ConfluenceClientOptions, createConfluenceClient } from '../confluence/client';
import type { ConfluenceCredential } from '../confluence/credential';
import { isAuthError, isScopeError, NoCredentialError } from '../confluence/errors';
import type { Pacer } from '../confluence/pacer';
import type { CredentialRouter } from '../credentials/credential-router';
import type { InstallationRepository } from '../store/installation-repository';
import type { ConfluenceClientResolver } from './confluence-gateway';
import { PermanentPublishError } from './publish-errors';

/**
 * The client for one Confluence call of the engine: the credential router
 * picks the credential by the call's scopes, the installation's recorded
 * gateway (`app.apiBaseUrl` from its signed FIT) is the base URL, and one
 * pacer shared by the whole process spaces the calls per credential, so a
 * burst of queued work becomes a steady stream rather than a 429 storm.
 */
export function createConfluenceClientResolver(deps: {
  credentialRouter: CredentialRouter;
  installations: InstallationRepository;
  allowedApiBase: string;
  pacer: Pacer;
  fetch?: typeof fetch;
  retry?: ConfluenceClientOptions['retry'];
  timeoutMs?: number;
  onAttempt?: ConfluenceClientOptions['onAttempt'];
  /**
   * Told when Confluence answers a plain 401 (expired or revoked, not a
   * missing scope) to a credential, so a dead app token is dropped and the
   * next call falls back (credential-router.ts).
   */
  onCredentialRefused?: (credential: ConfluenceCredential) => Promise<void>;
}): ConfluenceClientResolver {
  return async (target, operation) => {
    const installation = await deps.installations.find(target.installationId);
    if (installation === null) {
      throw new NoCredentialError(
        'This installation has not been recorded yet: Pagewire learns its Confluence address from the first Forge call.',
      );
    }
    if (installation.uninstalledAt !== null) {
      // Forge's pre-uninstall trigger arrived: nothing more is written to this site.
      throw new PermanentPublishError(
        'installation_uninstalled',
        'Pagewire was uninstalled from this site, so it no longer writes to it.',
      );
    }
    const credential = await deps.credentialRouter.credentialFor({
      installationId: target.installationId,
      spaceKey: target.spaceKey,
      operation,
    });
    const client = createConfluenceClient({
      baseUrl: installation.apiBaseUrl,
      allowedApiBase: deps.allowedApiBase,
      credential,
      pacer: deps.pacer,
      ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
      ...(deps.retry === undefined ? {} : { retry: deps.retry }),
      ...(deps.timeoutMs === undefined ? {} : { timeoutMs: deps.timeoutMs }),
      ...(deps.onAttempt === undefined ? {} : { onAttempt: deps.onAttempt }),
    });
    const onRefused = deps.onCredentialRefused;
    if (onRefused === undefined) return client;
    return {
      baseUrl: client.baseUrl,
      credential: client.credential,
      async send(request) {
        try {
          return await client.send(request);
        } catch (error) {
          if (isAuthError(error) && !isScopeError(error)) await onRefused(credential);
          throw error;
        }
      },
    };
  };
}
