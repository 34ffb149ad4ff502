import { describe, expect, it } from 'vitest';
import type { Block, BlockPayload } from './block-content';
import {
  isEmptyBlock,
  presentBlock,
  presentBlockBody,
  presentCell,
  presentSnapshotHeader,
  toneOfStatusText,
} from './block-presentation';

const NOW = new Date('2026-11-28T10:00:00Z');
const bookkeeping = { key: 'deploys', revision: 4, updatedAt: '2026-11-28T07:00:00Z', source: 'ci' };

function block(payload: BlockPayload): Block {
  return { ...payload, ...bookkeeping } as Block;
}

const status: BlockPayload = {
  kind: 'status',
  title: 'Deploys',
  content: { status: 'Operational', tone: 'success' },
};

describe('the header of a block', () => {
  it('says how old the facts are, exactly when and where from, and warns when the block is stale', () => {
    const { header } = presentBlock(block(status), { stale: true, staleAfterMinutes: 60, now: NOW });
    expect(header).toEqual({
      title: 'Deploys',
      updated: 'Updated 3 hours ago',
      provenance: 'Revision 4 from ci, 28 Nov 2026, 07:00 UTC',
      stale: {
        label: 'Stale',
        message: 'Not updated for over an hour: “ci” may have stopped sending updates.',
      },
    });
  });

  it('leaves the title out when the macro hides it, and gives no warning for a fresh block', () => {
    const { header } = presentBlock(block(status), {
      stale: false,
      staleAfterMinutes: 60,
      now: NOW,
      showTitle: false,
    });
    expect(header.title).toBeUndefined();
    expect(header.stale).toBeUndefined();
  });

  it('says since when live data is unavailable when the macro shows the stored copy', () => {
    const presentation = presentBlock(block(status), {
      stale: false,
      staleAfterMinutes: 60,
      now: NOW,
      fallback: { since: '2026-11-28T09:57:00Z' },
    });
    expect(presentation.notice?.title).toBe('Live data unavailable since 28 Nov 2026, 09:57 UTC');
    expect(presentation.notice?.message).toContain('the copy stored in the page 3 min ago');
  });

  it('gives an export the exact time the snapshot was true, not how long ago', () => {
    const snapshot = {
      blockKey: 'deploys',
      revision: 7,
      title: 'Deploys',
      updatedAt: '2026-11-28T09:57:00Z',
    };
    expect(presentSnapshotHeader(snapshot, { showTitle: true })).toEqual({
      title: 'Deploys',
      asOf: 'Pagewire block “deploys”, revision 7, as of 28 Nov 2026, 09:57 UTC.',
    });
    expect(presentSnapshotHeader(snapshot, { showTitle: false }).title).toBeUndefined();
  });
});

describe('table cells', () => {
  it('formats each cell by its column and shows nothing as a dash', () => {
    expect(presentCell({ format: 'number' }, 12345.678)).toEqual({ kind: 'text', text: '12,345.68' });
    expect(presentCell({ format: 'date' }, '2026-10-01')).toEqual({ kind: 'text', text: '1 Oct 2026' });
    expect(presentCell({ format: 'link' }, 'https://wiki.acme.dev/rb')).toEqual({
      kind: 'link',
      text: 'wiki.acme.dev/rb',
      href: 'https://wiki.acme.dev/rb',
    });
    expect(presentCell({ format: 'link' }, 'not a url')).toEqual({ kind: 'text', text: 'not a url' });
    expect(presentCell({ format: 'status' }, 'FAILED')).toEqual({
      kind: 'lozenge',
      text: 'FAILED',
      tone: 'danger',
    });
    expect(presentCell({ format: 'text' }, true)).toEqual({ kind: 'text', text: 'Yes' });
    expect(presentCell({ format: 'text' }, null)).toEqual({ kind: 'empty', text: '—' });
    expect(presentCell({ format: 'text' }, undefined)).toEqual({ kind: 'empty', text: '—' });
  });

  it('colours free status words by what they commonly mean', () => {
    expect(['passing', 'degraded', 'deploying', 'DOWN', 'whatever'].map(toneOfStatusText)).toEqual([
      'success',
      'warning',
      'info',
      'danger',
      'neutral',
    ]);
  });

  it('pages a table only when it is longer than a page', () => {
    const table = (rows: number): BlockPayload => ({
      kind: 'table',
      title: 't',
      content: {
        columns: [{ key: 'n', title: 'N', format: 'number' }],
        rows: Array.from({ length: rows }, (_, n) => ({ n })),
      },
    });
    const long = presentBlockBody(table(30), { rowsPerPage: 25 });
    const short = presentBlockBody(table(25), { rowsPerPage: 25 });
    expect(long.kind === 'table' && long.table.rowsPerPage).toBe(25);
    expect(short.kind === 'table' && short.table.rowsPerPage).toBeUndefined();
  });
});

describe('metrics', () => {
  it('colours a change green or red only when the metric says which way is good', () => {
    const body = presentBlockBody({
      kind: 'metrics',
      title: 'SLO',
      content: {
        metrics: [
          { label: 'Latency', value: 120, unit: 'ms', delta: 15, goodDirection: 'down' },
          { label: 'Uptime', value: 99.953, unit: '%', delta: 0.01, goodDirection: 'up' },
          { label: 'Deploys', value: 42, delta: 3 },
        ],
      },
    });
    expect(body.kind === 'metrics' && body.metrics).toEqual([
      { label: 'Latency', value: '120 ms', change: { text: '▲ +15 ms', tone: 'danger' } },
      { label: 'Uptime', value: '99.95%', change: { text: '▲ +0.01%', tone: 'success' } },
      { label: 'Deploys', value: '42', change: { text: '▲ +3', tone: 'neutral' } },
    ]);
  });
});

describe('a block its source has not filled yet', () => {
  it('is empty for blank Markdown, an ADF document without content or a table without rows, never for status', () => {
    expect(isEmptyBlock({ kind: 'markdown', title: 't', content: '  \n' })).toBe(true);
    expect(isEmptyBlock({ kind: 'adf', title: 't', content: { version: 1, type: 'doc', content: [] } })).toBe(
      true,
    );
    expect(isEmptyBlock(status)).toBe(false);
  });

  it('says which source has not sent anything yet', () => {
    const body = presentBlockBody({ kind: 'markdown', title: 't', content: '', source: 'ci' });
    expect(body).toEqual({
      kind: 'empty',
      header: 'Nothing to show yet',
      description: '“ci” has not sent any content for this block yet. It appears here as soon as it does.',
    });
  });
});
