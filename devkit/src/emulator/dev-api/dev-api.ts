import { randomUUID } from 'node:crypto';
import { fieldErrorsFrom, makeProblem, type Problem, type ProblemCode } from '@pagewire/shared';
import type { z } from 'zod';
import type { FaultInjector } from '../confluence/faults';
import { insertPage } from '../confluence/page-endpoints';
import type { RateLimiter } from '../confluence/rate-limiter';
import { defaultRateLimitSettings } from '../confluence/rate-limiter';
import { type AppTokenSigner, DEFAULT_APP_TOKEN_TTL_SECONDS } from '../forge/app-tokens';
import { type ContentEventEmitter, emitContentEvent } from '../forge/content-events';
import { mintInvocationToken, mintInvocationTokens, newInstallationId } from '../forge/invocation-tokens';
import type { SigningKeyRing } from '../forge/signing-keys';
import type { JsonParse } from '../http/http-io';
import { createRouter, type RouteParams, type Router } from '../http/router';
import type { RequestLog } from '../request-log';
import {
  clearEmulatorState,
  currentVersion,
  type EmulatorState,
  type Installation,
  newAccountId,
  newApiTokenSecret,
  type Page,
  type Site,
  type StoredBody,
} from '../state/emulator-state';
import { type ContentEventRouteResult, createContentEventRoutes } from './content-event-routes';
import {
  apiTokenCreateSchema,
  appTokenMintSchema,
  faultsSchema,
  fitBatchMintSchema,
  fitMintSchema,
  humanEditSchema,
  type InstallationView,
  installationCreateSchema,
  limitsSchema,
  type PageSnapshot,
  pagesQuerySchema,
  requestsQuerySchema,
  type SiteCreated,
  signingKeyRotateSchema,
  siteCreateSchema,
  spaceCreateSchema,
  userCreateSchema,
} from './dev-api-schemas';

export interface DevApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: JsonParse;
}

export type DevApiResult =
  | { readonly status: number; readonly body?: unknown }
  | { readonly problem: Problem };

export interface DevApiDependencies {
  readonly state: EmulatorState;
  readonly keys: SigningKeyRing;
  readonly appTokenSigner: AppTokenSigner;
  readonly rateLimiter: RateLimiter;
  readonly faults: FaultInjector;
  readonly requestLog: RequestLog;
  /** The emulator's own origin, e.g. `http://127.0.0.1:4100`. */
  readonly baseUrl: () => string;
  readonly now: () => number;
  /** Confluence's content events to the apps' triggers (forge/content-events.ts). */
  readonly contentEvents?: ContentEventEmitter;
}

type Handler = (input: {
  params: RouteParams;
  query: URLSearchParams;
  body: unknown;
}) => Promise<DevApiResult> | DevApiResult;

function problem(code: ProblemCode, detail: string, extra: Partial<Problem> = {}): DevApiResult {
  return { problem: makeProblem(code, detail, extra) };
}

function invalid(path: string, message: string): DevApiResult {
  return problem('validation_failed', message, { errors: [{ path, message }] });
}

function parse<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
): { ok: true; data: z.output<Schema> } | { ok: false; result: DevApiResult } {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors = fieldErrorsFrom(parsed.error);
  const first = errors[0];
  return {
    ok: false,
    result: problem(
      'validation_failed',
      first ? `${first.path || 'body'}: ${first.message}` : 'The request does not match the expected shape.',
      { errors },
    ),
  };
}

export function siteUrls(baseUrl: string, site: Site): SiteCreated {
  return {
    cloudId: site.cloudId,
    name: site.name,
    siteUrl: `${baseUrl}/site/${site.name}`,
    gatewayUrl: `${baseUrl}/ex/confluence/${site.cloudId}`,
  };
}

export interface DevApi {
  handle(request: DevApiRequest): Promise<DevApiResult>;
}

export function createDevApi(dependencies: DevApiDependencies): DevApi {
  const router = createRouter<Handler>();
  for (const add of [
    addSiteRoutes,
    addSpaceRoutes,
    addApiTokenRoutes,
    addInstallationRoutes,
    addInvocationTokenRoutes,
    addAppTokenRoutes,
    addControlRoutes,
    addPageRoutes,
  ]) {
    add(router, dependencies);
  }
  if (dependencies.contentEvents !== undefined) {
    addContentEventRoutes(router, dependencies.state, dependencies.contentEvents);
  }
  return {
    async handle(request) {
      const lookup = router.lookup(request.method, request.path);
      if (lookup.kind === 'not_found')
        return problem('not_found', `There is no Dev API endpoint at ${request.path}.`);
      if (lookup.kind === 'method_not_allowed') {
        return problem('method_not_allowed', `Use ${lookup.allowed.join(' or ')} here.`);
      }
      if (request.body.kind === 'malformed')
        return problem('malformed_json', 'The request body is not valid JSON.');
      const body = request.body.kind === 'ok' ? request.body.value : undefined;
      return lookup.handler({ params: lookup.params, query: request.query, body });
    },
  };
}

