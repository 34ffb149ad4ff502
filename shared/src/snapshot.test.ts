import { describe, expect, it } from 'vitest';
import { SNAPSHOT_PROPERTY_PREFIX, snapshotPropertyKey, snapshotPropertySchema } from './snapshot';

describe('the snapshot content property', () => {
  it('is keyed by the macro instance under the Pagewire prefix', () => {
    expect(snapshotPropertyKey('6f1c2d3e-aaaa-bbbb-cccc-123456789abc')).toBe(
      `${SNAPSHOT_PROPERTY_PREFIX}6f1c2d3e-aaaa-bbbb-cccc-123456789abc`,
    );
  });

  it('accepts what the publishing engine writes', () => {
    const parsed = snapshotPropertySchema.safeParse({
      blockKey: 'deploy-status',
      revision: 3,
      title: 'Deploy status',
      adf: {
        version: 1,
        type: 'doc',
        content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Green' }] }],
      },
      updatedAt: '2026-11-28T10:00:00Z',
    });
    expect(parsed.success).toBe(true);
  });

  it('refuses a snapshot whose body is not an ADF document', () => {
    const parsed = snapshotPropertySchema.safeParse({
      blockKey: 'deploy-status',
      revision: 3,
      title: 'Deploy status',
      adf: '<p>Green</p>',
      updatedAt: '2026-11-28T10:00:00Z',
    });
    expect(parsed.success).toBe(false);
  });
});
