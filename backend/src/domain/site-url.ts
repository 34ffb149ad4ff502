/**
 * Whether a site URL may be recorded for an installation. Site URLs reach the
 * backend only from Atlassian: the signed FIT context, or the envelope our own
 * Forge functions build from the platform context (auth/invocation-origin.ts
 * decides which calls those are; Forge's event bodies are never read for it).
 * Atlassian serves sites on more hosts than `*.atlassian.net` (custom domains;
 * the FIT docs' own example is a `jira-dev.com` site), so no host pattern is
 * applied: the URL is trusted for the cloud id only once the site's
 * `/_edge/tenant_info` names that cloud id, which the token health check asks
 * (without credentials) before any token is used (docs/platform-notes.md#site-urls).
 * What is refused is what no Atlassian site URL looks like: not https,
 * credentials, a query or a fragment. The devkit serves its twin sites under
 * the configured API origin over http, so that origin is allowed too.
 */
export function isAllowedSiteUrl(siteUrl: string, apiBase: URL): boolean {
  let url: URL;
  try {
    url = new URL(siteUrl);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return false;
  if (url.origin === apiBase.origin) return true;
  return url.protocol === 'https:' && url.hostname.includes('.');
}

/** The site URL without a trailing slash or path noise, as stored. */
export function normaliseSiteUrl(siteUrl: string): string {
  const url = new URL(siteUrl);
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path}`;
}