function siteFor(state: EmulatorState, cloudId: string): Site | undefined {
  return state.sitesByCloudId.get(cloudId);
}

/** The installation a token is minted for, and its site, once the named account is known to be a user there. */
function installationFor(
  state: EmulatorState,
  input: { installationId: string; accountId?: string | undefined },
): { ok: true; installation: Installation; site: Site } | { ok: false; result: DevApiResult } {
  const installation = state.installations.get(input.installationId);
  if (!installation) {
    return { ok: false, result: invalid('/installationId', 'There is no installation with this id.') };
  }
  const site = siteFor(state, installation.cloudId)!;
  if (input.accountId && !site.accountIds.has(input.accountId)) {
    return {
      ok: false,
      result: invalid('/accountId', 'This account is not a user of the installation’s site.'),
    };
  }
  return { ok: true, installation, site };
}

/** The sites and their users (Atlassian accounts are global, a site only lists them). */
function addSiteRoutes(router: Router<Handler>, dependencies: DevApiDependencies): void {
  const { state, baseUrl, now } = dependencies;
  router.add('POST', '/_dev/sites', ({ body }) => {
    const input = parse(siteCreateSchema, body);
    if (!input.ok) return input.result;
    if (state.sitesByName.has(input.data.name)) {
      return invalid('/name', `A site named "${input.data.name}" already exists in this emulator.`);
    }
    const site: Site = {
      cloudId: randomUUID(),
      name: input.data.name,
      createdAt: new Date(now()),
      accountIds: new Set(),
      spaces: new Map(),
      spaceIdsByKey: new Map(),
      pages: new Map(),
    };
    state.sitesByCloudId.set(site.cloudId, site);
    state.sitesByName.set(site.name, site);
    return { status: 201, body: siteUrls(baseUrl(), site) };
  });

  router.add('POST', '/_dev/users', ({ body }) => {
    const input = parse(userCreateSchema, body);
    if (!input.ok) return input.result;
    const site = siteFor(state, input.data.cloudId);
    if (!site) return invalid('/cloudId', 'There is no site with this cloudId.');
    // Atlassian accounts are global: the same email on a second site is the same account.
    const emailKey = input.data.email.toLowerCase();
    let account = state.accountsByEmail.get(emailKey);
    if (!account) {
      account = { accountId: newAccountId(), email: input.data.email, displayName: input.data.displayName };
      state.accountsByEmail.set(emailKey, account);
      state.accountsById.set(account.accountId, account);
    }
    site.accountIds.add(account.accountId);
    return { status: 201, body: { accountId: account.accountId } };
  });
}

/** Spaces, with their admins, members and (if asked) a home page. */
function addSpaceRoutes(router: Router<Handler>, dependencies: DevApiDependencies): void {
  const { state, now } = dependencies;
  router.add('POST', '/_dev/spaces', ({ body }) => {
    const input = parse(spaceCreateSchema, body);
    if (!input.ok) return input.result;
    const site = siteFor(state, input.data.cloudId);
    if (!site) return invalid('/cloudId', 'There is no site with this cloudId.');
    if (site.spaceIdsByKey.has(input.data.key)) {
      return invalid('/key', `The site already has a space with key ${input.data.key}.`);
    }
    for (const [field, ids] of [
      ['admins', input.data.admins],
      ['members', input.data.members],
    ] as const) {
      const stranger = ids.find((id) => !site.accountIds.has(id));
      if (stranger)
        return invalid(
          `/${field}`,
          `${stranger} is not a user of this site; create it with POST /_dev/users.`,
        );
    }
    const createdAt = new Date(now());
    const space = {
      id: state.nextId(),
      cloudId: site.cloudId,
      key: input.data.key,
      name: input.data.name,
      authorId: input.data.admins[0]!,
      createdAt,
      homepageId: null as string | null,
      admins: new Set(input.data.admins),
      members: new Set(input.data.members),
    };
    site.spaces.set(space.id, space);
    site.spaceIdsByKey.set(space.key, space.id);
    if (input.data.homepage) {
      const home = insertPage({ state, site, now: createdAt }, space, {
        title: `${space.name} Home`,
        parentId: null,
        body: { representation: 'storage', value: `<p>Welcome to ${escapeXml(space.name)}.</p>` },
        authorId: space.authorId,
      });
      space.homepageId = home.id;
    }
    return { status: 201, body: { id: space.id, key: space.key, homepageId: space.homepageId } };
  });
}

