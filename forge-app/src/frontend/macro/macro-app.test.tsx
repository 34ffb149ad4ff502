import type { OperationOutput, OperationResult } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { statusBlockOutput } from '../../../test/support/fixtures';
import {
  act,
  byTestId,
  byType,
  type ForgeDoc,
  findAll,
  renderWithStubBridge,
  textOf,
} from '../../../test/support/ui-kit-harness';
import { MacroApp } from './macro-app';

const NOW = new Date('2026-11-28T10:00:00Z');
const clock = () => NOW;

/** `null`: a macro nobody has configured yet, which has no config at all. */
function macroContext(config: Record<string, unknown> | null) {
  return {
    moduleKey: 'pagewire-block',
    extension: {
      type: 'macro',
      content: { id: '1310721', type: 'page' },
      space: { id: '98306', key: 'ENG' },
      ...(config ? { config } : {}),
    },
  };
}

function renderMacro(
  answer: (functionKey: string, payload: unknown) => unknown,
  config: Record<string, unknown> | null = { blockKey: 'deploy-status' },
) {
  return renderWithStubBridge(<MacroApp now={clock} />, { context: macroContext(config), resolve: answer });
}

function blockResult(output: OperationOutput<'blocks.get'>): OperationResult<'blocks.get'> {
  return { ok: true, data: output };
}

const loaded = (tree: ForgeDoc) =>
  findAll(tree, (node) => String(node.props.testId ?? '').startsWith('pagewire-block-')).length > 0;

describe('the macro when the backend is down', () => {
  it('shows the page’s stored copy under a warning that says since when live data is unavailable', async () => {
    const app = renderMacro(() =>
      blockResult({
        block: {
          kind: 'adf',
          key: 'deploy-status',
          title: 'Production deploys',
          content: {
            version: 1,
            type: 'doc',
            content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Green.' }] }],
          },
          revision: 7,
          updatedAt: '2026-11-28T09:57:00Z',
          source: 'snapshot',
        },
        stale: false,
        staleAfterMinutes: 0,
        fallback: { reason: 'backend_unreachable', since: '2026-11-28T09:57:00Z' },
      }),
    );
    const tree = await app.waitFor(loaded, 'the block');
    const warning = byTestId(tree, 'pagewire-fallback')!;
    expect(warning.props).toMatchObject({
      appearance: 'warning',
      title: 'Live data unavailable since 28 Nov 2026, 09:57 UTC',
    });
    expect(textOf(warning)).toContain('this is the copy stored in the page');
  });
});

