import { z } from 'zod';

/**
 * The body Forge POSTs to a remote endpoint for a lifecycle or scheduled
 * trigger. It is Forge's event payload, not Pagewire's envelope. Documented
 * fields (https://developer.atlassian.com/platform/forge/events-reference/life-cycle/,
 * /remote/sending-product-events/#handling-retries): `id` (the installation),
 * `installerAccountId` / `upgraderAccountId`, `app`, `environment`, and
 * `retryContext` on a redelivery; a pre-uninstall trigger sends
 * `context.{cloudId, moduleKey}` and `contextToken`. Nothing here is
 * identity: who the tenant is comes from the signed FIT only, so the body is
 * read loosely and unknown fields pass.
 */
export const forgeEventPayloadSchema = z.looseObject({
  id: z.string().optional(),
  installerAccountId: z.string().optional(),
  upgraderAccountId: z.string().optional(),
  app: z.looseObject({ id: z.string().optional(), version: z.string().optional() }).optional(),
  environment: z.looseObject({ id: z.string().optional() }).optional(),
  retryContext: z
    .looseObject({ retryCount: z.number().optional(), retryReason: z.string().optional() })
    .nullable()
    .optional(),
});
export type ForgeEventPayload = z.infer<typeof forgeEventPayloadSchema>;
