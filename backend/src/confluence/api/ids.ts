import { numericIdSchema } from '@pagewire/shared';
import { ConfluenceConfigError } from '../errors';

/**
 * A v2 id as a path segment. Ids are numeric strings; anything else (a title,
 * `..`) is refused before it can point a request at another endpoint.
 */
export function idSegment(id: string, what: string): string {
  if (!numericIdSchema.safeParse(id).success) {
    throw new ConfluenceConfigError(`"${id}" is not a Confluence ${what} id (ids are numbers).`);
  }
  return id;
}
