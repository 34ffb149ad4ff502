import type { AdfDocument, AdfNode, SnapshotProperty } from '@pagewire/shared';
import { doc, panel, paragraph, text } from '@pagewire/shared/adf-builders';

/**
 * Content property values are limited to 32 KB of JSON
 * (https://developer.atlassian.com/cloud/confluence/confluence-entity-properties/).
 * Measured as the UTF-8 bytes of the whole serialised value, key names included.
 */
export const MAX_PROPERTY_VALUE_BYTES = 32 * 1024;

export interface SnapshotValue {
  value: SnapshotProperty;
  /** True when the block did not fit and the snapshot holds its beginning plus a note saying so. */
  truncated: boolean;
  /** Size of the full snapshot, before any truncation. */
  fullBytes: number;
}

/**
 * Builds the value of `pagewire.snapshot.<localId>`. A block too large for one
 * property keeps as many whole top-level blocks (or table rows) as fit, then a
 * note panel that says the rest is missing and why, so an exported page never
 * looks complete when it is not. The live macro still shows everything.
 */
export function buildSnapshotValue(input: {
  blockKey: string;
  revision: number;
  title: string;
  adf: AdfDocument;
  updatedAt: string;
}): SnapshotValue {
  const full: SnapshotProperty = { ...input };
  const fullBytes = byteSize(full);
  if (fullBytes <= MAX_PROPERTY_VALUE_BYTES) return { value: full, truncated: false, fullBytes };

  const note = (shown: number, total: number): AdfNode =>
    panel('note', [
      paragraph([
        text(
          `This block is too large to keep a full copy in the page (${Math.ceil(fullBytes / 1024)} KB; ` +
            `a page property holds at most 32 KB). The first ${shown} of ${total} parts are shown here; ` +
            'the Pagewire macro on the page shows all of it.',
        ),
      ]),
    ]);
  const total = countParts(input.adf.content);
  const sized = (content: AdfNode[], shown: number): SnapshotProperty => ({
    ...input,
    adf: doc([...content, note(shown, total)]),
  });

  const kept: AdfNode[] = [];
  let shown = 0;
  for (const block of input.adf.content) {
    const attempt = [...kept, block];
    if (byteSize(sized(attempt, shown + countParts([block]))) <= MAX_PROPERTY_VALUE_BYTES) {
      kept.push(block);
      shown += countParts([block]);
      continue;
    }
    if (block.type === 'table') {
      const rows = block.content ?? [];
      // The header row and as many body rows as still fit.
      let take = 0;
      while (
        take < rows.length &&
        byteSize(
          sized([...kept, { ...block, content: rows.slice(0, take + 1) }], shown + Math.max(0, take)),
        ) <= MAX_PROPERTY_VALUE_BYTES
      ) {
        take += 1;
      }
      if (take > 1) {
        kept.push({ ...block, content: rows.slice(0, take) });
        shown += take - 1;
      }
    }
    break;
  }
  return { value: sized(kept, shown), truncated: true, fullBytes };
}

/** Top-level blocks count as one part each; a table counts its body rows, which is what a reader counts. */
function countParts(content: readonly AdfNode[]): number {
  return content.reduce(
    (sum, node) => sum + (node.type === 'table' ? Math.max(0, (node.content?.length ?? 1) - 1) : 1),
    0,
  );
}

function byteSize(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
