import { describe, expect, it } from 'vitest';
import type { PageProperty } from './confluence-gateway';
import { applyIndexWrite, PAGE_INDEX_CHUNK_BYTES, planIndexWrite, readPageIndex } from './page-index';
import { pageIndexPropertyKey } from './page-ownership';

const property = (key: string, value: unknown, version = 1): PageProperty => ({
  id: `id-${key}`,
  key,
  value,
  version,
});

describe('the homepage page index', () => {
  it('reads the one-entry properties earlier versions wrote, and lets chunks (the later one first) win over them', () => {
    const index = readPageIndex([
      property(pageIndexPropertyKey('runbook'), { externalId: 'runbook', pageId: '1' }),
      property(pageIndexPropertyKey('guide'), { externalId: 'guide', pageId: '2' }),
      property('pagewire.index.chunk-2', { entries: { guide: '20' } }),
      property('pagewire.index.chunk-1', { entries: { guide: '10', notes: '11' } }),
      property('pagewire.index.chunk-x', { entries: { broken: '0' } }),
      property(pageIndexPropertyKey('odd'), { something: 'else' }),
    ]);
    expect(Object.fromEntries(index.entries)).toEqual({ runbook: '1', guide: '20', notes: '11' });
    expect(index.chunks.map((chunk) => chunk.number)).toEqual([1, 2]);
  });

  it('adds new entries to the last chunk while it has room, then opens the next one', () => {
    const index = readPageIndex([property('pagewire.index.chunk-1', { entries: { a: '1' } }, 4)]);
    const plan = planIndexWrite(index, new Map([['b', '2']]));
    expect(plan).toMatchObject({ key: 'pagewire.index.chunk-1', number: 1, entries: { a: '1', b: '2' } });
    expect(plan.existing?.version).toBe(4);

    const full = Object.fromEntries(
      Array.from({ length: Math.ceil(PAGE_INDEX_CHUNK_BYTES / 20) }, (_, i) => [`source-page-${i}`, `${i}`]),
    );
    const crowded = readPageIndex([property('pagewire.index.chunk-1', { entries: full })]);
    const next = planIndexWrite(crowded, new Map([['b', '2']]));
    expect(next).toEqual({ key: 'pagewire.index.chunk-2', number: 2, existing: null, entries: { b: '2' } });

    applyIndexWrite(crowded, {
      number: next.number,
      property: property(next.key, { entries: next.entries }),
      entries: next.entries,
    });
    expect(crowded.entries.get('b')).toBe('2');
    expect(crowded.chunks.map((chunk) => chunk.number)).toEqual([1, 2]);
  });
});
