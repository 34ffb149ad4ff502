import { z } from 'zod';

/**
 * The body Forge POSTs to a remote endpoint for a lifecycle or scheduled
 * trigger. It is Forge's event payload, not Pagewire's envelope; the identity
 * that matters comes from the signed FIT, so only a few fields are read here.
 * https://developer.atlassian.com/platform/forge/events-reference/life-cycle/
 */
export const forgeEventPayloadSchema = z.looseObject({
  id: z.string().optional(),
  installerAccountId: z.string().optional(),
  eventType: z.string().optional(),
  app: z.looseObject({ id: z.string().optional(), version: z.string().optional() }).optional(),
  environment: z.looseObject({ id: z.string().optional() }).optional(),
  context: z.looseObject({ cloudId: z.string().optional(), siteUrl: z.string().optional() }).optional(),
});
export type ForgeEventPayload = z.infer<typeof forgeEventPayloadSchema>;