describe('the macro', () => {
  it('shows a skeleton while the block loads', async () => {
    const app = renderMacro(() => new Promise(() => {}));

    const tree = await app.waitFor(
      (node) => app.invocations.length > 0 && !!byTestId(node, 'pagewire-loading'),
      'the skeleton',
    );

    const bars = byType(byTestId(tree, 'pagewire-loading')!, 'Box');
    expect(bars.length).toBeGreaterThanOrEqual(3);
    expect(bars[0]?.props.backgroundColor).toBe('color.skeleton');
    expect(textOf(tree)).toBe('');
  });

  it('asks for the configured block and sends nothing but its key', async () => {
    const app = renderMacro(() => blockResult(statusBlockOutput));

    await app.waitFor(loaded, 'the block');

    expect(app.invocations).toEqual([{ functionKey: 'blocks.get', payload: { key: 'deploy-status' } }]);
  });

  it('tells an editor how to pick a block when none is configured', async () => {
    const app = renderMacro(() => blockResult(statusBlockOutput), null);

    const tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-not-configured'), 'the hint');

    const hint = byTestId(tree, 'pagewire-not-configured')!;
    expect(hint.type).toBe('SectionMessage');
    expect(hint.props).toMatchObject({ appearance: 'information', title: 'Choose a block to show' });
    expect(textOf(hint)).toMatch(/choose the pencil icon to pick one of this space’s blocks/);
    expect(app.invocations).toHaveLength(0);
  });

  it('shows a fresh block with when it was updated', async () => {
    const app = renderMacro(() => blockResult(statusBlockOutput));

    const tree = await app.waitFor(loaded, 'the block');

    expect(textOf(byTestId(tree, 'pagewire-freshness')!)).toBe('Updated 3 min ago');
    expect(byType(tree, 'Heading').map(textOf)).toContain('Production deploys');
    expect(byType(tree, 'Lozenge').map(textOf)).not.toContain('Stale');
    const tooltip = byType(tree, 'Tooltip')[0];
    expect(tooltip?.props.content).toBe('Revision 4 from ci, 28 Nov 2026, 09:57 UTC');
  });

  it('marks a stale block and says the source may have stopped', async () => {
    const app = renderMacro(() =>
      blockResult({
        ...statusBlockOutput,
        block: { ...statusBlockOutput.block, updatedAt: '2026-11-28T07:00:00Z' },
        stale: true,
        staleAfterMinutes: 60,
      }),
    );

    const tree = await app.waitFor(loaded, 'the block');

    const stale = byType(tree, 'Lozenge').find((node) => textOf(node) === 'Stale');
    expect(stale?.props.appearance).toBe('moved');
    expect(textOf(byTestId(tree, 'pagewire-freshness')!)).toBe('Updated 3 hours ago');
    expect(textOf(tree)).toContain('Not updated for over an hour: “ci” may have stopped sending updates.');
  });

  it('hides the title when the macro is set to', async () => {
    const app = renderMacro(() => blockResult(statusBlockOutput), {
      blockKey: 'deploy-status',
      showTitle: 'hide',
    });

    const tree = await app.waitFor(loaded, 'the block');

    expect(byType(tree, 'Heading').map(textOf)).not.toContain('Production deploys');
    expect(byTestId(tree, 'pagewire-freshness')).toBeDefined();
  });

  it('follows a config change to another block', async () => {
    const context = macroContext({ blockKey: 'deploy-status' });
    const app = renderWithStubBridge(<MacroApp now={clock} />, {
      context,
      resolve: (_key, payload) =>
        (payload as { key: string }).key === 'deploy-status'
          ? blockResult(statusBlockOutput)
          : blockResult({
              ...statusBlockOutput,
              block: { ...statusBlockOutput.block, key: 'error-budget', title: 'Error budget' },
            }),
    });
    await app.waitFor(loaded, 'the first block');

    context.extension.config = { blockKey: 'error-budget' };
    app.emit('FORGE_CORE_MACRO_CONFIG_CHANGED');

    const tree = await app.waitFor(
      (node) => byType(node, 'Heading').some((heading) => textOf(heading) === 'Error budget'),
      'the second block',
    );
    expect(textOf(tree)).not.toContain('Production deploys');
    expect(app.invocations.map((call) => call.payload)).toEqual([
      { key: 'deploy-status' },
      { key: 'error-budget' },
    ]);
  });
});

describe('the macro when something goes wrong', () => {
  it('says what happened and offers to try again, and trying again can succeed', async () => {
    let calls = 0;
    const app = renderMacro(() => {
      calls += 1;
      return calls === 1
        ? {
            ok: false,
            error: {
              code: 'backend_unreachable',
              message: 'Pagewire’s service cannot be reached right now. Try again in a minute.',
            },
          }
        : blockResult(statusBlockOutput);
    });

    const failed = await app.waitFor((node) => !!byTestId(node, 'pagewire-error'), 'the error');
    const message = byTestId(failed, 'pagewire-error')!;
    expect(message.type).toBe('SectionMessage');
    expect(message.props).toMatchObject({
      appearance: 'warning',
      title: 'This Pagewire block can’t be shown',
    });
    expect(textOf(message)).toContain(
      'Pagewire’s service cannot be reached right now. Try again in a minute.',
    );

    act(byType(message, 'Button')[0], 'onClick');

    await app.waitFor(loaded, 'the block after retrying');
    expect(calls).toBe(2);
  });

  it('says a block no source has written yet is missing, without offering a pointless retry', async () => {
    const app = renderMacro(() => ({
      ok: false,
      error: {
        code: 'block_not_found',
        message:
          'No source has written this block in this space (yet). Edit the page and pick another block.',
      },
    }));

    const tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-error'), 'the error');

    const message = byTestId(tree, 'pagewire-error')!;
    expect(message.props.appearance).toBe('error');
    expect(textOf(message)).toContain('pick another block');
    expect(byType(message, 'Button')).toHaveLength(0);
  });

  it('says a block was deleted, when and by whom, without offering a retry', async () => {
    const app = renderMacro(() => ({
      ok: false,
      error: {
        code: 'block_deleted',
        message:
          'The block "Deploy status" (deploy-status) was deleted on 28 Nov 2026, 10:00 UTC by a space admin.',
      },
    }));

    const tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-error'), 'the error');

    const message = byTestId(tree, 'pagewire-error')!;
    expect(textOf(message)).toContain('was deleted on 28 Nov 2026, 10:00 UTC by a space admin');
    expect(byType(message, 'Button')).toHaveLength(0);
  });

  it('says when to come back after a rate limit', async () => {
    const app = renderMacro(() => ({
      ok: false,
      error: {
        code: 'rate_limited',
        message: 'Too many requests right now. Try again in 2 minutes.',
        retryAt: '2026-11-28T10:02:00.000Z',
      },
    }));

    const tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-error'), 'the error');

    expect(textOf(byTestId(tree, 'pagewire-error')!)).toContain(
      'Too many requests right now. Try again in 2 minutes. Pagewire can try again after 28 Nov 2026, 10:02 UTC.',
    );
  });

  it('explains a failure of the resolver itself instead of spinning forever', async () => {
    const app = renderMacro(() => Promise.reject(new Error('Function invocation failed')));

    const tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-error'), 'the error');

    expect(textOf(byTestId(tree, 'pagewire-error')!)).toMatch(/Pagewire could not load\. Reload the page/);
  });
});