/** Scoped and classic API tokens of an account, and their revocation. */
function addApiTokenRoutes(router: Router<Handler>, dependencies: DevApiDependencies): void {
  const { state } = dependencies;
  router.add('POST', '/_dev/api-tokens', ({ body }) => {
    const input = parse(apiTokenCreateSchema, body);
    if (!input.ok) return input.result;
    const account = state.accountsByEmail.get(input.data.email.toLowerCase());
    if (!account) {
      return invalid('/email', 'No account has this email; create the user first with POST /_dev/users.');
    }
    const token = newApiTokenSecret();
    const id = randomUUID();
    state.apiTokens.set(token, {
      id,
      token,
      email: account.email,
      scopes: input.data.scopes === null ? null : new Set(input.data.scopes),
      expiresAt: input.data.expiresAt ? new Date(input.data.expiresAt) : null,
      revoked: false,
    });
    return { status: 201, body: { token, id } };
  });

  router.add('DELETE', '/_dev/api-tokens/:token', ({ params }) => {
    const token = state.apiTokens.get(params.token!);
    if (!token) return problem('not_found', 'There is no API token with this value.');
    token.revoked = true;
    return { status: 204 };
  });
}

/** Installations of a Forge app on a site. */
function addInstallationRoutes(router: Router<Handler>, dependencies: DevApiDependencies): void {
  const { state, baseUrl } = dependencies;
  router.add('POST', '/_dev/forge/installations', ({ body }) => {
    const input = parse(installationCreateSchema, body);
    if (!input.ok) return input.result;
    if (!siteFor(state, input.data.cloudId))
      return invalid('/cloudId', 'There is no site with this cloudId.');
    const installation = {
      installationId: newInstallationId(),
      cloudId: input.data.cloudId,
      appId: input.data.appId,
      scopes: new Set(input.data.scopes),
      environmentType: input.data.environmentType,
      environmentId: input.data.environmentId ?? randomUUID(),
      appVersion: input.data.appVersion,
      appAccountId: newAccountId(),
    };
    state.installations.set(installation.installationId, installation);
    return {
      status: 201,
      body: {
        installationId: installation.installationId,
        appId: installation.appId,
        environmentId: installation.environmentId,
        appAccountId: installation.appAccountId,
      },
    };
  });

  router.add('GET', '/_dev/forge/installations/:installationId', ({ params }) => {
    const installation = state.installations.get(params.installationId!);
    if (!installation) return problem('not_found', 'There is no installation with this id.');
    const site = siteFor(state, installation.cloudId)!;
    const urls = siteUrls(baseUrl(), site);
    const body: InstallationView = {
      installationId: installation.installationId,
      cloudId: installation.cloudId,
      appId: installation.appId,
      environmentId: installation.environmentId,
      environmentType: installation.environmentType,
      appVersion: installation.appVersion,
      appAccountId: installation.appAccountId,
      scopes: [...installation.scopes],
      siteUrl: urls.siteUrl,
      gatewayUrl: urls.gatewayUrl,
    };
    return { status: 200, body };
  });
}

/** Forge invocation tokens (FITs), one or a batch, signed by the emulator’s key ring. */
function addInvocationTokenRoutes(router: Router<Handler>, dependencies: DevApiDependencies): void {
  const { state, keys, baseUrl, now } = dependencies;
  router.add('POST', '/_dev/forge/fit', async ({ body }) => {
    const input = parse(fitMintSchema, body);
    if (!input.ok) return input.result;
    const found = installationFor(state, input.data);
    if (!found.ok) return found.result;
    const { installation, site } = found;
    const token = await mintInvocationToken(
      keys,
      {
        installation,
        apiBaseUrl: siteUrls(baseUrl(), site).gatewayUrl,
        accountId: input.data.accountId,
        context: input.data.context,
        moduleType: input.data.moduleType,
        moduleKey: input.data.moduleKey,
        ttlSeconds: input.data.ttlSeconds,
      },
      Math.floor(now() / 1000),
    );
    return { status: 200, body: { token } };
  });

  router.add('POST', '/_dev/forge/fits', ({ body }) => {
    const input = parse(fitBatchMintSchema, body);
    if (!input.ok) return input.result;
    const { count, ...request } = input.data;
    const found = installationFor(state, request);
    if (!found.ok) return found.result;
    const { installation, site } = found;
    const tokens = mintInvocationTokens(
      keys,
      {
        installation,
        apiBaseUrl: siteUrls(baseUrl(), site).gatewayUrl,
        accountId: request.accountId,
        context: request.context,
        moduleType: request.moduleType,
        moduleKey: request.moduleKey,
        ttlSeconds: request.ttlSeconds,
      },
      Math.floor(now() / 1000),
      count,
    );
    return { status: 200, body: { tokens } };
  });

  router.add('POST', '/_dev/forge/signing-keys/rotate', async ({ body }) => {
    const input = parse(signingKeyRotateSchema, body ?? {});
    if (!input.ok) return input.result;
    const key = await keys.rotate({ retirePrevious: input.data.retirePrevious });
    return { status: 200, body: { kid: key.kid, keys: keys.jwks().keys.map((jwk) => jwk.kid) } };
  });
}

