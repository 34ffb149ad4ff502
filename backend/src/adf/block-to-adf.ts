import type {
  AdfDocument,
  AdfNode,
  BlockPayload,
  MetricsContent,
  StatusContent,
  StatusTone,
  TableCell,
  TableContent,
} from '@pagewire/shared';
import {
  doc,
  em,
  link,
  paragraph,
  type StatusColor,
  status,
  strong,
  table,
  tableCell,
  tableRow,
  text,
} from './adf-builders';
import type { MarkdownConversion } from './markdown-to-adf';

/** UI Kit's Lozenge appearances in the macro and ADF status colours, tone for tone. */
const toneColors: Readonly<Record<StatusTone, StatusColor>> = {
  success: 'green',
  warning: 'yellow',
  danger: 'red',
  info: 'blue',
  neutral: 'neutral',
};

/**
 * A block's content as an ADF document: what a snapshot property holds, so
 * Word export, page history and search see the same facts the live macro shows.
 * The title is not repeated inside: the snapshot carries it next to the body.
 * Markdown goes through `renderMarkdown` (the render pool in the running
 * backend), which rejects with a `ContentTooComplexError` when it cannot.
 */
export async function renderBlockToAdf(
  block: BlockPayload,
  renderMarkdown: (markdown: string) => Promise<MarkdownConversion>,
): Promise<AdfDocument> {
  switch (block.kind) {
    case 'markdown':
      return (await renderMarkdown(block.content)).document;
    case 'adf':
      return block.content;
    case 'status':
      return doc(renderStatus(block.content));
    case 'table':
      return doc(renderTable(block.content));
    case 'metrics':
      return doc(renderMetrics(block.content));
  }
}

function renderStatus(content: StatusContent): AdfNode[] {
  const nodes: AdfNode[] = [paragraph([status(content.status, toneColors[content.tone])])];
  if (content.summary) nodes.push(paragraph([text(content.summary)]));
  if (content.components && content.components.length > 0) {
    const header = tableRow([
      tableCell([paragraph([text('Component')])], true),
      tableCell([paragraph([text('Status')])], true),
    ]);
    const rows = content.components.map((component) =>
      tableRow([
        tableCell([paragraph([text(component.name)])]),
        tableCell([paragraph([status(component.status, toneColors[component.tone])])]),
      ]),
    );
    nodes.push(table([header, ...rows]));
  }
  if (content.url) nodes.push(paragraph([text('Details', [link(content.url)])]));
  return nodes;
}

function renderTable(content: TableContent): AdfNode[] {
  const header = tableRow(
    content.columns.map((column) => tableCell([paragraph([text(column.title)])], true)),
  );
  const rows = content.rows.map((row) =>
    tableRow(
      content.columns.map((column) =>
        tableCell([paragraph(renderCell(row[column.key] ?? null, column.format))]),
      ),
    ),
  );
  const nodes: AdfNode[] = [table([header, ...rows])];
  if (content.caption) nodes.push(paragraph([text(content.caption, [em])]));
  return nodes;
}

function renderCell(value: TableCell, format: TableContent['columns'][number]['format']): AdfNode[] {
  if (value === null || value === '') return [];
  if (typeof value === 'boolean') return [text(value ? 'Yes' : 'No')];
  const shown = typeof value === 'number' ? formatNumber(value) : value;
  switch (format) {
    case 'link':
      return typeof value === 'string' && /^https?:\/\//i.test(value)
        ? [text(value, [link(value)])]
        : [text(shown)];
    case 'status':
      return [status(shown, 'neutral')];
    default:
      return [text(shown)];
  }
}

function renderMetrics(content: MetricsContent): AdfNode[] {
  const withHints = content.metrics.some((metric) => metric.hint);
  const titles = ['Metric', 'Value', 'Change', ...(withHints ? ['Note'] : [])];
  const header = tableRow(titles.map((title) => tableCell([paragraph([text(title)])], true)));
  const rows = content.metrics.map((metric) => {
    const unit = metric.unit ? ` ${metric.unit}` : '';
    const cells = [
      tableCell([paragraph([text(metric.label)])]),
      tableCell([paragraph([text(`${formatNumber(metric.value)}${unit}`, [strong])])]),
      tableCell([paragraph(renderDelta(metric.delta, unit, metric.goodDirection))]),
    ];
    if (withHints) cells.push(tableCell([paragraph(metric.hint ? [text(metric.hint)] : [])]));
    return tableRow(cells);
  });
  return [table([header, ...rows])];
}

function renderDelta(delta: number | undefined, unit: string, good: 'up' | 'down' | undefined): AdfNode[] {
  if (delta === undefined) return [];
  const label = `${delta > 0 ? '▲ +' : delta < 0 ? '▼ ' : ''}${formatNumber(delta)}${unit}`;
  let color: StatusColor = 'neutral';
  if (good !== undefined && delta !== 0) color = delta > 0 === (good === 'up') ? 'green' : 'red';
  return [status(label, color)];
}

/** Fixed formatting (not the server's locale), so the same number always renders, and hashes, the same. */
function formatNumber(value: number): string {
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 }).format(value);
}
