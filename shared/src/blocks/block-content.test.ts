import { describe, expect, it } from 'vitest';
import { blockKeySchema, blockPayloadSchema, tableContentSchema } from './block-content';

describe('block keys', () => {
  it.each(['deploy-status', 'a', 'on.call_roster-2', '0'.repeat(64)])('accepts %s', (key) => {
    expect(blockKeySchema.safeParse(key).success).toBe(true);
  });

  it.each(['', 'Deploy', '-leading', 'with space', 'ü-umlaut', 'a'.repeat(65), 'a/b'])(
    'refuses %j',
    (key) => {
      expect(blockKeySchema.safeParse(key).success).toBe(false);
    },
  );
});

describe('block payloads', () => {
  it('fills status defaults so the macro always has a tone to render', () => {
    const parsed = blockPayloadSchema.parse({
      kind: 'status',
      title: 'API',
      content: { status: 'Operational' },
    });
    expect(parsed).toEqual({
      kind: 'status',
      title: 'API',
      content: { status: 'Operational', tone: 'neutral' },
    });
  });

  it('refuses content that belongs to another kind', () => {
    const result = blockPayloadSchema.safeParse({
      kind: 'metrics',
      title: 'x',
      content: { status: 'Operational' },
    });
    expect(result.success).toBe(false);
  });

  it('refuses unknown fields instead of silently dropping a typo', () => {
    const result = blockPayloadSchema.safeParse({
      kind: 'markdown',
      title: 'x',
      content: '# hi',
      titel: 'typo',
    });
    expect(result.success).toBe(false);
  });

  it('rejects a table row that names a column the table does not have', () => {
    const result = tableContentSchema.safeParse({
      columns: [{ key: 'service', title: 'Service' }],
      rows: [{ service: 'api', owner: 'team-a' }],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['rows', 0, 'owner']);
  });

  it('rejects duplicate column keys', () => {
    const result = tableContentSchema.safeParse({
      columns: [
        { key: 'a', title: 'A' },
        { key: 'a', title: 'Again' },
      ],
      rows: [],
    });
    expect(result.success).toBe(false);
  });

  it('refuses non-finite metric values, which JSON cannot carry back out', () => {
    const result = blockPayloadSchema.safeParse({
      kind: 'metrics',
      title: 'SLO',
      content: { metrics: [{ label: 'p99', value: Number.POSITIVE_INFINITY }] },
    });
    expect(result.success).toBe(false);
  });
});
