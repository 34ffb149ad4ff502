import { type Clock, systemClock } from '../clock';
import {
  ConfluenceConfigError,
  ConfluenceHttpError,
  NetworkError,
  NotFoundError,
  ResponseSchemaError,
} from '../errors';
import { tenantInfoSchema } from '../schemas';

/**
 * `GET <siteUrl>/_edge/tenant_info` answers `{"cloudId": "…"}` without
 * authentication (Atlassian KB "Retrieve my Atlassian site's cloud ID";
 * docs/platform-notes.md#cloud-id-lookup). It is the only call Pagewire
 * makes to a site URL, and it never carries a credential: scoped tokens only
 * work on the gateway.
 */
export async function getTenantInfo(params: {
  siteUrl: string;
  fetch?: typeof fetch;
  clock?: Clock;
  timeoutMs?: number;
  signal?: AbortSignal;
}): Promise<{ cloudId: string }> {
  const doFetch = params.fetch ?? globalThis.fetch;
  const clock = params.clock ?? systemClock;
  const url = tenantInfoUrl(params.siteUrl);
  const attempt = new AbortController();
  const stopTimer = new AbortController();
  const onAbort = () => attempt.abort(params.signal?.reason);
  params.signal?.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  clock.sleep(params.timeoutMs ?? 10_000, stopTimer.signal).then(
    () => {
      timedOut = true;
      attempt.abort();
    },
    () => {},
  );
  let status: number;
  let headers: Headers;
  let text: string;
  try {
    const response = await doFetch(url, {
      method: 'GET',
      headers: { Accept: 'application/json' },
      signal: attempt.signal,
      redirect: 'manual',
    });
    status = response.status;
    headers = response.headers;
    text = await response.text();
  } catch (error) {
    if (params.signal?.aborted) throw params.signal.reason;
    throw new NetworkError(
      timedOut
        ? `The site ${url.origin} did not answer in time.`
        : `The site ${url.origin} could not be reached. Check the site URL and the network.`,
      { transient: true, ambiguous: false, timedOut },
      { cause: error },
    );
  } finally {
    stopTimer.abort();
    params.signal?.removeEventListener('abort', onAbort);
  }

  return readCloudId(params.siteUrl, url, status, headers, text);
}

function tenantInfoUrl(siteUrl: string): URL {
  let url: URL;
  try {
    url = new URL(`${siteUrl.replace(/\/+$/, '')}/_edge/tenant_info`);
  } catch {
    throw new ConfluenceConfigError(`"${siteUrl}" is not a site URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfluenceConfigError(`"${siteUrl}" is not a site URL.`);
  }
  return url;
}

/** The cloud id from a tenant_info answer, or the error that says why there is none. */
function readCloudId(
  siteUrl: string,
  url: URL,
  status: number,
  headers: Headers,
  text: string,
): { cloudId: string } {
  const response = { status, headers, method: 'GET', path: url.pathname };
  if (status === 404) {
    throw new NotFoundError(`${siteUrl} does not answer like a Confluence Cloud site (no tenant info).`, {
      response,
    });
  }
  if (status < 200 || status >= 300) {
    throw new ConfluenceHttpError(
      `${siteUrl} answered ${status} when asked for its cloud id.`,
      status >= 500 ? 'confluence_unavailable' : 'confluence_not_found',
      { response },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = tenantInfoSchema.safeParse(json);
  if (!parsed.success) {
    throw new ResponseSchemaError(`${siteUrl} did not answer with a cloud id.`, ['cloudId missing'], {
      response,
    });
  }
  return { cloudId: parsed.data.cloudId };
}