/** App system tokens, as Forge hands them to a remote. */
function addAppTokenRoutes(router: Router<Handler>, dependencies: DevApiDependencies): void {
  const { state, appTokenSigner, now } = dependencies;
  router.add('POST', '/_dev/forge/app-token', async ({ body }) => {
    const input = parse(appTokenMintSchema, body);
    if (!input.ok) return input.result;
    const found = installationFor(state, input.data);
    if (!found.ok) return found.result;
    const { installation } = found;
    const iat = Math.floor(now() / 1000);
    const exp = iat + (input.data.ttlSeconds ?? DEFAULT_APP_TOKEN_TTL_SECONDS);
    const token = await appTokenSigner.sign({
      sub: input.data.accountId ?? installation.appAccountId,
      iat,
      exp,
    });
    const expiresAt = new Date(exp * 1000);
    state.appTokens.set(token, {
      token,
      installationId: installation.installationId,
      accountId: input.data.accountId ?? null,
      scopes: input.data.scopes ? new Set(input.data.scopes) : installation.scopes,
      expiresAt,
    });
    return { status: 200, body: { token, expiresAt: expiresAt.toISOString() } };
  });
}

/** The knobs of the twin: rate limits, faults, the request log and a reset. */
function addControlRoutes(router: Router<Handler>, dependencies: DevApiDependencies): void {
  const { state, rateLimiter, faults, requestLog, now } = dependencies;
  router.add('PUT', '/_dev/limits', ({ body }) => {
    const input = parse(limitsSchema, body);
    if (!input.ok) return input.result;
    rateLimiter.configure(input.data);
    return { status: 200, body: rateLimiter.settings() };
  });

  router.add('GET', '/_dev/limits', () => ({ status: 200, body: rateLimiter.settings() }));

  router.add('GET', '/_dev/rate-limits', () => ({
    status: 200,
    body: { credentials: rateLimiter.headroom(now()) },
  }));

  router.add('PUT', '/_dev/faults', ({ body }) => {
    const input = parse(faultsSchema, body);
    if (!input.ok) return input.result;
    faults.configure(input.data);
    return { status: 200, body: faults.current() };
  });

  router.add('GET', '/_dev/faults', () => ({ status: 200, body: faults.current() }));

  router.add('GET', '/_dev/requests', ({ query }) => {
    const input = parse(requestsQuerySchema, Object.fromEntries(query));
    if (!input.ok) return input.result;
    return { status: 200, body: { requests: requestLog.entries(input.data) } };
  });

  router.add('POST', '/_dev/reset', () => {
    clearEmulatorState(state);
    rateLimiter.configure(defaultRateLimitSettings);
    faults.clear();
    requestLog.clear();
    dependencies.contentEvents?.clear();
    return { status: 204 };
  });
}

