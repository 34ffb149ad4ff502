import type { CredentialKind } from '../confluence/credential';
import type { CredentialSources } from './credential-selector';

/**
 * The credential sources as one job sees them: each token is read (and
 * decrypted) the first time the job needs it and then kept for the rest of
 * the job, so a job that makes five Confluence calls opens a token once, not
 * five times. `forget` drops a kind once Confluence refused its token, so the
 * job's next call reads the sources again and falls back as it would have
 * before (the refused app token is gone from the store by then).
 */
export interface JobCredentialSources extends CredentialSources {
  forget(kind: CredentialKind): void;
}

type AppToken = Awaited<ReturnType<CredentialSources['appToken']>>;
type ApiToken = Awaited<ReturnType<CredentialSources['apiToken']>>;

export function cacheSourcesForJob(sources: CredentialSources): JobCredentialSources {
  // Keyed by installation (and space): a job has one target, but nothing here relies on it.
  const appTokens = new Map<string, Promise<AppToken>>();
  const apiTokens = new Map<string, Promise<ApiToken>>();
  const markedUsed = new Set<string>();
  const apiKey = (installationId: string, spaceKey: string) => `${installationId}\u0000${spaceKey}`;

  /** Remembers a read; a failed one is not remembered, so the next call tries again. */
  function once<T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
    let pending = cache.get(key);
    if (pending === undefined) {
      pending = read();
      cache.set(key, pending);
      pending.catch(() => {
        if (cache.get(key) === pending) cache.delete(key);
      });
    }
    return pending;
  }

  const cached: JobCredentialSources = {
    appToken: (installationId) => once(appTokens, installationId, () => sources.appToken(installationId)),
    apiToken: (installationId, spaceKey) =>
      once(apiTokens, apiKey(installationId, spaceKey), () => sources.apiToken(installationId, spaceKey)),
    async markApiTokenUsed(installationId, spaceKey, at) {
      // "Last used" has minute resolution on the settings page: once per job is plenty.
      const key = apiKey(installationId, spaceKey);
      if (markedUsed.has(key)) return;
      markedUsed.add(key);
      await sources.markApiTokenUsed(installationId, spaceKey, at);
    },
    forget(kind) {
      if (kind === 'app-token') appTokens.clear();
      else apiTokens.clear();
    },
  };
  const refuse = sources.refuseAppToken;
  if (refuse !== undefined) cached.refuseAppToken = (installationId, token) => refuse(installationId, token);
  return cached;
}
