import { type BlockPayload, blockPayloadSchema } from '@pagewire/shared';
import { createAdfValidator } from '@pagewire/shared/adf-validator';
import { describe, expect, it } from 'vitest';
import { renderBlockToAdf } from './block-to-adf';
import { createInProcessRenderer } from './markdown-renderer';
import { buildSnapshotValue, MAX_PROPERTY_VALUE_BYTES } from './snapshot-value';

const validator = createAdfValidator();

const markdownRenderer = createInProcessRenderer();

async function render(input: unknown) {
  const block = blockPayloadSchema.parse(input) as BlockPayload;
  const document = await renderBlockToAdf(block, (markdown) => markdownRenderer.render(markdown));
  expect(validator.validate(document)).toEqual({ valid: true });
  return document;
}

describe('rendering blocks to ADF', () => {
  it('renders a status block as a coloured lozenge, its summary, components and a details link', async () => {
    const document = await render({
      kind: 'status',
      title: 'Deploys',
      content: {
        status: 'Degraded',
        tone: 'warning',
        summary: 'EU is slow',
        url: 'https://status.example',
        components: [{ name: 'API', status: 'Down', tone: 'danger' }],
      },
    });
    expect(document.content[0]).toEqual({
      type: 'paragraph',
      content: [{ type: 'status', attrs: { text: 'Degraded', color: 'yellow' } }],
    });
    expect(document.content[1]).toEqual({
      type: 'paragraph',
      content: [{ type: 'text', text: 'EU is slow' }],
    });
    const componentRow = document.content[2]?.content?.[1];
    expect(componentRow?.content?.[1]?.content?.[0]?.content?.[0]).toEqual({
      type: 'status',
      attrs: { text: 'Down', color: 'red' },
    });
    expect(document.content[3]?.content?.[0]?.marks).toEqual([
      { type: 'link', attrs: { href: 'https://status.example' } },
    ]);
  });

  it('renders a table block with a header row, formatted cells and its caption', async () => {
    const document = await render({
      kind: 'table',
      title: 'On call',
      content: {
        columns: [
          { key: 'who', title: 'Who' },
          { key: 'pages', title: 'Pages', format: 'number' },
          { key: 'runbook', title: 'Runbook', format: 'link' },
          { key: 'state', title: 'State', format: 'status' },
          { key: 'primary', title: 'Primary' },
        ],
        rows: [{ who: 'Ada', pages: 12345.5, runbook: 'https://rb.example', state: 'active', primary: true }],
        caption: 'Updated hourly',
      },
    });
    const [header, row] = document.content[0]?.content ?? [];
    expect(header?.content?.map((cell) => cell.content?.[0]?.content?.[0]?.text)).toEqual([
      'Who',
      'Pages',
      'Runbook',
      'State',
      'Primary',
    ]);
    const cells = row?.content?.map((cell) => cell.content?.[0]?.content?.[0]);
    expect(cells?.[1]).toEqual({ type: 'text', text: '12,345.5' });
    expect(cells?.[2]?.marks).toEqual([{ type: 'link', attrs: { href: 'https://rb.example' } }]);
    expect(cells?.[3]).toEqual({ type: 'status', attrs: { text: 'active', color: 'green' } });
    expect(cells?.[4]).toEqual({ type: 'text', text: 'Yes' });
    expect(document.content[1]).toEqual({
      type: 'paragraph',
      content: [{ type: 'text', text: 'Updated hourly', marks: [{ type: 'em' }] }],
    });
  });

  it('renders metrics with units and colours a change by whether it is good news', async () => {
    const document = await render({
      kind: 'metrics',
      title: 'SLO',
      content: {
        metrics: [
          { label: 'Latency', value: 120, unit: 'ms', delta: 15, goodDirection: 'down' },
          { label: 'Uptime', value: 99.95, unit: '%', delta: 0.01, goodDirection: 'up', hint: '30 days' },
        ],
      },
    });
    const rows = document.content[0]?.content ?? [];
    expect(rows[0]?.content).toHaveLength(4);
    expect(rows[1]?.content?.[2]?.content?.[0]?.content?.[0]).toEqual({
      type: 'status',
      attrs: { text: '▲ +15 ms', color: 'red' },
    });
    expect(rows[2]?.content?.[2]?.content?.[0]?.content?.[0]).toEqual({
      type: 'status',
      attrs: { text: '▲ +0.01%', color: 'green' },
    });
  });

  it('renders a Markdown block with the same mapping as whole pages', async () => {
    const document = await render({ kind: 'markdown', title: 'Notes', content: '# Hi\n\n- a' });
    expect(document.content.map((node) => node.type)).toEqual(['heading', 'bulletList']);
  });

  it('passes an ADF block through unchanged', async () => {
    const adf = { version: 1, type: 'doc', content: [{ type: 'rule' }] };
    expect(await render({ kind: 'adf', title: 'Raw', content: adf })).toEqual(adf);
  });
});

describe('snapshot property values', () => {
  const base = { blockKey: 'deploys', revision: 4, title: 'Deploys', updatedAt: '2026-11-28T10:00:00.000Z' };

  it('keeps a block that fits whole and says it is complete', async () => {
    const adf = await render({ kind: 'markdown', title: 't', content: 'small' });
    const snapshot = buildSnapshotValue({ ...base, adf });
    expect(snapshot.truncated).toBe(false);
    expect(snapshot.value.adf).toEqual(adf);
  });

  it('cuts a block larger than 32 KB to what fits and adds a visible note saying so', async () => {
    const rows = Array.from({ length: 900 }, (_, index) => ({
      n: index,
      text: `row ${index} ${'x'.repeat(40)}`,
    }));
    const adf = await render({
      kind: 'table',
      title: 't',
      content: {
        columns: [
          { key: 'n', title: 'N', format: 'number' },
          { key: 'text', title: 'Text' },
        ],
        rows,
      },
    });
    const snapshot = buildSnapshotValue({ ...base, adf });
    expect(snapshot.truncated).toBe(true);
    expect(snapshot.fullBytes).toBeGreaterThan(MAX_PROPERTY_VALUE_BYTES);
    expect(Buffer.byteLength(JSON.stringify(snapshot.value))).toBeLessThanOrEqual(MAX_PROPERTY_VALUE_BYTES);
    expect(validator.validate(snapshot.value.adf)).toEqual({ valid: true });
    const [tableNode, note] = snapshot.value.adf.content;
    const keptRows = (tableNode?.content?.length ?? 0) - 1;
    expect(keptRows).toBeGreaterThan(100);
    expect(keptRows).toBeLessThan(900);
    expect(note?.type).toBe('panel');
    expect(JSON.stringify(note)).toContain(`The first ${keptRows} of 900 parts are shown`);
  });
});

describe('rendering blocks to ADF as the live macro shows them', () => {
  it('says a table no source has filled yet is empty, instead of writing an empty table', async () => {
    const block = blockPayloadSchema.parse({
      kind: 'table',
      title: 'On call',
      content: { columns: [{ key: 'who', title: 'Who' }], rows: [] },
    }) as BlockPayload;
    const document = await renderBlockToAdf({ ...block, source: 'pagerduty' }, (markdown) =>
      markdownRenderer.render(markdown),
    );
    expect(validator.validate(document)).toEqual({ valid: true });
    expect(document.content.map((node) => node.type)).toEqual(['panel']);
    expect(JSON.stringify(document)).toContain('“pagerduty” has not sent any rows for this block yet.');
  });
});
