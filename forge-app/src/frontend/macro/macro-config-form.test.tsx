import { describe, expect, it } from 'vitest';
import { byType, type ForgeDoc, renderWithStubBridge, textOf } from '../../../test/support/ui-kit-harness';
import { MacroConfigForm } from './macro-config-form';

const context = {
  moduleKey: 'pagewire-block',
  extension: { type: 'macro', space: { id: '98306', key: 'ENG' } },
};

function renderConfig(answer: () => unknown) {
  return renderWithStubBridge(<MacroConfigForm />, { context, resolve: answer }, { as: 'config' });
}

const blockSelect = (tree: ForgeDoc) => byType(tree, 'Select').find((node) => node.props.name === 'blockKey');

describe('the macro config', () => {
  it('offers the space’s blocks to choose from, by title, kind and key', async () => {
    const app = renderConfig(() => ({
      ok: true,
      data: {
        blocks: [
          {
            key: 'deploy-status',
            title: 'Production deploys',
            kind: 'status',
            revision: 4,
            updatedAt: '2026-11-28T09:57:00Z',
            source: 'ci',
          },
          {
            key: 'error-budget',
            title: 'Error budget',
            kind: 'metrics',
            revision: 1,
            updatedAt: '2026-11-28T08:00:00Z',
            source: 'slo-bot',
          },
        ],
      },
    }));

    const tree = await app.waitFor(
      (node) => ((blockSelect(node)?.props.options as unknown[] | undefined)?.length ?? 0) > 0,
      'the options',
    );

    expect(tree.type).toBe('MacroConfig');
    expect(blockSelect(tree)?.props).toMatchObject({
      isRequired: true,
      placeholder: 'Choose a block',
      options: [
        { label: 'Production deploys (status, deploy-status)', value: 'deploy-status' },
        { label: 'Error budget (metrics, error-budget)', value: 'error-budget' },
      ],
    });
    expect(app.invocations).toEqual([{ functionKey: 'blocks.list', payload: {} }]);
  });

  it('offers display options with sensible defaults', async () => {
    const app = renderConfig(() => ({ ok: true, data: { blocks: [] } }));

    const tree = await app.waitFor(
      (node) => blockSelect(node)?.props.placeholder !== 'Loading this space’s blocks…',
      'the list',
    );

    const title = byType(tree, 'RadioGroup')[0];
    expect(title?.props).toMatchObject({ name: 'showTitle', defaultValue: 'show' });
    const rows = byType(tree, 'Select').find((node) => node.props.name === 'rowsPerPage');
    expect(rows?.props.defaultValue).toEqual({ label: '10 rows', value: '10' });
    expect(byType(tree, 'Label').map(textOf)).toEqual(
      expect.arrayContaining(['Block', 'Title', 'Table rows per page']),
    );
  });

  it('ties every label to its field, so a screen reader (and a click on the label) finds it', async () => {
    const app = renderConfig(() => ({ ok: true, data: { blocks: [] } }));
    const tree = await app.waitFor(
      (node) => blockSelect(node)?.props.placeholder !== 'Loading this space’s blocks…',
      'the list',
    );
    const labelFor = (text: string) => byType(tree, 'Label').find((label) => textOf(label) === text)!;
    const selects = byType(tree, 'Select');
    for (const [text, name] of [
      ['Block', 'blockKey'],
      ['Table rows per page', 'rowsPerPage'],
    ] as const) {
      const select = selects.find((node) => node.props.name === name)!;
      expect(select.props.inputId, name).toBeDefined();
      expect(labelFor(text).props.labelFor).toBe(select.props.inputId);
    }
    // Radios are labelled one by one.
    const radio = byType(tree, 'RadioGroup')[0]!;
    expect((radio.props.options as Array<{ label: string }>).every((option) => option.label.length > 0)).toBe(
      true,
    );
  });

  it('says how blocks come to exist when the space has none yet', async () => {
    const app = renderConfig(() => ({ ok: true, data: { blocks: [] } }));

    const tree = await app.waitFor(
      (node) => blockSelect(node)?.props.placeholder === 'No blocks in this space yet',
      'the empty list',
    );

    expect(byType(tree, 'Label').map(textOf).join(' ')).toMatch(/pushing it with an ingest key/);
  });

  it('shows why the blocks could not be loaded', async () => {
    const app = renderConfig(() => ({
      ok: false,
      error: {
        code: 'installation_unknown',
        message: 'Pagewire is not connected to its service for this site yet.',
      },
    }));

    const tree = await app.waitFor(
      (node) => blockSelect(node)?.props.placeholder === 'Blocks could not be loaded',
      'the error',
    );

    expect(byType(tree, 'Label').map(textOf)).toContain(
      'Pagewire is not connected to its service for this site yet.',
    );
  });
});
