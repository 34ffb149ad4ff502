import type { DeploymentMode } from '@pagewire/shared';
import {
  type ConfluenceClient,
  type ConfluenceClientOptions,
  createConfluenceClient,
} from '../confluence/client';
import type { ConfluenceCredential, CredentialKind } from '../confluence/credential';
import type { ConfluenceEndpoint } from '../confluence/endpoint-scopes';
import { isAuthError, isScopeError, NoCredentialError } from '../confluence/errors';
import type { Pacer } from '../confluence/pacer';
import { type CredentialSources, createCredentialSelector } from '../credentials/credential-selector';
import { cacheSourcesForJob } from '../credentials/job-credential-sources';
import type { Installation, InstallationRepository } from '../store/installation-repository';
import type { ConfluenceClientResolver, JobConfluenceClients, PublishTarget } from './confluence-gateway';
import { PermanentPublishError } from './publish-errors';

export interface ConfluenceClientResolverDeps {
  /** Where tokens come from (the app token store and the space API tokens); read once per job. */
  sources: CredentialSources;
  mode: DeploymentMode;
  /** Defaults to FORGE_APP_SCOPES. */
  appScopes?: readonly string[];
  now?: () => Date;
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
   * next call falls back (credential-selector.ts).
   */
  onCredentialRefused?: (credential: ConfluenceCredential) => Promise<void>;
}

/**
 * The clients of the engine's jobs. Each job gets its own set (`forJob`):
 * the installation's recorded gateway (`app.apiBaseUrl` from its signed FIT)
 * is read once, the credential selector picks a credential per endpoint by
 * its scopes from tokens read (and decrypted) once per job, and one client
 * per credential kind serves every call of the job. One pacer shared by the
 * whole process spaces the calls per credential, so a burst of queued work
 * becomes a steady stream rather than a 429 storm.
 *
 * A token Confluence refuses mid-job is reported (`onCredentialRefused`) and
 * forgotten by the job, so its next call selects again, as a fresh job would.
 */
export function createConfluenceClientResolver(deps: ConfluenceClientResolverDeps): ConfluenceClientResolver {
  return {
    forJob() {
      const targets = new Map<string, Promise<TargetClients>>();
      return {
        async clientFor(target, endpoint) {
          const key = `${target.installationId}\u0000${target.spaceKey}`;
          let opened = targets.get(key);
          if (opened === undefined) {
            opened = openTarget(deps, target);
            targets.set(key, opened);
            // A failed read is not kept: the job's next call reads again, as before.
            opened.catch(() => targets.delete(key));
          }
          return (await opened).clientFor(endpoint);
        },
      } satisfies JobConfluenceClients;
    },
  };
}

interface TargetClients {
  clientFor(endpoint: ConfluenceEndpoint): Promise<ConfluenceClient>;
}

/** Reads the target's installation and sets up its credential selection for the rest of the job. */
async function openTarget(deps: ConfluenceClientResolverDeps, target: PublishTarget): Promise<TargetClients> {
  const installation = await writableInstallation(deps.installations, target.installationId);
  const sources = cacheSourcesForJob(deps.sources);
  const selector = createCredentialSelector({
    sources,
    mode: deps.mode,
    ...(deps.appScopes === undefined ? {} : { appScopes: deps.appScopes }),
    ...(deps.now === undefined ? {} : { now: deps.now }),
  });
  const clients = new Map<CredentialKind, ConfluenceClient>();
  const forget = (kind: CredentialKind) => {
    clients.delete(kind);
    sources.forget(kind);
  };
  return {
    async clientFor(endpoint) {
      const credential = await selector.credentialFor({
        installationId: target.installationId,
        spaceKey: target.spaceKey,
        endpoint,
      });
      let client = clients.get(credential.kind);
      if (client === undefined) {
        client = clientWith(deps, installation.apiBaseUrl, credential, forget);
        clients.set(credential.kind, client);
      }
      return client;
    },
  };
}

async function writableInstallation(
  installations: InstallationRepository,
  installationId: string,
): Promise<Installation> {
  const installation = await installations.find(installationId);
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
  return installation;
}

/** A paced client for one credential; a plain 401 reports the credential and makes the job forget it. */
function clientWith(
  deps: ConfluenceClientResolverDeps,
  baseUrl: string,
  credential: ConfluenceCredential,
  forget: (kind: CredentialKind) => void,
): ConfluenceClient {
  const client = createConfluenceClient({
    baseUrl,
    allowedApiBase: deps.allowedApiBase,
    credential,
    pacer: deps.pacer,
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
    ...(deps.retry === undefined ? {} : { retry: deps.retry }),
    ...(deps.timeoutMs === undefined ? {} : { timeoutMs: deps.timeoutMs }),
    ...(deps.onAttempt === undefined ? {} : { onAttempt: deps.onAttempt }),
  });
  return {
    baseUrl: client.baseUrl,
    credential: client.credential,
    async send(request) {
      try {
        return await client.send(request);
      } catch (error) {
        if (isAuthError(error) && !isScopeError(error)) {
          forget(credential.kind);
          await deps.onCredentialRefused?.(credential);
        }
        throw error;
      }
    },
  };
}
