import { z } from 'zod';
import { activityItemSchema, activityKindSchema } from '../activity';
import { adfDocumentSchema } from '../adf/adf-document';
import { blockKeySchema, blockListSchema, blockSchema, blockSummarySchema } from '../blocks/block-content';
import {
  apiTokenSecretSchema,
  apiTokenStatusSchema,
  appTokenStatusSchema,
  expiryDateSchema,
  tokenHealthSchema,
} from '../credentials';
import { consumerNameSchema, exportSettingsUpdateSchema, exportSettingsViewSchema } from '../export';
import { externalIdSchema, jobStateSchema, sourceNameSchema } from '../ingest';
import { deploymentModeSchema, publishingPolicySchema, spaceSettingsSchema } from '../settings';
import { webhookCreateInputSchema, webhookSubscriptionSchema } from '../webhooks';

/**
 * Who may call an operation.
 * - `lifecycle`: installation bookkeeping, no space or user needed.
 * - `read`: any user who can see the space (the macro, the read-only settings view).
 * - `admin`: writes; the envelope (or the FIT context) must say the user administers the space.
 */
export type OperationAccess = 'lifecycle' | 'read' | 'admin';

export interface OperationSpec<Input extends z.ZodType = z.ZodType, Output extends z.ZodType = z.ZodType> {
  readonly input: Input;
  readonly output: Output;
  readonly access: OperationAccess;
  /** Whether the envelope's context must name a space (`spaceKey`). */
  readonly needsSpace: boolean;
}

const empty = z.strictObject({});

