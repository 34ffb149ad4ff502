import { EmptyState, SectionMessage, Stack, Text } from '@forge/react';
import type { Block, OperationOutput } from '@pagewire/shared';
import type { MacroConfig } from '../../macro-config';
import { describeAge, formatDateTime } from '../time-display';
import { BlockHeader } from './block-header';
import { MetricsBlock } from './metrics-block';
import { markdownFallbackDocument, RichTextBlock } from './rich-text-block';
import { StatusBlock } from './status-block';
import { TableBlock } from './table-block';

export interface BlockViewProps {
  result: OperationOutput<'blocks.get'>;
  config: MacroConfig;
  now: Date;
}

/** One block, whatever its kind, under its freshness header. */
export function BlockView({ result, config, now }: BlockViewProps) {
  const { block } = result;
  return (
    <Stack space="space.150" testId={`pagewire-block-${block.kind}`}>
      {result.fallback ? (
        <SectionMessage
          appearance="warning"
          title={`Live data unavailable since ${formatDateTime(result.fallback.since)}`}
          testId="pagewire-fallback"
        >
          <Text>
            {`Pagewire’s service cannot be reached, so this is the copy stored in the page ${describeAge(result.fallback.since, now)}. It updates again when the service is back.`}
          </Text>
        </SectionMessage>
      ) : null}
      <BlockHeader
        block={block}
        stale={result.stale}
        staleAfterMinutes={result.staleAfterMinutes}
        showTitle={config.showTitle}
        now={now}
      />
      {isEmpty(block) ? (
        <EmptyState
          header="Nothing to show yet"
          description={`“${block.source}” has not sent any ${block.kind === 'table' ? 'rows' : 'content'} for this block yet. It appears here as soon as it does.`}
          width="narrow"
          testId="pagewire-empty"
        />
      ) : (
        <BlockBody block={block} rendered={result.rendered} rowsPerPage={config.rowsPerPage} />
      )}
    </Stack>
  );
}

function BlockBody({
  block,
  rendered,
  rowsPerPage,
}: {
  block: Block;
  rendered: OperationOutput<'blocks.get'>['rendered'];
  rowsPerPage: number;
}) {
  switch (block.kind) {
    case 'status':
      return <StatusBlock content={block.content} rowsPerPage={rowsPerPage} />;
    case 'table':
      return <TableBlock content={block.content} rowsPerPage={rowsPerPage} />;
    case 'metrics':
      return <MetricsBlock content={block.content} />;
    case 'markdown':
      return <RichTextBlock document={rendered ?? markdownFallbackDocument(block.content)} />;
    case 'adf':
      return <RichTextBlock document={block.content} />;
  }
}

/** A block a source created but has not filled yet. Status and metrics always carry content. */
export function isEmpty(block: Block): boolean {
  switch (block.kind) {
    case 'markdown':
      return block.content.trim().length === 0;
    case 'adf':
      return block.content.content.length === 0;
    case 'table':
      return block.content.rows.length === 0;
    default:
      return false;
  }
}
