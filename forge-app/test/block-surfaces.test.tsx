import { renderBlockToAdf } from '@pagewire/backend/adf/block-to-adf';
import { createInProcessRenderer } from '@pagewire/backend/adf/markdown-renderer';
import { buildSnapshotValue } from '@pagewire/backend/adf/snapshot-value';
import {
  type AdfDocument,
  type AdfNode,
  type Block,
  type BlockPayloadInput,
  blockPayloadSchema,
  type StatusTone,
  snapshotPropertyKey,
} from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { createMacroAdfExport } from '../src/adf-export/macro-adf-export';
import { BlockView } from '../src/frontend/macro/block-view';
import { defaultMacroConfig } from '../src/macro-config';
import { byType, type ForgeDoc, renderWithStubBridge } from './support/ui-kit-harness';

/**
 * A block is shown on three surfaces: the live macro (UI Kit), the snapshot
 * the backend writes into the page (ADF) and the macro's export view, which
 * wraps that snapshot for Word, PDF and page history. They must never
 * disagree about a fact: the same numbers, units, changes, cells, colours and
 * the same revision and time. Each row below is one block kind; each surface
 * is produced by its real code, and its facts are read back out of what it
 * produced.
 */

const NOW = new Date('2026-11-28T10:00:00Z');
const LOCAL_ID = '7c1e2b0a-5f3d-4c4e-9a59-0d1f3e5b6a71';
const markdownRenderer = createInProcessRenderer();

interface Facts {
  /** Every piece of text a reader sees, in order. */
  texts: string[];
  /** Every coloured label, in order, with its tone. */
  lozenges: Array<[string, StatusTone]>;
}

interface SurfaceFixture {
  name: string;
  block: BlockPayloadInput;
  /** Facts every surface must show (each surface may add its own labels, such as column headings). */
  shows: string[];
  lozenges: Array<[string, StatusTone]>;
}

