import type { ActivityItem } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { foldActivity } from './activity-folding';

let seq = 1000;
function row(overrides: Partial<ActivityItem>): ActivityItem {
  seq -= 1;
  return {
    id: `id-${seq}`,
    at: `2026-11-28T10:${String(seq % 60).padStart(2, '0')}:00.000Z`,
    actor: { kind: 'source', id: 'demo' },
    action: 'block.updated',
    result: 'ok',
    ...overrides,
  };
}

describe('folding the activity log', () => {
  it('folds a source’s repeated writes into one row per action with a count and the oldest time', () => {
    const rows = [row({}), row({}), row({}), row({}), row({})];
    const { items, exhausted } = foldActivity(rows, 25);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: rows[0]!.id, count: 5, firstAt: rows[4]!.at });
    expect(exhausted).toBe(true);
  });

  it('never hides an admin’s change or a failure inside a fold, and starts a new fold after it', () => {
    const rows = [
      row({}),
      row({}),
      row({ actor: { kind: 'user', id: 'acc-1' }, action: 'settings.updated' }),
      row({}),
      row({ result: 'failed', action: 'snapshot.failed' }),
      row({}),
    ];
    const { items } = foldActivity(rows, 25);
    expect(items.map((item) => [item.action, item.count ?? 1])).toEqual([
      ['block.updated', 2],
      ['settings.updated', 1],
      ['block.updated', 1],
      ['snapshot.failed', 1],
      ['block.updated', 1],
    ]);
  });

  it('keeps two sources’ writes apart', () => {
    const rows = [
      row({}),
      row({ actor: { kind: 'source', id: 'ci' } }),
      row({}),
      row({ actor: { kind: 'source', id: 'ci' } }),
    ];
    const { items } = foldActivity(rows, 25);
    expect(items.map((item) => [item.actor.id, item.count])).toEqual([
      ['demo', 2],
      ['ci', 2],
    ]);
  });

  it('stops at the limit and says where the next page starts', () => {
    const rows = [
      row({ actor: { kind: 'user', id: 'a' }, action: 'settings.updated' }),
      row({ actor: { kind: 'user', id: 'a' }, action: 'ingest_key.created' }),
      row({ actor: { kind: 'user', id: 'a' }, action: 'ingest_key.revoked' }),
    ];
    const page = foldActivity(rows, 2);
    expect(page.items.map((item) => item.action)).toEqual(['settings.updated', 'ingest_key.created']);
    expect(page.lastConsumedId).toBe(rows[1]!.id);
    expect(page.exhausted).toBe(false);
  });
});
