/**
 * The two credentials the backend calls Confluence with, as values the
 * Confluence client accepts. Both talk to the same gateway
 * (`https://api.atlassian.com/ex/confluence/<cloudId>`); they differ in the
 * Authorization header, in who granted their scopes and in the rate-limit pool
 * their traffic counts against (docs/platform-notes.md#which-credential-calls-confluence,
 * docs/platform-notes.md#confluence-rate-limit-regimes).
 *
 * The secret is a non-enumerable property: `JSON.stringify`, pino and
 * `util.inspect` skip it, so logging a credential by mistake never leaks it.
 */

export type CredentialKind = 'app-token' | 'api-token';

interface CredentialBase {
  readonly kind: CredentialKind;
  readonly installationId: string;
  /** Scopes the credential holds: the manifest's for the app token, the ones seen granted for an API token. */
  readonly scopes: readonly string[];
  /** The secret. Non-enumerable: read it, never spread or serialise it. */
  readonly token: string;
}

/** The Forge app system token (`x-forge-oauth-system`), one per installation. */
export interface AppTokenCredential extends CredentialBase {
  readonly kind: 'app-token';
  readonly expiresAt: Date;
}

/** A space's scoped API token (in-house deployments only), sent as Basic `email:token`. */
export interface ApiTokenCredential extends CredentialBase {
  readonly kind: 'api-token';
  readonly spaceKey: string;
  /** The service account's email; Basic auth needs it next to the token. */
  readonly email: string;
}

export type ConfluenceCredential = AppTokenCredential | ApiTokenCredential;

function withHiddenToken<T extends object>(visible: T, token: string): T & { readonly token: string } {
  const credential = { ...visible };
  Object.defineProperty(credential, 'token', { value: token, enumerable: false, writable: false });
  return Object.freeze(credential) as T & { readonly token: string };
}

export function createAppTokenCredential(input: {
  installationId: string;
  token: string;
  expiresAt: Date;
  scopes: readonly string[];
}): AppTokenCredential {
  return withHiddenToken(
    {
      kind: 'app-token' as const,
      installationId: input.installationId,
      expiresAt: input.expiresAt,
      scopes: Object.freeze([...input.scopes]),
    },
    input.token,
  );
}

export function createApiTokenCredential(input: {
  installationId: string;
  spaceKey: string;
  email: string;
  token: string;
  scopes: readonly string[];
}): ApiTokenCredential {
  return withHiddenToken(
    {
      kind: 'api-token' as const,
      installationId: input.installationId,
      spaceKey: input.spaceKey,
      email: input.email,
      scopes: Object.freeze([...input.scopes]),
    },
    input.token,
  );
}

/**
 * Basic auth for API tokens: base64 of the UTF-8 bytes of `email:token`.
 * Bearer for the app token, as Forge Remote's docs show
 * (https://developer.atlassian.com/platform/forge/remote/calling-product-apis/).
 * A scoped token sent as Bearer was answered 404 in a third-party test, so
 * Basic is the only form used for it (docs/platform-notes.md#scoped-api-tokens).
 */
export function authorizationHeaderFor(credential: ConfluenceCredential): string {
  if (credential.kind === 'app-token') return `Bearer ${credential.token}`;
  return `Basic ${Buffer.from(`${credential.email}:${credential.token}`, 'utf8').toString('base64')}`;
}

/** How error messages name a credential to a space admin; never includes the secret. */
export function describeCredential(credential: ConfluenceCredential): string {
  if (credential.kind === 'app-token') return 'the Forge app token';
  return `the API token of ${credential.email} for space ${credential.spaceKey}`;
}

/**
 * The rate-limit budget a credential draws from. Burst limits are counted per
 * tenant for app traffic and per account for API-token traffic
 * (docs/platform-notes.md#confluence-rate-limit-regimes), so the pacer keys its state by this. Two spaces
 * that use the same service account share one budget, as they do at Atlassian.
 */
export function pacingKeyFor(credential: ConfluenceCredential): string {
  if (credential.kind === 'app-token') return `app:${credential.installationId}`;
  return `api-token:${credential.installationId}:${credential.email.toLowerCase()}`;
}
