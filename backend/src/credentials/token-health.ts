import type { TokenHealth, TokenHealthStatus } from '@pagewire/shared';
import { getTenantInfo } from '../confluence/api/tenant-info';
import { type ConfluenceClient, createConfluenceClient, gatewayBaseUrl } from '../confluence/client';
import { type Clock, systemClock } from '../confluence/clock';
import { createApiTokenCredential } from '../confluence/credential';
import type { ConfluenceEndpoint } from '../confluence/endpoint-scopes';
import {
  isAuthError,
  isConfluenceConfigError,
  isConfluenceError,
  isNetworkError,
  isNotFoundError,
  isRateLimitError,
  isResponseSchemaError,
  isScopeError,
  isServerError,
} from '../confluence/errors';
import { createPacer } from '../confluence/pacer';
import { emptyBodySchema } from '../confluence/schemas';

/**
 * Checks a space's scoped API token the way Pagewire will use it: through the
 * gateway (`<apiBase>/ex/confluence/<cloudId>`, never the site URL, where a
 * scoped token is always refused) with Basic `email:token`, one harmless
 * request per scope Pagewire needs. Run on set, on rotation and daily.
 *
 * What the gateway lets us tell apart, and what it does not
 * (docs/CONFLUENCE-CLIENT.md, "Token health"):
 *  - a missing scope is a 401 whose body says "scope does not match"
 *    (sometimes with `X-Failure-Category: FAILURE_CLIENT_SCOPE_CHECK`), per
 *    request, so each scope is probed on its own;
 *  - expired, revoked and "this email does not own this token" are all the
 *    same plain 401 (docs/platform-notes.md#telling-confluence-401s-apart; the devkit does the same). They
 *    are told apart by a documented heuristic, below;
 *  - a wrong base URL is caught before the token is sent: the site must answer
 *    `/_edge/tenant_info` with this installation's cloud id, and the API base
 *    must not be a site itself;
 *  - no answer, 5xx or a rate limit is `unreachable`: try again later.
 */

/**
 * The scopes to tick when creating the space's API token. Labels are the
 * work only this token can do (the manifest requests no label scope); the
 * page, space and attachment scopes let it stand in for the app token when
 * Forge has not delivered a fresh one (ECO-1107): a page with images is
 * published only when its attachments can be uploaded too. See
 * docs/CONFLUENCE-CLIENT.md.
 */
export const REQUIRED_API_TOKEN_SCOPES: readonly string[] = Object.freeze([
  'read:page:confluence',
  'write:page:confluence',
  'read:space:confluence',
  'read:label:confluence',
  'write:label:confluence',
  'read:content-details:confluence',
  'write:attachment:confluence',
]);

interface ScopeProbe {
  readonly scope: string;
  readonly endpoint: ConfluenceEndpoint;
  readonly method: 'GET' | 'PUT' | 'POST';
  readonly path: string;
  readonly body?: unknown;
}

/**
 * One probe per scope. Reads list one item through v2. A write scope cannot be seen
 * through a read, so its probe is a write that cannot change anything: it
 * targets content id 0, which Confluence never assigns, with an empty body.
 * The label write and the attachment upload are v1 calls (v2 labels are
 * read-only and v2 has no upload; the v1 operations still exist).
 * The gateway checks scopes before Confluence looks at the request, so the
 * answer is a scope 401 when the scope is missing and a 400/404 otherwise.
 */
