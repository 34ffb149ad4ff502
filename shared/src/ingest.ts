import { z } from 'zod';
import { adfDocumentSchema } from './adf/adf-document';
import { blockKeySchema, MAX_INGEST_BODY_BYTES } from './blocks/block-content';
import { labelSchema, numericIdSchema, spaceKeySchema } from './confluence-ids';
import { pageOriginSchema, treeNameSchema } from './page-tree';

export { blockPayloadSchema as ingestBlockBodySchema } from './blocks/block-content';

/** `PUT /ingest/v1/blocks/{key}` answers 201 on first write, 200 after. */
export const ingestBlockResultSchema = z.object({
  key: blockKeySchema,
  revision: z.number().int().positive(),
  changed: z.boolean(),
});
export type IngestBlockResult = z.infer<typeof ingestBlockResultSchema>;

/** Ingest keys: `pwk_` + 43 base64url characters (256 random bits). */
export const INGEST_KEY_PREFIX = 'pwk_';
export const INGEST_KEY_PATTERN = /^pwk_[A-Za-z0-9_-]{43}$/;

/** Source names label who pushed what in the activity log. */
export const sourceNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/, 'must be 1–64 letters, digits, spaces, ".", "_" or "-"');

/** Page external ids are the source's own stable id for a page; they appear in URLs. */
export const EXTERNAL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:~-]{0,127}$/;
export const externalIdSchema = z
  .string()
  .regex(EXTERNAL_ID_PATTERN, 'must be 1–128 characters of letters, digits, ".", "_", ":", "~" or "-"');

export const humanEditPolicies = ['skip', 'overwrite'] as const;

/**
 * `PUT /ingest/v1/pages/{externalId}`: publish a whole page from Markdown or ADF.
 * Exactly one of `markdown` and `adf`. `minorEdit` is accepted so that existing
 * sources keep working, and has no effect: Confluence's v2 page update has no
 * such field (docs/platform-notes.md#page-updates-and-watcher-notifications-v2).
 */
export const pageIngestBodySchema = z
  .strictObject({
    spaceKey: spaceKeySchema,
    parentId: numericIdSchema.optional(),
    /** The parent as another page of the same source; created first if it is in the same run. Not with `parentId`. */
    parentExternalId: externalIdSchema.optional(),
    /** Where a docs-as-code tool published this page from (docs/DOCS-AS-CODE.md). */
    origin: pageOriginSchema.optional(),
    title: z.string().trim().min(1).max(255),
    markdown: z.string().max(MAX_INGEST_BODY_BYTES).optional(),
    adf: adfDocumentSchema.optional(),
    labels: z.array(labelSchema).max(20).optional(),
    onHumanEdit: z.enum(humanEditPolicies).default('skip'),
    dryRun: z.boolean().default(false),
    versionMessage: z.string().trim().max(255).optional(),
    minorEdit: z.boolean().default(true),
  })
  .refine((body) => (body.markdown === undefined) !== (body.adf === undefined), {
    message: 'give exactly one of "markdown" and "adf"',
    path: ['markdown'],
  })
  .refine((body) => body.parentId === undefined || body.parentExternalId === undefined, {
    message: 'give at most one of "parentId" and "parentExternalId"',
    path: ['parentExternalId'],
  });
export type PageIngestBody = z.infer<typeof pageIngestBodySchema>;
export type PageIngestBodyInput = z.input<typeof pageIngestBodySchema>;

export const pageIngestAcceptedSchema = z.object({ jobId: z.string() });

/**
 * `planned` is where a dry run ends: it wrote nothing, and its `plan` says what
 * a real run would have done (create, update, unchanged or skip).
 */
export const jobStates = [
  'queued',
  'running',
  'published',
  'unchanged',
  'skipped_human_edit',
  'failed',
  'planned',
] as const;
export const jobStateSchema = z.enum(jobStates);
export type JobState = z.infer<typeof jobStateSchema>;
export const terminalJobStates: ReadonlySet<JobState> = new Set([
  'published',
  'unchanged',
  'skipped_human_edit',
  'failed',
  'planned',
]);

/** `move`: the page's content is unchanged and only its parent changes; `archive`: an archive job's plan. */
export const planActions = ['create', 'update', 'move', 'unchanged', 'skip', 'archive'] as const;
export const publishPlanSchema = z.object({
  action: z.enum(planActions),
  reason: z.string().optional(),
  pageId: z.string().optional(),
  currentVersion: z.number().int().optional(),
  diff: z
    .object({
      /** Top-level ADF blocks only in the new document. */
      added: z.number().int().nonnegative(),
      /** Top-level ADF blocks only in the current page. */
      removed: z.number().int().nonnegative(),
      titleChanged: z.boolean(),
      labelsAdded: z.array(z.string()),
    })
    .optional(),
});
export type PublishPlan = z.infer<typeof publishPlanSchema>;

