import { z } from 'zod';

/**
 * Every key Confluence can return (docs/platform-notes.md#space-keys): a site
 * space's key is letters and digits; a personal space's is `~` and its owner's
 * username (legacy keys such as `~john.smith` or `~jsmith@example.com`) or
 * account id. Only what cannot be a key is refused: whitespace, control
 * characters, path separators, and the comma that separates v2's `keys=` list.
 */
export const SPACE_KEY_PATTERN = /^(?:[A-Za-z0-9]{1,255}|~[^\s,/\\\p{Cc}]{1,254})$/u;
export const spaceKeySchema = z.string().regex(SPACE_KEY_PATTERN, 'is not a Confluence space key');
/**
 * The content a macro sits on. Pages and blog posts share content ids but not
 * paths: a blog post's content properties are under `/blogposts/{id}/properties`.
 */
export const contentTypeSchema = z.enum(['page', 'blogpost']);
export type ContentType = z.infer<typeof contentTypeSchema>;
/** v2 ids (pages, spaces) are numeric strings; they are not safe as JS numbers. */
export const numericIdSchema = z.string().regex(/^[0-9]{1,20}$/, 'must be a numeric Confluence id');
export const labelSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,99}$/, 'must be a lower-case Confluence label without spaces');