const PROBES: readonly ScopeProbe[] = [
  {
    scope: 'read:space:confluence',
    endpoint: 'space.read',
    method: 'GET',
    path: '/wiki/api/v2/spaces?limit=1',
  },
  {
    scope: 'read:page:confluence',
    endpoint: 'page.list',
    method: 'GET',
    path: '/wiki/api/v2/pages?limit=1',
  },
  {
    scope: 'write:page:confluence',
    endpoint: 'page.update',
    method: 'PUT',
    path: '/wiki/api/v2/pages/0',
    body: {},
  },
  {
    // v2: the v1 `GET /content/{id}/label` is one of the operations Atlassian
    // removed, and answers 410 Gone (docs/platform-notes.md#removed-confluence-v1-operations).
    scope: 'read:label:confluence',
    endpoint: 'label.read',
    method: 'GET',
    path: '/wiki/api/v2/labels?limit=1',
  },
  {
    scope: 'write:label:confluence',
    endpoint: 'label.write',
    method: 'POST',
    path: '/wiki/rest/api/content/0/label',
    body: [],
  },
  {
    // v1 restrictions read content details; the read half of the attachment upload's granular pair.
    scope: 'read:content-details:confluence',
    endpoint: 'restriction.read',
    method: 'GET',
    path: '/wiki/rest/api/content/0/restriction/byOperation/read',
  },
  {
    // Uploads are v1 only (docs/platform-notes.md#page-attachments): an empty
    // multipart body to content 0 creates nothing.
    scope: 'write:attachment:confluence',
    endpoint: 'attachment.write',
    method: 'PUT',
    path: '/wiki/rest/api/content/0/child/attachment',
    body: new FormData(),
  },
  {
    // Optional: archiving orphans (`--on-orphan archive`) is v1 only and takes the
    // classic scope (docs/platform-notes.md#archiving-pages). Content 0 is never a
    // page, so the request is refused past the scope check and archives nothing.
    scope: 'write:confluence-content',
    endpoint: 'page.archive',
    method: 'POST',
    path: '/wiki/rest/api/content/archive',
    body: { pages: [{ id: '0' }] },
  },
];

export interface TokenHealthDeps {
  /** `PAGEWIRE_ATLASSIAN_API_BASE`, e.g. `https://api.atlassian.com`. */
  apiBase: string;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Waits (retry backoff, timeouts) run on this clock; tests pass a fake one. */
  clock?: Clock;
  /** Per request; defaults to 10 s. */
  timeoutMs?: number;
}

export interface TokenHealthInput {
  siteUrl: string;
  cloudId: string;
  email: string;
  token: string;
  /**
   * Whether this exact email + token passed a check before. A pair that once
   * worked cannot have a wrong email now, so a plain 401 means expired or
   * revoked; a pair never seen working most likely has the wrong email.
   * Leave it out when unknown: a plain 401 is then reported as expired or revoked.
   */
  previouslyVerified?: boolean;
  /** The expiry date the admin entered (`YYYY-MM-DD`); once passed, a plain 401 is an expiry. */
  expiresOn?: string;
}

type ProbeResult = 'granted' | 'missing' | { stop: TokenHealthStatus; detail: string };

type HealthResult = { health: TokenHealth; grantedScopes: string[] };

/** The deps with their defaults, and how a check reports its result. */
interface HealthCheck {
  readonly apiBase: string;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly now: () => Date;
  result(status: TokenHealthStatus, detail: string, granted?: string[], missing?: string[]): HealthResult;
}

/**
 * Checks an API token the way Confluence will use it: the configured base is
 * the gateway, the site names this installation's cloud id, and then one
 * probe per scope through the gateway, none of which changes anything.
 */
export async function checkApiTokenHealth(
  deps: TokenHealthDeps,
  input: TokenHealthInput,
): Promise<HealthResult> {
  const now = deps.now ?? (() => new Date());
  const check: HealthCheck = {
    apiBase: deps.apiBase,
    fetch: deps.fetch ?? globalThis.fetch,
    clock: deps.clock ?? systemClock,
    timeoutMs: deps.timeoutMs ?? 10_000,
    now,
    result: (status, detail, granted = [], missing = []) => ({
      health: { status, missingScopes: missing, checkedAt: now().toISOString(), detail },
      grantedScopes: granted,
    }),
  };
  const wrongBase = await checkGatewayBase(check, input.siteUrl);
  if (wrongBase !== null) return wrongBase;
  const site = await checkSiteCloudId(check, input);
  if ('health' in site) return site;
  return probeScopes(check, site.cloudId, input);
}

