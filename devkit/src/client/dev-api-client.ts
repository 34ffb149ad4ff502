import { FORGE_APP_SCOPES, type Problem } from '@pagewire/shared';
import type { CredentialKind } from '../emulator/confluence/credentials';
import type { FaultsInput } from '../emulator/confluence/faults';
import type { Headroom, RateLimitSettings } from '../emulator/confluence/rate-limiter';
import type {
  ApiTokenCreateInput,
  AppTokenMintInput,
  FitBatchMintInput,
  FitMintInput,
  HumanEditInput,
  InstallationCreateInput,
  InstallationView,
  LimitsInput,
  PageSnapshot,
  SigningKeyRotateInput,
  SiteCreated,
  SiteCreateInput,
  SpaceCreateInput,
  UserCreateInput,
} from '../emulator/dev-api/dev-api-schemas';
import type { ContentEventDelivery, ContentEventSubscription } from '../emulator/forge/content-events';
import type { RequestLogEntry } from '../emulator/request-log';
import { DevApiError } from './dev-api-error';

/**
 * The typed client for the emulator's Dev API. Every test in the repository
 * sets the world up through it:
 *
 * ```ts
 * const dev = createDevApiClient(emulator.url);
 * const { cloudId, gatewayUrl } = await dev.createSite({ name: 'acme' });
 * ```
 */
export interface DevApiClient {
  /** The emulator origin, e.g. `http://127.0.0.1:4100`. */
  readonly url: string;
  /** Where Forge's invocation-token keys are published (`PAGEWIRE_FORGE_JWKS_URL`). */
  readonly jwksUrl: string;
  /** `<emulator>/ex/confluence/<cloudId>`: the FIT's `app.apiBaseUrl` for a site. */
  gatewayUrl(cloudId: string): string;

  createSite(input: SiteCreateInput): Promise<SiteCreated>;
  createUser(input: UserCreateInput): Promise<{ accountId: string }>;
  createSpace(input: SpaceCreateInput): Promise<{ id: string; key: string; homepageId: string | null }>;
  createApiToken(input: ApiTokenCreateInput): Promise<{ token: string; id: string }>;
  revokeApiToken(token: string): Promise<void>;
  createInstallation(
    input: InstallationCreateInput,
  ): Promise<{ installationId: string; appId: string; environmentId: string; appAccountId: string }>;
  /** An installation with its site's URLs (what the Forge runtime harness needs). */
  getInstallation(installationId: string): Promise<InstallationView>;
  mintFit(input: FitMintInput): Promise<{ token: string }>;
  /** `count` FITs, each with its own `jti` (a load test's worth of never-used tokens). */
  mintFits(input: FitBatchMintInput): Promise<{ tokens: string[] }>;
  mintAppToken(input: AppTokenMintInput): Promise<{ token: string; expiresAt: string }>;
  rotateSigningKey(input?: SigningKeyRotateInput): Promise<{ kid: string; keys: string[] }>;
  setLimits(input: LimitsInput): Promise<RateLimitSettings>;
  setFaults(input: FaultsInput): Promise<void>;
  clearFaults(): Promise<void>;
  humanEdit(pageId: string, input?: HumanEditInput): Promise<PageSnapshot>;
  reset(): Promise<void>;
  requests(filter?: { since?: number; cloudId?: string }): Promise<RequestLogEntry[]>;
  /** Every page of a site with its versions, for assertions and the local preview. */
  pages(cloudId: string): Promise<PageSnapshot[]>;
  /** Rate-limit headroom per credential that has made a call. */
  rateLimits(): Promise<Headroom[]>;
  /** A ready-made site: see {@link SeededSite}. */
  seedSite(options?: SeedSiteOptions): Promise<SeededSite>;
  /** Plays the app's content-event `trigger`: page and blog post events go to `url` (docs/DEVKIT.md, "Content events"). */
  subscribeContentEvents(installationId: string, input: ContentEventSubscriptionInput): Promise<void>;
  unsubscribeContentEvents(installationId: string): Promise<void>;
  /** The delivery attempts made so far; `wait` first lets every delivery in flight (retries included) finish. */
  contentEventDeliveries(options?: { wait?: boolean }): Promise<ContentEventDelivery[]>;
}

/** Everything a granular-scoped token needs for what the emulator serves. */
export const ALL_CONFLUENCE_SCOPES: readonly string[] = [
  'read:page:confluence',
  'write:page:confluence',
  'delete:page:confluence',
  'read:space:confluence',
  'read:space.permission:confluence',
  'read:label:confluence',
  'write:label:confluence',
  'read:content-details:confluence',
  'read:content.metadata:confluence',
  'read:attachment:confluence',
  'write:attachment:confluence',
];

/** The scopes Pagewire's manifest declares (`FORGE_APP_SCOPES` in the contract). */
export const PAGEWIRE_APP_SCOPES: readonly string[] = FORGE_APP_SCOPES;

/** The app id in Pagewire's manifest. */
export const PAGEWIRE_APP_ID = 'ari:cloud:ecosystem::app/00000000-0000-4000-8000-000000000000';

export interface SeedSiteOptions {
  /** Defaults to a unique `site-<n>` name. */
  readonly name?: string;
  readonly spaceKey?: string;
  readonly appId?: string;
  readonly appScopes?: readonly string[];
  readonly tokenScopes?: readonly string[];
}

export interface SeededAccount {
  readonly accountId: string;
  readonly email: string;
}

/**
 * A site with a space administered by `admin`, a `member` who can view and
 * edit but not administer, an `outsider` who is a user of the site but not of
 * the space, a scoped API token and a classic token for the admin, and an
 * installation of the app.
 */
