import { z } from 'zod';

/**
 * `live`: the macro reads the block from the backend on every view; nothing is
 * written to Confluence. `snapshot`: on every block change the backend also
 * writes the content to a page content property, so Word export, page history
 * and search (through the macro's `adfExport`) see real content without a new
 * page version.
 */
export const publishingPolicies = ['live', 'snapshot'] as const;
export const publishingPolicySchema = z.enum(publishingPolicies);
export type PublishingPolicy = z.infer<typeof publishingPolicySchema>;

export const spaceSettingsSchema = z.object({
  publishingPolicy: publishingPolicySchema,
  /** A block not updated for this long is shown as stale in the macro. */
  // The messages reach an admin under the "Mark a block stale after (minutes)" field: plain words, no field names.
  staleAfterMinutes: z
    .number({ error: 'enter a number of minutes' })
    .int('enter a whole number of minutes')
    .min(1, 'must be at least 1 minute')
    .max(43_200, 'must be at most 43,200 minutes (30 days)'),
});
export type SpaceSettings = z.infer<typeof spaceSettingsSchema>;

export const defaultSpaceSettings: SpaceSettings = { publishingPolicy: 'live', staleAfterMinutes: 60 };

export const deploymentModes = ['in-house', 'marketplace'] as const;
export const deploymentModeSchema = z.enum(deploymentModes);
export type DeploymentMode = z.infer<typeof deploymentModeSchema>;