const fixtures: SurfaceFixture[] = [
  {
    name: 'a status block',
    block: {
      kind: 'status',
      title: 'Production deploys',
      content: {
        status: 'Degraded',
        tone: 'warning',
        summary: 'EU deploys are slow.',
        url: 'https://status.acme.dev',
        components: [
          { name: 'eu-west-1', status: 'Slow', tone: 'warning' },
          { name: 'us-east-1', status: 'Healthy', tone: 'success' },
        ],
      },
    },
    shows: ['EU deploys are slow.', 'eu-west-1', 'us-east-1', 'Details'],
    lozenges: [
      ['Degraded', 'warning'],
      ['Slow', 'warning'],
      ['Healthy', 'success'],
    ],
  },
  {
    name: 'a table block',
    block: {
      kind: 'table',
      title: 'Services',
      content: {
        caption: 'Owned services',
        columns: [
          { key: 'name', title: 'Service' },
          { key: 'rps', title: 'Requests/s', format: 'number' },
          { key: 'state', title: 'State', format: 'status' },
          { key: 'runbook', title: 'Runbook', format: 'link' },
          { key: 'since', title: 'Since', format: 'date' },
          { key: 'paged', title: 'Paged' },
        ],
        rows: [
          {
            name: 'checkout',
            rps: 12345.678,
            state: 'passing',
            runbook: 'https://wiki.acme.dev/rb/checkout',
            since: '2026-10-01',
            paged: true,
          },
          { name: 'search', rps: 0.0042, state: 'DOWN', runbook: null, paged: false },
          { name: 'billing', rps: 87, state: 'queued', since: 'last week' },
        ],
      },
    },
    shows: [
      'Owned services',
      'Service',
      'Requests/s',
      'checkout',
      '12,345.68',
      'wiki.acme.dev/rb/checkout',
      '1 Oct 2026',
      'Yes',
      '0.0042',
      '—',
      'No',
      '87',
      'last week',
    ],
    lozenges: [
      ['passing', 'success'],
      ['DOWN', 'danger'],
      ['queued', 'info'],
    ],
  },
  {
    name: 'a metrics block',
    block: {
      kind: 'metrics',
      title: 'SLOs',
      content: {
        metrics: [
          { label: 'Availability', value: 99.953, unit: '%', delta: -0.02, goodDirection: 'up' },
          {
            label: 'p95 latency',
            value: 182.456,
            unit: 'ms',
            delta: -14,
            goodDirection: 'down',
            hint: 'last 24 h',
          },
          { label: 'Deploys', value: 42, delta: 0 },
          { label: 'Error rate', value: 0.0031, unit: '%', delta: 0.0004 },
        ],
      },
    },
    shows: ['Availability', '99.95%', 'p95 latency', '182.46 ms', 'last 24 h', 'Deploys', '42', '0.0031%'],
    lozenges: [
      ['▼ -0.02%', 'danger'],
      ['▼ -14 ms', 'success'],
      ['■ 0', 'neutral'],
      ['▲ +0.0004%', 'neutral'],
    ],
  },
  {
    name: 'a Markdown block',
    block: {
      kind: 'markdown',
      title: 'Release notes',
      content: '## Release 4.2\n\n- Faster **search**\n- New `export` API',
    },
    shows: ['Release 4.2', 'Faster ', 'search', 'New ', 'export', ' API'],
    lozenges: [],
  },
  {
    name: 'an ADF block',
    block: {
      kind: 'adf',
      title: 'On call',
      content: {
        version: 1,
        type: 'doc',
        content: [
          {
            type: 'panel',
            attrs: { panelType: 'note' },
            content: [
              {
                type: 'paragraph',
                content: [
                  { type: 'text', text: 'On call: Kim ' },
                  { type: 'status', attrs: { text: 'Paged', color: 'red' } },
                ],
              },
            ],
          },
        ],
      },
    },
    shows: ['On call: Kim '],
    lozenges: [['Paged', 'danger']],
  },
  {
    name: 'a table block its source has not filled yet',
    block: {
      kind: 'table',
      title: 'Incidents',
      content: { columns: [{ key: 'id', title: 'Incident' }], rows: [] },
    },
    shows: [
      'Nothing to show yet',
      '“ci” has not sent any rows for this block yet. It appears here as soon as it does.',
    ],
    lozenges: [],
  },
];

function storedBlock(input: BlockPayloadInput): Block {
  return {
    ...blockPayloadSchema.parse(input),
    key: 'surface-block',
    revision: 4,
    updatedAt: '2026-11-28T09:57:00Z',
    source: 'ci',
  };
}

const appearanceTone: Record<string, StatusTone> = {
  success: 'success',
  moved: 'warning',
  removed: 'danger',
  inprogress: 'info',
  default: 'neutral',
};
const colorTone: Record<string, StatusTone> = {
  green: 'success',
  yellow: 'warning',
  red: 'danger',
  blue: 'info',
  neutral: 'neutral',
};

function adfFacts(nodes: readonly AdfNode[], facts: Facts = { texts: [], lozenges: [] }): Facts {
  for (const node of nodes) {
    if (node.type === 'text' && node.text) facts.texts.push(node.text);
    if (node.type === 'status') {
      const label = String(node.attrs?.text);
      facts.texts.push(label);
      facts.lozenges.push([label, colorTone[String(node.attrs?.color)]!]);
    }
    adfFacts(node.content ?? [], facts);
  }
  return facts;
}

/** Text on screen: strings, the props UI Kit shows as text, and the ADF handed to AdfRenderer. */
function liveFacts(node: ForgeDoc, facts: Facts = { texts: [], lozenges: [] }): Facts {
  if (node.type === 'String') facts.texts.push(String(node.props.text ?? ''));
  for (const prop of ['header', 'description', 'title', 'caption', 'content']) {
    if (typeof node.props[prop] === 'string') facts.texts.push(node.props[prop] as string);
  }
  if (node.type === 'Lozenge') {
    const label = node.children.map((child) => String(child.props.text ?? '')).join('');
    facts.lozenges.push([label, appearanceTone[String(node.props.appearance)]!]);
  }
  if (node.type === 'AdfRenderer') adfFacts((node.props.document as AdfDocument).content, facts);
  for (const child of node.children) liveFacts(child, facts);
  return facts;
}

