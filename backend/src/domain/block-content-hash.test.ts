import { describe, expect, it } from 'vitest';
import { hashBlockPayload } from './block-content-hash';

describe('the identity of a block’s content', () => {
  it('is the same for the same facts sent with their keys in another order', () => {
    const a = hashBlockPayload({
      kind: 'metrics',
      title: 'SLO',
      content: { metrics: [{ label: 'Uptime', value: 99.9, unit: '%' }] },
    });
    const b = hashBlockPayload(
      JSON.parse(
        '{"title":"SLO","content":{"metrics":[{"unit":"%","value":99.9,"label":"Uptime"}]},"kind":"metrics"}',
      ),
    );
    expect(a).toBe(b);
  });

  it('is the hash earlier releases stored, so an unchanged block is not a new revision after an upgrade', () => {
    const hash = hashBlockPayload({
      kind: 'table',
      title: 'Ports',
      content: {
        columns: [
          { key: '10', title: 'Ten', format: 'number' },
          { key: '9', title: 'Nine', format: 'text' },
        ],
        rows: [{ '10': 1.5, '9': 'x' }, { '9': null }],
        caption: 'ünïcode',
      },
    });
    expect(hash).toBe('8820d7079b797e3f39243e794242ad0e68ac372646414d16c408a414896474cf');
  });
});
