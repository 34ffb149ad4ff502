import { z } from 'zod';

/** How a scoped API token fared when the backend last checked it against Confluence. */
export const tokenHealthStatuses = [
  'ok',
  'missing_scopes',
  'expired_or_revoked',
  'wrong_base_url',
  'wrong_email',
  'unreachable',
  /** The stored token no longer decrypts: the master key changed. */
  'undecryptable',
] as const;
export const tokenHealthStatusSchema = z.enum(tokenHealthStatuses);
export type TokenHealthStatus = z.infer<typeof tokenHealthStatusSchema>;

export const tokenHealthSchema = z.object({
  status: tokenHealthStatusSchema,
  missingScopes: z.array(z.string()),
  checkedAt: z.iso.datetime({ offset: true }),
  /** One sentence a space admin can act on. */
  detail: z.string().optional(),
});
export type TokenHealth = z.infer<typeof tokenHealthSchema>;

/** Warnings fire at 30, 7 and 1 days before the admin-entered expiry date. */
export const expiryWarningLevels = ['30_days', '7_days', '1_day', 'expired'] as const;
export const expiryWarningSchema = z.object({
  level: z.enum(expiryWarningLevels),
  daysLeft: z.number().int(),
});
export type ExpiryWarning = z.infer<typeof expiryWarningSchema>;

export const apiTokenStatusSchema = z.object({
  email: z.string(),
  /** The date the admin entered, `YYYY-MM-DD`. */
  expiresAt: z.string(),
  health: tokenHealthSchema,
  lastUsedAt: z.string().nullable(),
  expiryWarning: expiryWarningSchema.nullable(),
});
export type ApiTokenStatus = z.infer<typeof apiTokenStatusSchema>;

export const appTokenStatusSchema = z.object({
  /** `refused`: Confluence answered 401 to the token Forge last delivered; it is not used. */
  status: z.enum(['ok', 'missing', 'expired', 'refused']),
  expiresAt: z.string().nullable(),
});
export type AppTokenStatus = z.infer<typeof appTokenStatusSchema>;

/** Scoped API tokens are pasted by an admin: no whitespace, no control characters. */
export const apiTokenSecretSchema = z
  .string()
  .min(16, 'looks too short to be an Atlassian API token')
  .max(2048)
  .regex(/^[\x21-\x7e]+$/, 'must not contain spaces or line breaks');

export const expiryDateSchema = z.iso.date();