async function liveSurface(block: Block): Promise<{ facts: Facts; tree: ForgeDoc }> {
  const rendered =
    block.kind === 'markdown' ? (await markdownRenderer.render(block.content)).document : undefined;
  const app = renderWithStubBridge(
    <BlockView
      result={{ block, stale: false, staleAfterMinutes: 60, ...(rendered ? { rendered } : {}) }}
      config={defaultMacroConfig}
      now={NOW}
    />,
    { context: {}, resolve: () => undefined },
  );
  const tree = await app.waitFor(
    (node) =>
      byType(node, 'Stack').some((stack) => String(stack.props.testId ?? '').startsWith('pagewire-block-')),
    'the block',
  );
  return { facts: liveFacts(tree), tree };
}

async function snapshotSurface(block: Block) {
  const adf = await renderBlockToAdf(block, (markdown) => markdownRenderer.render(markdown));
  return buildSnapshotValue({
    blockKey: block.key,
    revision: block.revision,
    title: block.title,
    adf,
    updatedAt: block.updatedAt,
  }).value;
}

async function exportSurface(snapshot: unknown, blockKey: string): Promise<AdfDocument> {
  const key = snapshotPropertyKey(LOCAL_ID);
  const exportView = createMacroAdfExport({
    readContentProperties: async () => ({
      status: 200,
      json: async () => ({ results: [{ key, value: snapshot }] }),
    }),
    timeoutMs: 5_000,
  });
  return exportView({
    exportType: 'word',
    context: {
      localId: LOCAL_ID,
      extension: { content: { id: '1310721', type: 'page' }, config: { blockKey } },
    },
  });
}

describe('the live macro, the snapshot in the page and the export view', () => {
  it.each(fixtures)('show the same facts for $name', async (fixture) => {
    const block = storedBlock(fixture.block);
    const live = await liveSurface(block);
    const snapshot = await snapshotSurface(block);
    const exported = await exportSurface(snapshot, block.key);
    const surfaces = {
      live: live.facts,
      snapshot: adfFacts(snapshot.adf.content),
      export: adfFacts(exported.content),
    };

    for (const [surface, facts] of Object.entries(surfaces)) {
      expect(facts.lozenges, surface).toEqual(fixture.lozenges);
      for (const shown of fixture.shows) expect(facts.texts, `${surface} shows “${shown}”`).toContain(shown);
    }
    // No surface shows a number another surface formats differently: the
    // numeric texts of the block's content agree between live and snapshot.
    const numbers = (facts: Facts) =>
      facts.texts.filter((text) => /\d/.test(text) && fixture.shows.includes(text));
    expect(numbers(surfaces.snapshot)).toEqual(numbers(surfaces.live));
  });

  it.each(fixtures)('say which revision $name is and exactly when it was true', async (fixture) => {
    const block = storedBlock(fixture.block);
    const live = await liveSurface(block);
    const exported = adfFacts((await exportSurface(await snapshotSurface(block), block.key)).content);

    const tooltip = byType(live.tree, 'Tooltip')[0]?.props.content;
    expect(tooltip).toBe('Revision 4 from ci, 28 Nov 2026, 09:57 UTC');
    expect(live.facts.texts).toContain(block.title);
    expect(live.facts.texts).toContain('Updated 3 min ago');
    expect(exported.texts).toContain(block.title);
    expect(exported.texts).toContain(
      'Pagewire block “surface-block”, revision 4, as of 28 Nov 2026, 09:57 UTC.',
    );
  });
});