/** 1. The API base must be the gateway's origin, not a site: a site answers tenant_info. */
async function checkGatewayBase(check: HealthCheck, siteUrl: string): Promise<HealthResult | null> {
  // Asked without credentials, so nothing leaks if it is one.
  const { fetch: fetchImpl, clock, timeoutMs } = check;
  const baseIsSite = await getTenantInfo({ siteUrl: check.apiBase, fetch: fetchImpl, clock, timeoutMs }).then(
    () => true,
    () => false,
  );
  if (!baseIsSite && !sameOrUnder(check.apiBase, siteUrl)) return null;
  return check.result(
    'wrong_base_url',
    `Pagewire is configured to call Confluence at ${check.apiBase}, which is a site URL. Scoped API tokens only work through the gateway (https://api.atlassian.com/ex/confluence/<cloudId>): fix PAGEWIRE_ATLASSIAN_API_BASE.`,
  );
}

/** 2. The site must name this installation's cloud id. */
async function checkSiteCloudId(
  check: HealthCheck,
  input: TokenHealthInput,
): Promise<HealthResult | { cloudId: string }> {
  let cloudId: string;
  try {
    const { fetch: fetchImpl, clock, timeoutMs } = check;
    cloudId = (await getTenantInfo({ siteUrl: input.siteUrl, fetch: fetchImpl, clock, timeoutMs })).cloudId;
  } catch (error) {
    if (
      isNetworkError(error) ||
      isServerError(error) ||
      (isConfluenceError(error) && (error.status ?? 0) >= 500)
    ) {
      return check.result(
        'unreachable',
        `The site ${input.siteUrl} could not be reached; Pagewire checks again later.`,
      );
    }
    return check.result(
      'wrong_base_url',
      `${input.siteUrl} does not answer like a Confluence Cloud site, so its cloud id cannot be looked up.`,
    );
  }
  if (cloudId !== input.cloudId) {
    return check.result(
      'wrong_base_url',
      `${input.siteUrl} belongs to another Confluence site (cloud id ${cloudId}) than this installation (${input.cloudId}).`,
    );
  }
  return { cloudId };
}

/** 3. Probes each scope through the gateway and reports what the token holds. */
async function probeScopes(
  check: HealthCheck,
  cloudId: string,
  input: TokenHealthInput,
): Promise<HealthResult> {
  let client: ConfluenceClient;
  try {
    client = createConfluenceClient({
      baseUrl: gatewayBaseUrl(check.apiBase, cloudId),
      allowedApiBase: check.apiBase,
      credential: createApiTokenCredential({
        installationId: 'token-health',
        spaceKey: 'token-health',
        email: input.email,
        token: input.token,
        scopes: [],
      }),
      fetch: check.fetch,
      clock: check.clock,
      pacer: createPacer({ clock: check.clock }),
      timeoutMs: check.timeoutMs,
      // A health check answers within seconds; "try later" is a valid answer.
      retry: { maxRetries: 1, baseDelayMs: 500, maxWaitMs: 5_000 },
    });
  } catch (error) {
    if (isConfluenceConfigError(error)) return check.result('wrong_base_url', error.message);
    throw error;
  }
  const granted: string[] = [];
  const missing: string[] = [];
  for (const probe of PROBES) {
    const outcome = await runProbe(client, probe, input, check.now());
    if (outcome === 'granted') granted.push(probe.scope);
    else if (outcome === 'missing') missing.push(probe.scope);
    else return check.result(outcome.stop, outcome.detail);
  }
  const missingRequired = REQUIRED_API_TOKEN_SCOPES.filter((scope) => !granted.includes(scope));
  if (missingRequired.length > 0) {
    return check.result(
      'missing_scopes',
      `The token lacks ${missingRequired.join(', ')}. API token scopes cannot be edited: create a new token with all of ${REQUIRED_API_TOKEN_SCOPES.join(', ')} and enter it here.`,
      granted,
      missingRequired,
    );
  }
  return check.result(
    'ok',
    `The token works through the gateway and holds every scope Pagewire needs.`,
    granted,
  );
}

