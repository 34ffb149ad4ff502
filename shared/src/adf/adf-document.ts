import { z } from 'zod';

/**
 * Structural shape of an Atlassian Document Format document. This only checks
 * what every ADF document has (a `doc` root of version 1 with typed nodes); the
 * full node-by-node check against Atlassian's JSON schema is in
 * `@pagewire/shared/adf-validator`, kept apart so that code which only needs the
 * types (the Forge frontends) does not bundle Ajv and a 70 KB schema.
 * Reference: https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/
 */
export interface AdfMark {
  type: string;
  attrs?: Record<string, unknown>;
}

export interface AdfNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
  marks?: AdfMark[];
  text?: string;
}

export interface AdfDocument {
  version: 1;
  type: 'doc';
  content: AdfNode[];
}

const adfMarkSchema = z.looseObject({
  type: z.string().min(1),
  attrs: z.record(z.string(), z.unknown()).optional(),
});

export const adfNodeSchema: z.ZodType<AdfNode> = z.lazy(() =>
  z.looseObject({
    type: z.string().min(1),
    attrs: z.record(z.string(), z.unknown()).optional(),
    content: z.array(adfNodeSchema).optional(),
    marks: z.array(adfMarkSchema).optional(),
    text: z.string().optional(),
  }),
);

export const adfDocumentSchema: z.ZodType<AdfDocument> = z.looseObject({
  version: z.literal(1),
  type: z.literal('doc'),
  content: z.array(adfNodeSchema),
}) as z.ZodType<AdfDocument>;

export function emptyAdfDocument(): AdfDocument {
  return { version: 1, type: 'doc', content: [] };
}
