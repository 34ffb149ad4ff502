/**
 * A site URL is what humans open (`https://<name>.atlassian.net`); the devkit
 * serves its twin sites under the configured API origin instead. Anything
 * else is refused, so a health check never sends a token to a host of the
 * caller's choosing.
 */
export function isAllowedSiteUrl(siteUrl: string, apiBase: URL): boolean {
  let url: URL;
  try {
    url = new URL(siteUrl);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '') return false;
  if (
    url.protocol === 'https:' &&
    /^[a-z0-9][a-z0-9-]{0,62}\.atlassian\.net$/i.test(url.hostname) &&
    url.port === ''
  ) {
    return true;
  }
  return url.origin === apiBase.origin;
}

/** The site URL without a trailing slash or path noise, as stored. */
export function normaliseSiteUrl(siteUrl: string): string {
  const url = new URL(siteUrl);
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path}`;
}
