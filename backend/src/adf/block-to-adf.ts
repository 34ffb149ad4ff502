import type {
  AdfDocument,
  AdfNode,
  BlockBodyPresentation,
  BlockPayload,
  ShownCell,
  ShownLozenge,
  ShownMetric,
  ShownTable,
  StatusTone,
} from '@pagewire/shared';
import { presentBlockBody } from '@pagewire/shared';
import {
  doc,
  em,
  link,
  panel,
  paragraph,
  type StatusColor,
  status,
  strong,
  table,
  tableCell,
  tableRow,
  text,
} from '@pagewire/shared/adf-builders';
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
 * Word export, page history and search see the same facts the live macro
 * shows. What it shows is the shared presentation model's decision
 * (`presentBlockBody`); this only maps it to ADF nodes. The title is not
 * repeated inside: the snapshot carries it next to the body. Markdown goes
 * through `renderMarkdown` (the render pool in the running backend), which
 * rejects with a `ContentTooComplexError` when it cannot.
 */
export async function renderBlockToAdf(
  block: BlockPayload & { source?: string },
  renderMarkdown: (markdown: string) => Promise<MarkdownConversion>,
): Promise<AdfDocument> {
  const body = presentBlockBody(block);
  switch (body.kind) {
    case 'markdown':
      return (await renderMarkdown(body.markdown)).document;
    case 'adf':
      return body.document;
    default:
      return doc(presentationToAdf(body));
  }
}

type DrawnBody = Exclude<BlockBodyPresentation, { kind: 'markdown' | 'adf' }>;

function presentationToAdf(body: DrawnBody): AdfNode[] {
  switch (body.kind) {
    case 'status': {
      const nodes: AdfNode[] = [paragraph([lozenge(body.headline)])];
      if (body.summary) nodes.push(paragraph([text(body.summary)]));
      if (body.components) nodes.push(...tableToAdf(body.components));
      if (body.details) nodes.push(paragraph([text(body.details.text, [link(body.details.href)])]));
      return nodes;
    }
    case 'table':
      return tableToAdf(body.table);
    case 'metrics':
      return metricsToAdf(body.metrics);
    case 'empty':
      return [panel('info', [paragraph([text(body.header, [strong])]), paragraph([text(body.description)])])];
  }
}

/** Every row: an export is not paged. A caption follows the table, in italics. */
function tableToAdf(shown: ShownTable): AdfNode[] {
  const header = tableRow(shown.columns.map((column) => tableCell([paragraph([text(column.title)])], true)));
  const rows = shown.rows.map((row) =>
    tableRow(row.cells.map((cell) => tableCell([paragraph(cellToAdf(cell))]))),
  );
  const nodes: AdfNode[] = [table([header, ...rows])];
  if (shown.caption) nodes.push(paragraph([text(shown.caption, [em])]));
  return nodes;
}

function cellToAdf(cell: ShownCell): AdfNode[] {
  switch (cell.kind) {
    case 'link':
      return [text(cell.text, [link(cell.href)])];
    case 'lozenge':
      return [lozenge(cell)];
    default:
      return [text(cell.text)];
  }
}

/** The live macro's cards, as one table: a page export has no cards. */
function metricsToAdf(metrics: readonly ShownMetric[]): AdfNode[] {
  const withHints = metrics.some((metric) => metric.hint);
  const titles = ['Metric', 'Value', 'Change', ...(withHints ? ['Note'] : [])];
  const header = tableRow(titles.map((title) => tableCell([paragraph([text(title)])], true)));
  const rows = metrics.map((metric) => {
    const cells = [
      tableCell([paragraph([text(metric.label)])]),
      tableCell([paragraph([text(metric.value, [strong])])]),
      tableCell([paragraph(metric.change ? [lozenge(metric.change)] : [])]),
    ];
    if (withHints) cells.push(tableCell([paragraph(metric.hint ? [text(metric.hint)] : [])]));
    return tableRow(cells);
  });
  return [table([header, ...rows])];
}

function lozenge(shown: ShownLozenge): AdfNode {
  return status(shown.text, toneColors[shown.tone]);
}