/** What a person does to pages in the editor, and a look at every page of a site. */
function addPageRoutes(router: Router<Handler>, dependencies: DevApiDependencies): void {
  const { state, now } = dependencies;
  router.add('POST', '/_dev/pages/:id/human-edit', ({ params, body }) => {
    const input = parse(humanEditSchema, body ?? {});
    if (!input.ok) return input.result;
    const page = state.pagesById.get(params.id!);
    if (page?.status !== 'current') return problem('not_found', 'There is no current page with this id.');
    const site = siteFor(state, page.cloudId)!;
    const space = site.spaces.get(page.spaceId)!;
    const accountId = input.data.accountId ?? space.authorId;
    if (!site.accountIds.has(accountId)) {
      return invalid('/accountId', 'This account is not a user of the page’s site.');
    }
    const previous = currentVersion(page);
    const edited = humanEditedBody(previous.body, input.data.body, accountId, new Date(now()));
    page.versions.push({
      number: previous.number + 1,
      title: input.data.title ?? previous.title,
      body: edited,
      message: input.data.message ?? '',
      minorEdit: false,
      authorId: accountId,
      createdAt: new Date(now()),
    });
    emitContentEvent(state, { site, page, action: 'updated', accountId });
    return { status: 200, body: pageSnapshot(site, page) };
  });

  router.add('GET', '/_dev/pages', ({ query }) => {
    const input = parse(pagesQuerySchema, Object.fromEntries(query));
    if (!input.ok) return input.result;
    const site = siteFor(state, input.data.cloudId);
    if (!site) return invalid('/cloudId', 'There is no site with this cloudId.');
    const pages = [...site.pages.values()].sort((a, b) => Number(a.id) - Number(b.id));
    return { status: 200, body: { pages: pages.map((page) => pageSnapshot(site, page)) } };
  });
}

/** The content events an app subscribes to, and the deliveries made so far. */
function addContentEventRoutes(
  router: Router<Handler>,
  state: EmulatorState,
  emitter: ContentEventEmitter,
): void {
  const contentEvents = createContentEventRoutes(state, emitter);
  const answer = (result: ContentEventRouteResult): DevApiResult =>
    result.invalid !== undefined
      ? invalid(result.invalid.path, result.invalid.message)
      : result.notFound !== undefined
        ? problem('not_found', result.notFound)
        : result.body === undefined
          ? { status: result.status }
          : { status: result.status, body: result.body };
  router.add('PUT', '/_dev/forge/installations/:installationId/content-events', ({ params, body }) =>
    answer(contentEvents.subscribe(params.installationId!, body)),
  );
  router.add('DELETE', '/_dev/forge/installations/:installationId/content-events', ({ params }) =>
    answer(contentEvents.unsubscribe(params.installationId!)),
  );
  router.add('GET', '/_dev/forge/content-events', async ({ query }) =>
    answer(await contentEvents.deliveries(query.get('wait') === 'true')),
  );
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * The conflict a publisher must survive: a person saved the page in the
 * editor. Without an explicit body, a visible paragraph is appended in the
 * page's own representation, so the change is real content, not a no-op.
 */
function humanEditedBody(
  previous: StoredBody | null,
  requested: string | { representation: 'storage' | 'atlas_doc_format'; value: string } | undefined,
  accountId: string,
  at: Date,
): StoredBody {
  if (typeof requested === 'object') return requested;
  const representation = previous?.representation ?? 'storage';
  if (typeof requested === 'string') return { representation, value: requested };
  const note = `Edited by ${accountId} at ${at.toISOString()}`;
  if (representation === 'atlas_doc_format') {
    let document: { type: string; version: number; content: unknown[] } = {
      type: 'doc',
      version: 1,
      content: [],
    };
    try {
      if (previous) document = JSON.parse(previous.value);
    } catch {
      // A stored ADF body always parsed on the way in; keep the empty document otherwise.
    }
    const content = Array.isArray(document.content) ? document.content : [];
    return {
      representation,
      value: JSON.stringify({
        ...document,
        content: [...content, { type: 'paragraph', content: [{ type: 'text', text: note }] }],
      }),
    };
  }
  return { representation, value: `${previous?.value ?? ''}<p>${escapeXml(note)}</p>` };
}

export function pageSnapshot(site: Site, page: Page): PageSnapshot {
  const space = site.spaces.get(page.spaceId)!;
  const version = currentVersion(page);
  return {
    id: page.id,
    cloudId: site.cloudId,
    spaceId: page.spaceId,
    spaceKey: space.key,
    title: version.title,
    status: page.status,
    parentId: page.parentId,
    authorId: page.authorId,
    version: {
      number: version.number,
      authorId: version.authorId,
      message: version.message,
      minorEdit: version.minorEdit,
      createdAt: version.createdAt.toISOString(),
    },
    body: version.body ? { ...version.body } : null,
    labels: [...page.labels.keys()].sort(),
    properties: [...page.properties.values()].map((property) => ({
      id: property.id,
      key: property.key,
      value: property.value,
      version: property.version.number,
    })),
    versions: page.versions.map((entry) => ({
      number: entry.number,
      authorId: entry.authorId,
      title: entry.title,
      createdAt: entry.createdAt.toISOString(),
    })),
  };
}
