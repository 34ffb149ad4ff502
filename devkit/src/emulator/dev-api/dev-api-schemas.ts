import { spaceKeySchema } from '@pagewire/shared';
import { z } from 'zod';
import { faultsSchema } from '../confluence/faults';
import { MAX_APP_TOKEN_TTL_SECONDS } from '../forge/app-tokens';

/**
 * The Dev API contract (`/_dev/…`, JSON in and out). Tests across the repo and
 * the local stack drive the emulator through it, via `createDevApiClient`.
 */

/** Site names become URL path segments: `<emulator>/site/<name>`. */
export const siteCreateSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be 1–63 lower-case letters, digits or "-"'),
});

export const userCreateSchema = z.strictObject({
  cloudId: z.string().min(1).max(64),
  email: z.email().max(254),
  displayName: z.string().trim().min(1).max(255),
});

export const spaceCreateSchema = z.strictObject({
  cloudId: z.string().min(1).max(64),
  key: spaceKeySchema,
  name: z.string().trim().min(1).max(200),
  admins: z.array(z.string().min(1)).min(1, 'a space needs at least one admin'),
  members: z.array(z.string().min(1)).default([]),
  /** Confluence gives every space a homepage, the default parent of new pages. */
  homepage: z.boolean().default(true),
});

export const apiTokenCreateSchema = z.strictObject({
  email: z.email().max(254),
  /** `null` makes a classic (unscoped) token. */
  scopes: z.array(z.string().min(1).max(100)).max(200).nullable(),
  /** A date in the past makes an already-expired token. */
  expiresAt: z.union([z.iso.datetime({ offset: true }), z.iso.date()]).optional(),
});

/** App ids are ARIs (`ari:cloud:ecosystem::app/<uuid>`); a bare uuid is accepted too. */
const appIdSchema = z
  .string()
  .regex(
    /^(ari:cloud:ecosystem::app\/)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    'must be an app ARI (ari:cloud:ecosystem::app/<uuid>) or a uuid',
  )
  .transform((value) => (value.startsWith('ari:') ? value : `ari:cloud:ecosystem::app/${value}`));

export const installationCreateSchema = z.strictObject({
  cloudId: z.string().min(1).max(64),
  appId: appIdSchema,
  scopes: z.array(z.string().min(1).max(100)).max(200),
  environmentType: z.enum(['DEVELOPMENT', 'STAGING', 'PRODUCTION']).default('DEVELOPMENT'),
  environmentId: z.uuid().optional(),
  appVersion: z.string().min(1).max(50).default('1.0.0'),
});

export const fitMintSchema = z.strictObject({
  installationId: z.string().min(1),
  accountId: z.string().min(1).optional(),
  /** Only UI-originated invocations carry a context (docs/platform-notes.md#forge-remote-call-paths). */
  context: z.record(z.string(), z.unknown()).optional(),
  moduleType: z.string().min(1).max(100).optional(),
  moduleKey: z.string().min(1).max(100).optional(),
  /** Negative values mint an already-expired token. */
  ttlSeconds: z.number().int().min(-3600).max(3600).optional(),
});

/**
 * Many FITs at once, each with its own `jti`: a load test whose every request
 * must carry a token never used before (the backend refuses a replay) mints
 * them before its timed window, in one round trip.
 */
export const fitBatchMintSchema = fitMintSchema.extend({
  count: z.number().int().min(1).max(100_000),
});

export const appTokenMintSchema = z.strictObject({
  installationId: z.string().min(1),
  /** Given: an app **user** token (`x-forge-oauth-user`, `asUser()`); absent: the system token. */
  accountId: z.string().min(1).optional(),
  /** Narrower than the installation's scopes, to test a token that lacks one. */
  scopes: z.array(z.string().min(1).max(100)).max(200).optional(),
  /** Negative values mint an already-expired token. */
  ttlSeconds: z.number().int().min(-3600).max(MAX_APP_TOKEN_TTL_SECONDS).optional(),
});

export const signingKeyRotateSchema = z.strictObject({
  /** Drop the previous key at once, so tokens it signed stop verifying. */
  retirePrevious: z.boolean().default(false),
});

export const limitsSchema = z.strictObject({
  burstPerSecond: z.number().int().positive().max(1_000_000).nullable(),
  quotaPointsPerHour: z.number().int().positive().max(100_000_000).nullable(),
  quotaAppliesTo: z.enum(['app-tokens', 'all']).default('app-tokens'),
  /** Tier 1 (`global`: one pool per app) or Tier 2 (`tenant`: one per installation). */
  quotaPolicy: z.enum(['global', 'tenant']).default('global'),
  /** `RateLimit-Reason` of a quota 429 instead of the documented one (e.g. the live `conf-global-based`). */
  quotaReason: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,100}$/)
    .nullable()
    .default(null),
});

export { faultsSchema };

export const humanEditSchema = z.strictObject({
  /** A string in the page's current representation, or an explicit one. */
  body: z
    .union([
      z.string(),
      z.strictObject({ representation: z.enum(['storage', 'atlas_doc_format']), value: z.string() }),
    ])
    .optional(),
  title: z.string().trim().min(1).max(255).optional(),
  message: z.string().max(255).optional(),
  /** Whose edit it is; defaults to the space's first admin. */
  accountId: z.string().min(1).optional(),
});

export const requestsQuerySchema = z.object({
  since: z.coerce.number().int().min(0).optional(),
  cloudId: z.string().min(1).optional(),
});

export const pagesQuerySchema = z.object({ cloudId: z.string().min(1) });

export type SiteCreateInput = z.input<typeof siteCreateSchema>;
export type UserCreateInput = z.input<typeof userCreateSchema>;
export type SpaceCreateInput = z.input<typeof spaceCreateSchema>;
export type ApiTokenCreateInput = z.input<typeof apiTokenCreateSchema>;
export type InstallationCreateInput = z.input<typeof installationCreateSchema>;
export type FitMintInput = z.input<typeof fitMintSchema>;
export type FitBatchMintInput = z.input<typeof fitBatchMintSchema>;
export type AppTokenMintInput = z.input<typeof appTokenMintSchema>;
export type SigningKeyRotateInput = z.input<typeof signingKeyRotateSchema>;
export type LimitsInput = z.input<typeof limitsSchema>;
export type HumanEditInput = z.input<typeof humanEditSchema>;

export interface SiteCreated {
  readonly cloudId: string;
  readonly name: string;
  readonly siteUrl: string;
  readonly gatewayUrl: string;
}

export interface PageSnapshot {
  readonly id: string;
  readonly cloudId: string;
  readonly spaceId: string;
  readonly spaceKey: string;
  readonly title: string;
  readonly status: string;
  readonly parentId: string | null;
  readonly authorId: string;
  readonly version: {
    number: number;
    authorId: string;
    message: string;
    minorEdit: boolean;
    createdAt: string;
  };
  readonly body: { representation: string; value: string } | null;
  readonly labels: string[];
  readonly properties: { id: string; key: string; value: unknown; version: number }[];
  readonly versions: { number: number; authorId: string; title: string; createdAt: string }[];
}

export interface InstallationView {
  readonly installationId: string;
  readonly cloudId: string;
  readonly appId: string;
  readonly environmentId: string;
  readonly environmentType: 'DEVELOPMENT' | 'STAGING' | 'PRODUCTION';
  readonly appVersion: string;
  readonly appAccountId: string;
  readonly scopes: string[];
  readonly siteUrl: string;
  readonly gatewayUrl: string;
}
