import { Label, RadioGroup, Select } from '@forge/react';
import type { BlockSummary, OperationResult } from '@pagewire/shared';
import { useEffect, useState } from 'react';
import { macroConfigFields, rowsPerPageChoices } from '../../macro-config';
import { invokeOperation } from '../resolver-client';

type Load = { status: 'loading' } | { status: 'done'; result: OperationResult<'blocks.list'> };

const titleOptions = [
  { label: 'Show the block’s title', value: 'show' },
  { label: 'Hide the title', value: 'hide' },
];

const rowsOptions = rowsPerPageChoices.map((rows) => ({ label: `${rows} rows`, value: String(rows) }));

/**
 * The macro's config panel (`ForgeReconciler.addConfig`). Confluence saves the
 * named fields itself; only the components and props Confluence allows in a
 * macro config are used here (Label, Select, RadioGroup with name, options,
 * defaultValue, placeholder, isRequired).
 */
export function MacroConfigForm() {
  const [load, setLoad] = useState<Load>({ status: 'loading' });

  useEffect(() => {
    let current = true;
    void invokeOperation('blocks.list', {}).then((result) => {
      if (current) setLoad({ status: 'done', result });
    });
    return () => {
      current = false;
    };
  }, []);

  const blocks = load.status === 'done' && load.result.ok ? load.result.data.blocks : [];
  return (
    <>
      <Label labelFor={macroConfigFields.blockKey}>Block</Label>
      <Select
        // Ties the label to the field: a Select's input takes its id from `inputId`, not from `name`.
        inputId={macroConfigFields.blockKey}
        name={macroConfigFields.blockKey}
        options={blocks.map(blockOption)}
        placeholder={placeholderFor(load, blocks)}
        isRequired
      />
      {load.status === 'done' && !load.result.ok ? (
        <Label labelFor={macroConfigFields.blockKey}>{load.result.error.message}</Label>
      ) : null}
      {load.status === 'done' && load.result.ok && blocks.length === 0 ? (
        <Label labelFor={macroConfigFields.blockKey}>
          This space has no blocks yet. A source creates one by pushing it with an ingest key; space admins
          create keys under Space settings → Pagewire.
        </Label>
      ) : null}
      {/*
        Each radio carries its own label ("Show the block's title"). The group's heading cannot be tied with
        aria-labelledby: @forge/react prefixes `id`, `labelFor` and `inputId` with a per-app random string, but
        not `aria-labelledby`, so the two would never match.
      */}
      <Label labelFor={macroConfigFields.showTitle}>Title</Label>
      <RadioGroup name={macroConfigFields.showTitle} options={titleOptions} defaultValue="show" />
      <Label labelFor={macroConfigFields.rowsPerPage}>Table rows per page</Label>
      <Select
        inputId={macroConfigFields.rowsPerPage}
        name={macroConfigFields.rowsPerPage}
        options={rowsOptions}
        defaultValue={rowsOptions[0]}
      />
    </>
  );
}

function blockOption(block: BlockSummary) {
  return { label: `${block.title} (${block.kind}, ${block.key})`, value: block.key };
}

function placeholderFor(load: Load, blocks: BlockSummary[]): string {
  if (load.status === 'loading') return 'Loading this space’s blocks…';
  if (!load.result.ok) return 'Blocks could not be loaded';
  return blocks.length === 0 ? 'No blocks in this space yet' : 'Choose a block';
}
