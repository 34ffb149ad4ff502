import { z } from 'zod';
import { problemCodeSchema } from '../errors/problem';
import type { OperationName, OperationOutput } from './operations';

/**
 * What a Pagewire resolver returns to its UI Kit frontend. Resolvers never
 * throw to the frontend: Forge would turn a throw into an opaque error, so
 * every failure comes back as a value the UI can explain.
 */
export const resolverErrorSchema = z.object({
  code: problemCodeSchema,
  /** A sentence the user can act on. */
  message: z.string(),
  /** When trying again makes sense (rate limits), the earliest time to do so. */
  retryAt: z.string().optional(),
  fieldErrors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ResolverError = z.infer<typeof resolverErrorSchema>;

export type ResolverResult<T> = { ok: true; data: T } | { ok: false; error: ResolverError };

export type OperationResult<Name extends OperationName> = ResolverResult<OperationOutput<Name>>;