async function runProbe(
  client: ConfluenceClient,
  probe: ScopeProbe,
  input: TokenHealthInput,
  today: Date,
): Promise<ProbeResult> {
  try {
    await client.send({
      endpoint: probe.endpoint,
      method: probe.method,
      path: probe.path,
      body: probe.body,
      schema: emptyBodySchema,
      resource: `a ${probe.scope} check`,
    });
    return 'granted';
  } catch (error) {
    if (isScopeError(error)) return 'missing';
    if (isAuthError(error)) return classifyRejection(input, today);
    // Past the scope check: content 0 does not exist, or the empty body is invalid.
    if (probe.method !== 'GET' || probe.path.includes('/content/0/')) {
      if (
        isConfluenceError(error) &&
        error.status !== undefined &&
        [400, 404, 409, 413].includes(error.status)
      ) {
        return 'granted';
      }
    }
    if (isNotFoundError(error)) {
      return {
        stop: 'wrong_base_url',
        detail: `The gateway does not know ${client.baseUrl}: check PAGEWIRE_ATLASSIAN_API_BASE and the site's cloud id.`,
      };
    }
    if (
      isNetworkError(error) ||
      isServerError(error) ||
      isRateLimitError(error) ||
      isResponseSchemaError(error)
    ) {
      return {
        stop: 'unreachable',
        detail: `Confluence did not answer the check (${error.message}) Pagewire checks again later.`,
      };
    }
    if (isConfluenceError(error) && error.status === 403) {
      return {
        stop: 'wrong_email',
        detail: `Confluence accepted the token but not for this site: the account ${input.email} may not use ${input.siteUrl}. Use the service account that belongs to this site.`,
      };
    }
    throw error;
  }
}

/**
 * A plain 401 from the gateway: expired, revoked, or an email that does not
 * own the token. Atlassian answers all three the same way, so:
 *  1. the admin-entered expiry date has passed → `expired_or_revoked`;
 *  2. this email + token worked before → `expired_or_revoked` (an email
 *     cannot become wrong; tokens expire and get revoked);
 *  3. a pair never seen working → `wrong_email` (a token is normally entered
 *     right after it was created, so it is rarely already revoked; the usual
 *     mistake is the admin's own email instead of the service account's);
 *  4. no history known → `expired_or_revoked`, with both causes in the detail.
 */
function classifyRejection(input: TokenHealthInput, today: Date): ProbeResult {
  const expired = input.expiresOn !== undefined && input.expiresOn < today.toISOString().slice(0, 10);
  if (expired) {
    return {
      stop: 'expired_or_revoked',
      detail: `Confluence rejected the token, and its expiry date (${input.expiresOn}) has passed. Create a new token and enter it here.`,
    };
  }
  if (input.previouslyVerified === false) {
    return {
      stop: 'wrong_email',
      detail: `Confluence did not accept ${input.email} with this token. Use the email of the account that created the token (for a service account, its …@serviceaccount.atlassian.com address); also check that the token was copied whole and is a scoped token ("Create API token with scopes").`,
    };
  }
  return {
    stop: 'expired_or_revoked',
    detail:
      input.previouslyVerified === true
        ? 'Confluence no longer accepts this token, which worked before: it has expired or was revoked. Create a new token and enter it here.'
        : `Confluence rejected the token: it has expired or was revoked, or it does not belong to ${input.email}. Create a new token for the service account and enter it here.`,
  };
}

/** Whether `base` is `site` or lies under it (an API base pointing into a site). */
function sameOrUnder(base: string, site: string): boolean {
  try {
    const b = new URL(base);
    const s = new URL(site);
    if (b.origin !== s.origin) return false;
    const sitePath = s.pathname.replace(/\/+$/, '');
    const basePath = b.pathname.replace(/\/+$/, '');
    return sitePath === '' || basePath === sitePath || basePath.startsWith(`${sitePath}/`);
  } catch {
    return false;
  }
}