export const jobErrorSchema = z.object({ code: z.string(), detail: z.string() });

/** Something that did not stop the job but that its caller should know (labels not applied, Markdown not converted). */
export const jobWarningSchema = z.object({ code: z.string(), detail: z.string() });
export type JobWarning = z.infer<typeof jobWarningSchema>;

export const jobViewSchema = z.object({
  id: z.string(),
  externalId: externalIdSchema,
  state: jobStateSchema,
  pageId: z.string().optional(),
  version: z.number().int().optional(),
  error: jobErrorSchema.optional(),
  plan: publishPlanSchema.optional(),
  /** Set when the job ended `skipped_human_edit`: whose edit Pagewire left alone. */
  humanEdit: z.object({ by: z.string(), at: z.string(), version: z.number().int() }).optional(),
  attempts: z.number().int().nonnegative(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** True for a dry run: it ends `planned` (or `failed`) and never writes. */
  dryRun: z.boolean().optional(),
  /**
   * Set when a newer update to the same page arrived before this one was
   * written: only the newest is written (coalescing), and this job's final
   * state is that write's outcome.
   */
  supersededBy: z.string().optional(),
  warnings: z.array(jobWarningSchema).optional(),
  /** Where a person opens the page, once the job knows it (and the backend knows the site's URL). */
  pageUrl: z.url().optional(),
  /** What a `published` job did to the page: created it, wrote a new version, moved it, or archived it. */
  written: z.enum(['created', 'updated', 'moved', 'archived']).optional(),
});
export type JobView = z.infer<typeof jobViewSchema>;

/** `GET /ingest/v1/jobs/{id}?wait=`: seconds to hold the answer until the job ends; at most this many. */
export const MAX_JOB_WAIT_SECONDS = 30;
export const jobWaitQuerySchema = z.strictObject({
  wait: z.coerce
    .number()
    .int('must be a whole number of seconds')
    .min(0, 'must be 0 or more seconds')
    .max(MAX_JOB_WAIT_SECONDS, `must be at most ${MAX_JOB_WAIT_SECONDS} seconds`)
    .optional(),
});

/** `GET /ingest/v1/jobs?state=&externalId=&limit=&cursor=`: this key's space's page jobs, newest first. */
export const jobListQuerySchema = z.strictObject({
  state: jobStateSchema.optional(),
  externalId: externalIdSchema.optional(),
  limit: z.coerce.number().int().min(1, 'must be 1–100').max(100, 'must be 1–100').default(25),
  cursor: z.string().min(1).max(200).optional(),
});
export type JobListQuery = z.infer<typeof jobListQuerySchema>;
export const jobListSchema = z.object({
  jobs: z.array(jobViewSchema),
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type JobList = z.infer<typeof jobListSchema>;

/** `GET /ingest/v1/pages/{externalId}`: the Confluence page a source's external id is published as. */
export const publishedPageSchema = z.object({
  externalId: externalIdSchema,
  pageId: z.string(),
  title: z.string(),
  /** The version Pagewire's last write created. */
  version: z.number().int().positive(),
  pageUrl: z.url().optional(),
  updatedAt: z.string(),
  lastJob: jobViewSchema.nullable(),
});
export type PublishedPage = z.infer<typeof publishedPageSchema>;

/** One page of a tree as the backend knows it. */
export const treePageSchema = z.object({
  externalId: externalIdSchema,
  origin: pageOriginSchema,
  title: z.string(),
  parentExternalId: externalIdSchema.nullable(),
  /** Null until the page's first publish wrote it. */
  pageId: z.string().nullable(),
  pageUrl: z.url().optional(),
  /** `archived` once an orphan was archived; it is not listed as an orphan again. */
  status: z.enum(['current', 'archived']),
  updatedAt: z.string(),
  lastJob: jobViewSchema.nullable(),
});
export type TreePage = z.infer<typeof treePageSchema>;

/** The query of `GET /ingest/v1/trees/{tree}/pages`: `cursor` is a previous answer's `nextCursor`. */
export const treePageListQuerySchema = z.strictObject({
  cursor: z.string().min(1).max(400).optional(),
});
export type TreePageListQuery = z.infer<typeof treePageListQuerySchema>;

/** `GET /ingest/v1/trees/{tree}/pages?cursor=`: all pages of a tree in the key's space. */
export const treePageListSchema = z.object({
  tree: treeNameSchema,
  pages: z.array(treePageSchema),
  nextCursor: z.string().nullable(),
});
export type TreePageList = z.infer<typeof treePageListSchema>;
