import { z } from 'zod';

/**
 * Response schemas for the calls Pagewire makes. They are loose (unknown
 * fields pass through) but strict about what Pagewire reads, so API drift
 * fails at the edge with a clear ResponseSchemaError. Field names follow the
 * v2 OpenAPI spec (https://developer.atlassian.com/cloud/confluence/rest/v2/;
 * docs/platform-notes.md#reading-a-page-body).
 */

/** v2 ids are numeric strings; accept numbers too, but keep them as strings (they overflow JS numbers). */
export const confluenceIdSchema = z
  .union([z.string().min(1), z.number().int().nonnegative()])
  .transform(String);

export const versionSchema = z.looseObject({
  number: z.number().int().nonnegative(),
  message: z.string().nullish(),
  minorEdit: z.boolean().nullish(),
  authorId: z.string().nullish(),
  createdAt: z.string().nullish(),
});
export type ContentVersion = z.infer<typeof versionSchema>;

const bodyValueSchema = z.looseObject({ representation: z.string(), value: z.string() });

export const pageSchema = z.looseObject({
  id: confluenceIdSchema,
  status: z.string(),
  title: z.string(),
  spaceId: confluenceIdSchema,
  parentId: confluenceIdSchema.nullish(),
  parentType: z.string().nullish(),
  authorId: z.string().nullish(),
  ownerId: z.string().nullish(),
  createdAt: z.string().nullish(),
  version: versionSchema,
  body: z
    .looseObject({
      storage: bodyValueSchema.optional(),
      atlas_doc_format: bodyValueSchema.optional(),
    })
    .nullish(),
  _links: z.looseObject({ webui: z.string().optional(), base: z.string().optional() }).nullish(),
});
export type Page = z.infer<typeof pageSchema>;

/** `_links.next` is site-relative and absent on the last page. */
const multiEntityLinksSchema = z
  .looseObject({ next: z.string().optional(), base: z.string().optional() })
  .nullish();

export function multiEntityResultSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({ results: z.array(item), _links: multiEntityLinksSchema });
}

export const contentPropertySchema = z.looseObject({
  id: confluenceIdSchema,
  key: z.string(),
  value: z.unknown(),
  version: versionSchema,
});
export type ContentProperty = z.infer<typeof contentPropertySchema>;

export const spaceSchema = z.looseObject({
  id: confluenceIdSchema,
  key: z.string(),
  name: z.string(),
  type: z.string().nullish(),
  status: z.string().nullish(),
  homepageId: confluenceIdSchema.nullish(),
});
export type Space = z.infer<typeof spaceSchema>;

export const permittedOperationsSchema = z.looseObject({
  operations: z.array(z.looseObject({ operation: z.string(), targetType: z.string() })),
});
export type PermittedOperation = z.infer<typeof permittedOperationsSchema>['operations'][number];

/** v1 `LabelArray`: offset-paged, with `_links.next` when more exist. */
export const labelSchema = z.looseObject({
  prefix: z.string(),
  name: z.string(),
  id: confluenceIdSchema.optional(),
});
export type Label = z.infer<typeof labelSchema>;

export const labelArraySchema = z.looseObject({
  results: z.array(labelSchema),
  start: z.number().int().optional(),
  limit: z.number().int().optional(),
  size: z.number().int().optional(),
  _links: multiEntityLinksSchema,
});

/**
 * v1 attachment (a content of type `attachment`) as the create-or-update
 * upload answers it; `extensions.fileId` is the media file ADF `media` nodes
 * point at (docs/platform-notes.md#page-attachments).
 */
export const v1AttachmentSchema = z.looseObject({
  id: z.string().regex(/^att\d+$/),
  title: z.string(),
  version: z.looseObject({ number: z.number().int().positive() }),
  extensions: z.looseObject({
    mediaType: z.string().optional(),
    fileSize: z.number().int().nonnegative().optional(),
    fileId: z.string().min(1),
  }),
});
export type V1Attachment = z.infer<typeof v1AttachmentSchema>;

export const v1AttachmentArraySchema = z.looseObject({
  results: z.array(v1AttachmentSchema),
  size: z.number().int().optional(),
});

export const tenantInfoSchema = z.looseObject({ cloudId: z.string().min(1) });

/** DELETE answers 204 with no body. */
export const emptyBodySchema = z.unknown().transform(() => undefined);