describe('the macro renders each kind of block with UI Kit', () => {
  it('shows a status as a bold lozenge, with its summary, link and components', async () => {
    const app = renderMacro(() => blockResult(statusBlockOutput));

    const tree = await app.waitFor(loaded, 'the block');

    const body = byTestId(tree, 'pagewire-block-status')!;
    const [headline, ...componentLozenges] = byType(body, 'Lozenge');
    expect(headline?.props).toMatchObject({ appearance: 'success', isBold: true });
    expect(textOf(headline!)).toBe('Operational');
    expect(textOf(body)).toContain('All regions deploying normally.');
    expect(byType(body, 'Link')[0]?.props).toMatchObject({
      href: 'https://status.acme.dev',
      openNewTab: true,
    });
    expect(componentLozenges.map((node) => [textOf(node), node.props.appearance])).toEqual([
      ['Healthy', 'success'],
      ['Degraded', 'moved'],
    ]);
    expect(byType(body, 'DynamicTable')).toHaveLength(1);
  });

  it('shows a table with a DynamicTable, formatting each column by its type', async () => {
    const app = renderMacro(() =>
      blockResult({
        ...statusBlockOutput,
        block: {
          ...statusBlockOutput.block,
          kind: 'table',
          title: 'Services',
          content: {
            caption: 'Owned services',
            columns: [
              { key: 'name', title: 'Service', format: 'text' },
              { key: 'rps', title: 'Requests/s', format: 'number' },
              { key: 'state', title: 'State', format: 'status' },
              { key: 'runbook', title: 'Runbook', format: 'link' },
              { key: 'since', title: 'Since', format: 'date' },
            ],
            rows: [
              {
                name: 'checkout',
                rps: 12345.678,
                state: 'passing',
                runbook: 'https://wiki.acme.dev/rb/checkout',
                since: '2026-10-01',
              },
              { name: 'search', rps: 87, state: 'DOWN', runbook: null },
            ],
          },
        },
      }),
    );

    const tree = await app.waitFor(loaded, 'the block');

    const table = byType(tree, 'DynamicTable')[0]!;
    expect(table.props.caption).toBe('Owned services');
    const [head, rows] = table.children;
    expect(head?.children.map(textOf)).toEqual(['Service', 'Requests/s', 'State', 'Runbook', 'Since']);
    const [checkout, search] = rows!.children;
    expect(checkout?.children.map(textOf)).toEqual([
      'checkout',
      '12,345.68',
      'passing',
      'wiki.acme.dev/rb/checkout',
      '1 Oct 2026',
    ]);
    expect(byType(checkout!, 'Lozenge')[0]?.props.appearance).toBe('success');
    expect(byType(checkout!, 'Link')[0]?.props.href).toBe('https://wiki.acme.dev/rb/checkout');
    expect(byType(search!, 'Lozenge')[0]?.props.appearance).toBe('removed');
    expect(search?.children.map(textOf).slice(3)).toEqual(['—', '—']);
  });

  it('pages a long table by the configured number of rows', async () => {
    const rows = Array.from({ length: 30 }, (_, index) => ({ name: `service-${index}` }));
    const app = renderMacro(
      () =>
        blockResult({
          ...statusBlockOutput,
          block: {
            ...statusBlockOutput.block,
            kind: 'table',
            content: { columns: [{ key: 'name', title: 'Service', format: 'text' }], rows },
          },
        }),
      { blockKey: 'deploy-status', rowsPerPage: { label: '25 rows', value: '25' } },
    );

    const tree = await app.waitFor(loaded, 'the block');

    expect(byType(tree, 'DynamicTable')[0]?.props.rowsPerPage).toBe(25);
  });

  it('shows metrics as compact cards with coloured changes', async () => {
    const app = renderMacro(() =>
      blockResult({
        ...statusBlockOutput,
        block: {
          ...statusBlockOutput.block,
          kind: 'metrics',
          content: {
            metrics: [
              { label: 'Availability', value: 99.953, unit: '%', delta: -0.02, goodDirection: 'up' },
              {
                label: 'p95 latency',
                value: 182,
                unit: 'ms',
                delta: -14,
                goodDirection: 'down',
                hint: 'last 24 h',
              },
              { label: 'Deploys', value: 42 },
            ],
          },
        },
      }),
    );

    const tree = await app.waitFor(loaded, 'the block');

    const cards = byType(byTestId(tree, 'pagewire-block-metrics')!, 'Box');
    expect(cards).toHaveLength(3);
    expect(cards.map((card) => byType(card, 'Heading').map(textOf)[0])).toEqual(['99.95%', '182 ms', '42']);
    const changes = byType(tree, 'Lozenge').map((node) => [textOf(node), node.props.appearance]);
    expect(changes).toEqual([
      ['▼ -0.02%', 'removed'],
      ['▼ -14 ms', 'success'],
    ]);
    expect(textOf(cards[1]!)).toContain('last 24 h');
  });

  it('renders Markdown with the ADF the backend rendered it to', async () => {
    const rendered = {
      version: 1 as const,
      type: 'doc' as const,
      content: [
        { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Release notes' }] },
        {
          type: 'bulletList',
          content: [
            {
              type: 'listItem',
              content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Faster search' }] }],
            },
          ],
        },
      ],
    };
    const app = renderMacro(() =>
      blockResult({
        ...statusBlockOutput,
        block: {
          ...statusBlockOutput.block,
          kind: 'markdown',
          content: '## Release notes\n\n- Faster search',
        },
        rendered,
      }),
    );

    const tree = await app.waitFor(loaded, 'the block');

    expect(byType(tree, 'AdfRenderer')[0]?.props.document).toEqual(rendered);
  });

  it('still shows Markdown, as plain paragraphs, when the backend sent no rendering', async () => {
    const app = renderMacro(() =>
      blockResult({
        ...statusBlockOutput,
        block: {
          ...statusBlockOutput.block,
          kind: 'markdown',
          content: 'First line\nsecond line\n\nNext paragraph',
        },
      }),
    );

    const tree = await app.waitFor(loaded, 'the block');

    expect(byType(tree, 'AdfRenderer')[0]?.props.document).toEqual({
      version: 1,
      type: 'doc',
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'First line' },
            { type: 'hardBreak' },
            { type: 'text', text: 'second line' },
          ],
        },
        { type: 'paragraph', content: [{ type: 'text', text: 'Next paragraph' }] },
      ],
    });
  });

  it('renders an ADF block as it is', async () => {
    const content = {
      version: 1 as const,
      type: 'doc' as const,
      content: [
        {
          type: 'panel',
          attrs: { panelType: 'note' },
          content: [{ type: 'paragraph', content: [{ type: 'text', text: 'On call: Kim' }] }],
        },
      ],
    };
    const app = renderMacro(() =>
      blockResult({ ...statusBlockOutput, block: { ...statusBlockOutput.block, kind: 'adf', content } }),
    );

    const tree = await app.waitFor(loaded, 'the block');

    expect(byType(tree, 'AdfRenderer')[0]?.props.document).toEqual(content);
  });

  it('says a block the source has not filled yet is empty, instead of an empty table', async () => {
    const app = renderMacro(() =>
      blockResult({
        ...statusBlockOutput,
        block: {
          ...statusBlockOutput.block,
          kind: 'table',
          content: { columns: [{ key: 'name', title: 'Service', format: 'text' }], rows: [] },
        },
      }),
    );

    const tree = await app.waitFor(loaded, 'the block');

    const empty = byTestId(tree, 'pagewire-empty')!;
    expect(empty.type).toBe('EmptyState');
    expect(empty.props).toMatchObject({
      header: 'Nothing to show yet',
      description: '“ci” has not sent any rows for this block yet. It appears here as soon as it does.',
    });
    expect(byType(tree, 'DynamicTable')).toHaveLength(0);
    expect(textOf(byTestId(tree, 'pagewire-freshness')!)).toBe('Updated 3 min ago');
  });
});
