import { z } from 'zod';
import { adfDocumentSchema } from './adf/adf-document';
import { blockKeySchema } from './blocks/block-content';

/**
 * Under the `snapshot` publishing policy the backend writes each placed block,
 * rendered as ADF, to a content property of the page that holds the macro, one
 * property per macro instance. The macro's `adfExport` function reads it back,
 * so Word export, page history and the REST API show real content without a
 * backend call per export (adfExport runs once per macro per export).
 *
 * Content properties are a global namespace any app can write, and they are
 * versioned JSON of at most 32 KB; so the key carries our prefix and the value
 * carries nothing secret. https://developer.atlassian.com/cloud/confluence/confluence-entity-properties/
 */
export const SNAPSHOT_PROPERTY_PREFIX = 'pagewire.snapshot.';

/** The macro's `localId` (an editor-assigned UUID) names the property. */
export function snapshotPropertyKey(localId: string): string {
  return `${SNAPSHOT_PROPERTY_PREFIX}${localId}`;
}

/** The value the publishing engine writes under `snapshotPropertyKey(localId)`. */
export const snapshotPropertySchema = z.object({
  blockKey: blockKeySchema,
  revision: z.number().int().positive(),
  title: z.string(),
  adf: adfDocumentSchema,
  updatedAt: z.iso.datetime({ offset: true }),
});
export type SnapshotProperty = z.infer<typeof snapshotPropertySchema>;