export interface SeededSite extends SiteCreated {
  readonly admin: SeededAccount;
  readonly member: SeededAccount;
  readonly outsider: SeededAccount;
  readonly space: { id: string; key: string; homepageId: string | null };
  readonly scopedToken: string;
  readonly classicToken: string;
  readonly installationId: string;
  readonly appId: string;
}

export function createDevApiClient(emulatorUrl: string): DevApiClient {
  const url = emulatorUrl.replace(/\/+$/, '');
  let seeded = 0;

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      let problem: Problem | undefined;
      try {
        problem = JSON.parse(text) as Problem;
      } catch {
        problem = undefined;
      }
      throw new DevApiError(response.status, problem, `${method} ${path}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  const client: DevApiClient = {
    url,
    jwksUrl: `${url}/.well-known/jwks.json`,
    gatewayUrl: (cloudId) => `${url}/ex/confluence/${cloudId}`,
    createSite: (input) => call('POST', '/_dev/sites', input),
    createUser: (input) => call('POST', '/_dev/users', input),
    createSpace: (input) => call('POST', '/_dev/spaces', input),
    createApiToken: (input) => call('POST', '/_dev/api-tokens', input),
    revokeApiToken: (token) => call('DELETE', `/_dev/api-tokens/${encodeURIComponent(token)}`),
    createInstallation: (input) => call('POST', '/_dev/forge/installations', input),
    getInstallation: (installationId) =>
      call('GET', `/_dev/forge/installations/${encodeURIComponent(installationId)}`),
    mintFit: (input) => call('POST', '/_dev/forge/fit', input),
    mintFits: (input) => call('POST', '/_dev/forge/fits', input),
    mintAppToken: (input) => call('POST', '/_dev/forge/app-token', input),
    rotateSigningKey: (input = {}) => call('POST', '/_dev/forge/signing-keys/rotate', input),
    setLimits: (input) => call('PUT', '/_dev/limits', input),
    setFaults: async (input) => {
      await call('PUT', '/_dev/faults', input);
    },
    clearFaults: async () => {
      await call('PUT', '/_dev/faults', { rules: [] });
    },
    humanEdit: (pageId, input = {}) =>
      call('POST', `/_dev/pages/${encodeURIComponent(pageId)}/human-edit`, input),
    reset: () => call('POST', '/_dev/reset'),
    requests: async (filter = {}) => {
      const query = new URLSearchParams();
      if (filter.since !== undefined) query.set('since', String(filter.since));
      if (filter.cloudId !== undefined) query.set('cloudId', filter.cloudId);
      const suffix = query.size > 0 ? `?${query}` : '';
      return (await call<{ requests: RequestLogEntry[] }>('GET', `/_dev/requests${suffix}`)).requests;
    },
    pages: async (cloudId) =>
      (await call<{ pages: PageSnapshot[] }>('GET', `/_dev/pages?cloudId=${encodeURIComponent(cloudId)}`))
        .pages,
    rateLimits: async () => (await call<{ credentials: Headroom[] }>('GET', '/_dev/rate-limits')).credentials,
    subscribeContentEvents: async (installationId, input) => {
      await call(
        'PUT',
        `/_dev/forge/installations/${encodeURIComponent(installationId)}/content-events`,
        input,
      );
    },
    unsubscribeContentEvents: async (installationId) => {
      await call('DELETE', `/_dev/forge/installations/${encodeURIComponent(installationId)}/content-events`);
    },
    contentEventDeliveries: async (options = {}) =>
      (
        await call<{ deliveries: ContentEventDelivery[] }>(
          'GET',
          `/_dev/forge/content-events${options.wait === true ? '?wait=true' : ''}`,
        )
      ).deliveries,
    async seedSite(options = {}) {
      seeded += 1;
      const name = options.name ?? `site-${process.pid}-${seeded}-${Math.random().toString(36).slice(2, 8)}`;
      const site = await client.createSite({ name });
      const person = async (role: string): Promise<SeededAccount> => {
        const email = `${role}@${name}.example.com`;
        const { accountId } = await client.createUser({
          cloudId: site.cloudId,
          email,
          displayName: `${role} of ${name}`,
        });
        return { accountId, email };
      };
      const people = {
        admin: await person('admin'),
        member: await person('member'),
        outsider: await person('outsider'),
      };
      const space = await client.createSpace({
        cloudId: site.cloudId,
        key: options.spaceKey ?? 'DOCS',
        name: 'Documentation',
        admins: [people.admin.accountId],
        members: [people.member.accountId],
      });
      const scoped = await client.createApiToken({
        email: people.admin.email,
        scopes: [...(options.tokenScopes ?? ALL_CONFLUENCE_SCOPES)],
      });
      const classic = await client.createApiToken({ email: people.admin.email, scopes: null });
      const installation = await client.createInstallation({
        cloudId: site.cloudId,
        appId: options.appId ?? PAGEWIRE_APP_ID,
        scopes: [...(options.appScopes ?? PAGEWIRE_APP_SCOPES)],
      });
      return {
        ...site,
        ...people,
        space,
        scopedToken: scoped.token,
        classicToken: classic.token,
        installationId: installation.installationId,
        appId: installation.appId,
      };
    },
  };
  return client;
}

/** `Authorization` for an API token: `Basic base64(email:token)`. */
export function basicAuthorization(email: string, token: string): string {
  return `Basic ${Buffer.from(`${email}:${token}`, 'utf8').toString('base64')}`;
}

/** `PUT /_dev/forge/installations/{id}/content-events`: what the app's trigger module would say. */
export type ContentEventSubscriptionInput = Partial<ContentEventSubscription> & { url: string };

export type {
  ContentEventDelivery,
  CredentialKind,
  Headroom,
  PageSnapshot,
  RateLimitSettings,
  RequestLogEntry,
  SiteCreated,
};