const ingestKeySummarySchema = z.object({
  id: z.string(),
  source: z.string(),
  /** The first characters of the key, enough to recognise it, never enough to use it. */
  prefix: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type IngestKeySummary = z.infer<typeof ingestKeySummarySchema>;

const settingsViewSchema = z.object({
  space: z.object({ key: z.string(), id: z.string().nullable() }),
  mode: deploymentModeSchema,
  /** Whether the backend accepted this caller as a space admin (writes allowed). */
  canEdit: z.boolean(),
  settings: spaceSettingsSchema,
  appToken: appTokenStatusSchema,
  /** Null when none is configured, and always null in marketplace mode. */
  apiToken: apiTokenStatusSchema.nullable(),
  /** The scopes to tick when creating the scoped API token, in display order. */
  requiredApiTokenScopes: z.array(z.string()),
  ingestKeys: z.array(ingestKeySummarySchema),
  /** The backend URL sources send blocks and pages to (`PAGEWIRE_PUBLIC_URL`); null when the operator did not set it. */
  ingestUrl: z.string().nullable(),
  /** Export to other systems (docs/EXPORT.md): off by default. */
  export: exportSettingsViewSchema,
});
export type SettingsView = z.infer<typeof settingsViewSchema>;

function operation<Input extends z.ZodType, Output extends z.ZodType>(
  spec: OperationSpec<Input, Output>,
): OperationSpec<Input, Output> {
  return spec;
}

/** One entry per backend operation: `POST /forge/v1/<name>`. */
export const operations = {
  'lifecycle.installed': operation({
    input: empty,
    output: z.object({ installationId: z.string() }),
    access: 'lifecycle',
    needsSpace: false,
  }),
  'lifecycle.tokenRefresh': operation({
    input: empty,
    output: z.object({ installationId: z.string(), appTokenExpiresAt: z.string().nullable() }),
    access: 'lifecycle',
    needsSpace: false,
  }),
  /**
   * Forge's pre-uninstall trigger (manifest `preUninstall` → endpoint): the
   * installation stops publishing and its data is purged after the grace
   * period (`purgeAfter`); a reinstall on the same site within it gets its
   * spaces' settings back.
   */
  'lifecycle.uninstalled': operation({
    input: empty,
    output: z.object({ installationId: z.string(), purgeAfter: z.string() }),
    access: 'lifecycle',
    needsSpace: false,
  }),
  'blocks.list': operation({
    input: empty,
    output: z.object({ blocks: z.array(blockSummarySchema) }),
    access: 'read',
    needsSpace: true,
  }),
  'blocks.get': operation({
    input: z.strictObject({ key: blockKeySchema }),
    output: z.object({
      block: blockSchema,
      stale: z.boolean(),
      staleAfterMinutes: z.number().int(),
      /**
       * The block's content rendered to ADF by the backend's own Markdown→ADF
       * mapping (the one the publisher uses), for `markdown` blocks. The macro
       * shows it with UI Kit's AdfRenderer, so a live view, a snapshot and a
       * published page render one Markdown the same way and the browser bundle
       * carries no Markdown parser. Optional: without it the macro falls back
       * to showing the Markdown source as plain paragraphs.
       */
      rendered: adfDocumentSchema.optional(),
      /**
       * Set by the macro's resolver, never by the backend: the backend could
       * not be reached, and this is the snapshot the page holds (read with the
       * app's own Confluence access), as of `since`.
       */
      fallback: z
        .object({
          reason: z.enum(['backend_unreachable', 'backend_timeout', 'service_unavailable']),
          since: z.iso.datetime({ offset: true }),
        })
        .optional(),
    }),
    access: 'read',
    needsSpace: true,
  }),
  /** The settings page's "Blocks" tab: every block of the space with its source, last update and placements. */
  'blocks.overview': operation({
    input: empty,
    output: blockListSchema,
    access: 'read',
    needsSpace: true,
  }),
  /** Deletes a block; macros showing it then say it was deleted, and the picker no longer offers it. */
  'blocks.delete': operation({
    input: z.strictObject({ key: blockKeySchema }),
    output: z.object({ deleted: z.literal(true) }),
    access: 'admin',
    needsSpace: true,
  }),
  /** The settings page's "Pages" tab: every page the space's sources publish, with its last job. */
  'pages.list': operation({
    input: empty,
    output: z.object({
      pages: z.array(
        z.object({
          externalId: externalIdSchema,
          pageId: z.string(),
          title: z.string(),
          /** The version Pagewire last wrote. */
          version: z.number().int(),
          updatedAt: z.string(),
          /** Set once a space admin chose "stop managing": Pagewire no longer writes the page, and its source's pushes are refused. */
          releasedAt: z.string().nullable(),
          lastJob: z
            .object({
              id: z.string(),
              state: jobStateSchema,
              source: z.string(),
              updatedAt: z.string(),
              humanEdit: z.object({ by: z.string(), at: z.string(), version: z.number().int() }).optional(),
            })
            .nullable(),
        }),
      ),
    }),
    access: 'read',
    needsSpace: true,
  }),
  /** Publishes the source's last version of a page again, over a person's edit. */
  'pages.overwrite': operation({
    input: z.strictObject({ externalId: externalIdSchema }),
    output: z.object({ jobId: z.string() }),
    access: 'admin',
    needsSpace: true,
  }),
  /**
   * "Stop managing": Pagewire forgets the page as its own (removes its marker
   * properties from the page, so the page notice disappears), never writes it
   * again, and refuses its source's further pushes with `page_released`. The
   * page itself stays as it is in Confluence.
   */
  'pages.release': operation({
    input: z.strictObject({ externalId: externalIdSchema }),
    output: z.object({ released: z.literal(true), releasedAt: z.string() }),
    access: 'admin',
    needsSpace: true,
  }),
  /**
   * The page notice (content byline item) on a published page: who publishes
   * it and what a manual edit does. The page is the one the notice sits on
   * (the context's `contentId`, from the platform), never one the browser names.
   */
  'pages.notice': operation({
    input: empty,
    output: z.object({
      managed: z.boolean(),
      externalId: externalIdSchema.optional(),
      source: z.string().optional(),
      title: z.string().optional(),
      lastPublishedAt: z.string().optional(),
      /** What happens to a manual edit: `skip` keeps it and holds the source's updates, `overwrite` replaces it on the next update. */
      onHumanEdit: z.enum(['skip', 'overwrite']).optional(),
      releasedAt: z.string().optional(),
    }),
    access: 'read',
    needsSpace: true,
  }),
  'settings.get': operation({
    input: empty,
    output: settingsViewSchema,
    access: 'read',
    needsSpace: true,
  }),
  'settings.update': operation({
    input: z
      .strictObject({
        publishingPolicy: publishingPolicySchema.optional(),
        staleAfterMinutes: spaceSettingsSchema.shape.staleAfterMinutes.optional(),
        export: exportSettingsUpdateSchema.optional(),
      })
      .refine((input) => Object.keys(input).length > 0, { message: 'give at least one setting to change' }),
    output: z.object({ settings: spaceSettingsSchema }),
    access: 'admin',
    needsSpace: true,
  }),
  'apiToken.set': operation({
    input: z.strictObject({
      email: z.email().max(254),
      token: apiTokenSecretSchema,
      expiresAt: expiryDateSchema,
    }),
    /** `saved` is false when verification failed; the previous token then stays in place. */
    output: z.object({ saved: z.boolean(), health: tokenHealthSchema }),
    access: 'admin',
    needsSpace: true,
  }),
  'apiToken.remove': operation({
    input: empty,
    output: z.object({ removed: z.boolean() }),
    access: 'admin',
    needsSpace: true,
  }),
  'ingestKeys.create': operation({
    input: z.strictObject({ source: sourceNameSchema }),
    /** `key` is the secret, shown to the admin only in this response. */
    output: z.object({ id: z.string(), source: z.string(), key: z.string() }),
    access: 'admin',
    needsSpace: true,
  }),
  'ingestKeys.revoke': operation({
    input: z.strictObject({ id: z.string().min(1).max(64) }),
    output: z.object({ revoked: z.literal(true) }),
    access: 'admin',
    needsSpace: true,
  }),
  /** An export key for one consumer; `key` (prefix `pwx_`) is shown only in this response. */
  'exportKeys.create': operation({
    input: z.strictObject({ consumer: consumerNameSchema }),
    output: z.object({ id: z.string(), consumer: z.string(), key: z.string() }),
    access: 'admin',
    needsSpace: true,
  }),
  'exportKeys.revoke': operation({
    input: z.strictObject({ id: z.string().min(1).max(64) }),
    output: z.object({ revoked: z.literal(true) }),
    access: 'admin',
    needsSpace: true,
  }),
  /** A signed webhook subscription; `secret` (prefix `whsec_`) is shown only in this response. */
  'webhooks.create': operation({
    input: webhookCreateInputSchema,
    output: z.object({ id: z.string(), secret: z.string() }),
    access: 'admin',
    needsSpace: true,
  }),
  'webhooks.list': operation({
    input: empty,
    output: z.object({ subscriptions: z.array(webhookSubscriptionSchema) }),
    access: 'read',
    needsSpace: true,
  }),
  'webhooks.delete': operation({
    input: z.strictObject({ id: z.string().min(1).max(64) }),
    output: z.object({ deleted: z.literal(true) }),
    access: 'admin',
    needsSpace: true,
  }),
  /** Sends one `webhook.test` delivery now, through the same queue and signing as real events. */
  'webhooks.test': operation({
    input: z.strictObject({ id: z.string().min(1).max(64) }),
    output: z.object({ deliveryId: z.string() }),
    access: 'admin',
    needsSpace: true,
  }),
  'activity.list': operation({
    input: z.strictObject({
      cursor: z.string().min(1).max(200).optional(),
      limit: z.number().int().min(1).max(100).optional(),
      kind: activityKindSchema.optional(),
      /** Only what this source did. */
      source: sourceNameSchema.optional(),
      /** `false`: every row as recorded (an audit export); by default a source's repeated writes fold into one row. */
      fold: z.boolean().optional(),
    }),
    output: z.object({ items: z.array(activityItemSchema), nextCursor: z.string().nullable() }),
    access: 'read',
    needsSpace: true,
  }),
} as const;

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export const operationNames = Object.keys(operations) as OperationName[];

/** What a caller may send (defaults not yet applied). */
export type OperationInput<Name extends OperationName> = z.input<Operations[Name]['input']>;
/** What the backend sees after validation. */
export type ParsedOperationInput<Name extends OperationName> = z.output<Operations[Name]['input']>;
export type OperationOutput<Name extends OperationName> = z.output<Operations[Name]['output']>;

export function isOperationName(name: string): name is OperationName {
  return Object.hasOwn(operations, name);
}
