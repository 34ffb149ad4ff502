import { EmptyState, SectionMessage, Stack, Text } from '@forge/react';
import { type BlockBodyPresentation, type OperationOutput, presentBlock } from '@pagewire/shared';
import type { MacroConfig } from '../../macro-config';
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

/**
 * One block, whatever its kind, under its freshness header. What it shows is
 * the shared presentation model's decision (`presentBlock`); the components
 * here only lay it out with UI Kit.
 */
export function BlockView({ result, config, now }: BlockViewProps) {
  const { block } = result;
  const presentation = presentBlock(block, {
    stale: result.stale,
    staleAfterMinutes: result.staleAfterMinutes,
    now,
    showTitle: config.showTitle,
    rowsPerPage: config.rowsPerPage,
    ...(result.fallback ? { fallback: result.fallback } : {}),
  });
  return (
    <Stack space="space.150" testId={`pagewire-block-${block.kind}`}>
      {presentation.notice ? (
        <SectionMessage appearance="warning" title={presentation.notice.title} testId="pagewire-fallback">
          <Text>{presentation.notice.message}</Text>
        </SectionMessage>
      ) : null}
      <BlockHeader header={presentation.header} />
      <BlockBody body={presentation.body} rendered={result.rendered} />
    </Stack>
  );
}

function BlockBody({
  body,
  rendered,
}: {
  body: BlockBodyPresentation;
  rendered: OperationOutput<'blocks.get'>['rendered'];
}) {
  switch (body.kind) {
    case 'status':
      return <StatusBlock status={body} />;
    case 'table':
      return <TableBlock table={body.table} testId="pagewire-table" />;
    case 'metrics':
      return <MetricsBlock metrics={body.metrics} />;
    case 'markdown':
      return <RichTextBlock document={rendered ?? markdownFallbackDocument(body.markdown)} />;
    case 'adf':
      return <RichTextBlock document={body.document} />;
    case 'empty':
      return (
        <EmptyState
          header={body.header}
          description={body.description}
          width="narrow"
          testId="pagewire-empty"
        />
      );
  }
}
