import type { EmulatorState, Installation, Site } from '../state/emulator-state';

/**
 * Who is calling, decided from the `Authorization` header the way Atlassian's
 * edge does it:
 * - the gateway (`/ex/confluence/{cloudId}`) takes `Basic email:scopedToken`
 *   and `Bearer <Forge app token>`;
 * - the site URL takes classic tokens only: "A scoped token sent to the site URL
 *   gets 401" (docs/platform-notes.md#scoped-api-tokens, with the Atlassian KB "Scoped API tokens
 *   in Confluence Cloud"). The same KB says classic tokens "use site-specific
 *   URLs", so the emulator refuses them at the gateway too.
 * Any failure is a plain 401: expired, revoked, wrong email and unknown tokens
 * look the same from outside (docs/platform-notes.md#telling-confluence-401s-apart).
 */
export type CredentialKind = 'api-token-scoped' | 'api-token-classic' | 'app-system' | 'app-user';

export type Principal =
  | { readonly kind: 'user'; readonly accountId: string }
  | { readonly kind: 'app'; readonly installation: Installation };

export interface Caller {
  readonly kind: CredentialKind;
  /** Stable id for rate limiting and the request log; never the secret itself. */
  readonly credentialId: string;
  /** `null` means no scope check (classic tokens carry everything the user can do). */
  readonly scopes: ReadonlySet<string> | null;
  readonly principal: Principal;
  /** The account Confluence records as author of writes. */
  readonly actingAccountId: string;
}

export type Mount = 'gateway' | 'site';

export function authenticate(
  state: EmulatorState,
  site: Site,
  mount: Mount,
  authorization: string | undefined,
  now: number,
): Caller | undefined {
  if (!authorization) return undefined;
  const space = authorization.indexOf(' ');
  if (space <= 0) return undefined;
  const scheme = authorization.slice(0, space).toLowerCase();
  const credential = authorization.slice(space + 1).trim();
  if (scheme === 'basic') return authenticateBasic(state, site, mount, credential, now);
  if (scheme === 'bearer' && mount === 'gateway') return authenticateBearer(state, site, credential, now);
  return undefined;
}

function authenticateBasic(
  state: EmulatorState,
  site: Site,
  mount: Mount,
  credential: string,
  now: number,
): Caller | undefined {
  const decoded = Buffer.from(credential, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  const email = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  const token = state.apiTokens.get(secret);
  if (!token || token.revoked) return undefined;
  if (token.expiresAt && token.expiresAt.getTime() <= now) return undefined;
  // Tokens belong to an account; the email must be that account's.
  if (token.email.toLowerCase() !== email.toLowerCase()) return undefined;
  const scoped = token.scopes !== null;
  if (scoped && mount === 'site') return undefined;
  if (!scoped && mount === 'gateway') return undefined;
  const account = state.accountsByEmail.get(token.email.toLowerCase());
  if (!account || !site.accountIds.has(account.accountId)) return undefined;
  return {
    kind: scoped ? 'api-token-scoped' : 'api-token-classic',
    credentialId: `api-token:${token.id}`,
    scopes: token.scopes,
    principal: { kind: 'user', accountId: account.accountId },
    actingAccountId: account.accountId,
  };
}

function authenticateBearer(
  state: EmulatorState,
  site: Site,
  credential: string,
  now: number,
): Caller | undefined {
  const token = state.appTokens.get(credential);
  if (!token || token.expiresAt.getTime() <= now) return undefined;
  const installation = state.installations.get(token.installationId);
  // An app token is good for the site it was issued for, nothing else.
  if (!installation || installation.cloudId !== site.cloudId) return undefined;
  if (token.accountId) {
    if (!site.accountIds.has(token.accountId)) return undefined;
    return {
      kind: 'app-user',
      credentialId: `app:${installation.installationId}`,
      scopes: token.scopes,
      principal: { kind: 'user', accountId: token.accountId },
      actingAccountId: token.accountId,
    };
  }
  return {
    kind: 'app-system',
    credentialId: `app:${installation.installationId}`,
    scopes: token.scopes,
    principal: { kind: 'app', installation },
    actingAccountId: installation.appAccountId,
  };
}

/**
 * Operation scopes are alternatives: the caller must hold every scope of at
 * least one set (v1 operations accept either the classic or the granular
 * family, v2 operations list one set).
 */
export type ScopeRequirement = readonly (readonly string[])[];

export function hasScopes(caller: Caller, required: ScopeRequirement): boolean {
  const held = caller.scopes;
  if (held === null || required.length === 0) return true;
  return required.some((set) => set.every((scope) => held.has(scope)));
}
