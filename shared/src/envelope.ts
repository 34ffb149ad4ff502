import { z } from 'zod';
import { contentTypeSchema, numericIdSchema, spaceKeySchema } from './confluence-ids';

/**
 * The context every resolver sends to the backend with `invokeRemote`.
 *
 * Function-originated Forge Remote calls carry no `context` in the Forge
 * Invocation Token, so the resolver copies these fields from its own platform
 * context (never from the frontend payload) and the backend trusts them because
 * only this app's functions can obtain a FIT for this app. `isSpaceAdmin` is
 * what the resolver learned from Confluence's permission API as the user.
 * See docs/ARCHITECTURE.md, "Trust boundaries".
 */
export const invocationContextSchema = z.strictObject({
  cloudId: z.string().min(1).max(64),
  accountId: z.string().min(1).max(128),
  siteUrl: z.url({ protocol: /^https?$/ }).optional(),
  spaceKey: spaceKeySchema.optional(),
  spaceId: numericIdSchema.optional(),
  contentId: numericIdSchema.optional(),
  /** What `contentId` is (the macro context's `content.type`); a page when absent. */
  contentType: contentTypeSchema.optional(),
  localId: z.string().min(1).max(128).optional(),
  isSpaceAdmin: z.boolean().optional(),
});
export type InvocationContext = z.infer<typeof invocationContextSchema>;

export const envelopeSchema = z.strictObject({
  context: invocationContextSchema,
  input: z.unknown(),
});
export type Envelope<Input = unknown> = { context: InvocationContext; input: Input };

/** The success body of every `POST /forge/v1/<operation>`. */
export type OperationResponse<Output> = { data: Output };
