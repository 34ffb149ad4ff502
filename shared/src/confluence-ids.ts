import { z } from 'zod';

/** Space keys are letters and digits; personal spaces start with `~`. */
export const spaceKeySchema = z.string().regex(/^~?[A-Za-z0-9]{1,255}$/, 'is not a Confluence space key');
/** v2 ids (pages, spaces) are numeric strings; they are not safe as JS numbers. */
export const numericIdSchema = z.string().regex(/^[0-9]{1,20}$/, 'must be a numeric Confluence id');
export const labelSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,99}$/, 'must be a lower-case Confluence label without spaces');
