import type { AdfDocument } from '../adf/adf-document';
import type { SnapshotProperty } from '../snapshot';
import type {
  Block,
  BlockPayload,
  MetricsContent,
  StatusContent,
  StatusTone,
  TableCell,
  TableContent,
} from './block-content';
import {
  describeAge,
  describeMinutes,
  formatDate,
  formatDateTime,
  formatNumber,
  withUnit,
} from './display-format';

/**
 * What a block shows, decided once for every surface: the live macro (UI Kit
 * components), the snapshot the backend writes into the page and the macro's
 * export view (both ADF). Each surface only maps this model to its own
 * components; none formats a number, picks a colour or words a sentence of
 * its own, so a reader sees the same facts live, in a Word export and in page
 * history. Pure: the same block, view and clock give the same presentation.
 */
export interface BlockPresentation {
  /** Set when the macro shows the page's stored copy because the backend cannot be reached. */
  notice?: { title: string; message: string };
  header: BlockHeaderPresentation;
  body: BlockBodyPresentation;
}

export interface BlockHeaderPresentation {
  /** Absent when the macro is set to hide the title. */
  title?: string;
  /** "Updated 3 min ago". */
  updated: string;
  /** "Revision 4 from ci, 28 Nov 2026, 09:57 UTC": where the facts come from, exactly when. */
  provenance: string;
  /** Set when the block is older than its space's staleness threshold. */
  stale?: { label: string; message: string };
}

/** A coloured label: a UI Kit Lozenge live, an ADF `status` node in the page. */
export interface ShownLozenge {
  text: string;
  tone: StatusTone;
}

export type ShownCell =
  | { kind: 'empty'; text: '—' }
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'lozenge'; text: string; tone: StatusTone };

export interface ShownTable {
  caption?: string;
  columns: Array<{ key: string; title: string }>;
  rows: Array<{ key: string; cells: ShownCell[] }>;
  /** Set when the rows are more than one page of the macro: the live table pages by it; ADF shows every row. */
  rowsPerPage?: number;
}

export interface ShownMetric {
  label: string;
  /** "99.95%". */
  value: string;
  /** "▼ -0.02%", coloured by whether the change is good news. */
  change?: ShownLozenge;
  hint?: string;
}

export type BlockBodyPresentation =
  | {
      kind: 'status';
      headline: ShownLozenge;
      summary?: string;
      details?: { text: string; href: string };
      components?: ShownTable;
    }
  | { kind: 'table'; table: ShownTable }
  | { kind: 'metrics'; metrics: ShownMetric[] }
  /** Rendered by the backend's Markdown→ADF mapping on every surface (the macro receives it as `rendered`). */
  | { kind: 'markdown'; markdown: string }
  | { kind: 'adf'; document: AdfDocument }
  /** A block its source created but has not filled yet. */
  | { kind: 'empty'; header: string; description: string };

export interface LiveBlockView {
  stale: boolean;
  staleAfterMinutes: number;
  now: Date;
  showTitle?: boolean;
  rowsPerPage?: number;
  fallback?: { since: string };
}

const DEFAULT_ROWS_PER_PAGE = 10;

/** The live macro's view of a block: header, body and, when the backend is down, why this is a stored copy. */
export function presentBlock(block: Block, view: LiveBlockView): BlockPresentation {
  const presentation: BlockPresentation = {
    header: presentHeader(block, view),
    body: presentBlockBody(block, view),
  };
  if (view.fallback) {
    presentation.notice = {
      title: `Live data unavailable since ${formatDateTime(view.fallback.since)}`,
      message: `Pagewire’s service cannot be reached, so this is the copy stored in the page ${describeAge(view.fallback.since, view.now)}. It updates again when the service is back.`,
    };
  }
  return presentation;
}

function presentHeader(block: Block, view: LiveBlockView): BlockHeaderPresentation {
  const header: BlockHeaderPresentation = {
    updated: `Updated ${describeAge(block.updatedAt, view.now)}`,
    provenance: `Revision ${block.revision} from ${block.source}, ${formatDateTime(block.updatedAt)}`,
  };
  if (view.showTitle !== false) header.title = block.title;
  if (view.stale) {
    header.stale = {
      label: 'Stale',
      message: `Not updated for over ${describeMinutes(view.staleAfterMinutes)}: “${block.source}” may have stopped sending updates.`,
    };
  }
  return header;
}

/**
 * An export is read later and elsewhere (Word, page history), where "3 min
 * ago" means nothing: it says exactly when the facts were true instead.
 */
export function presentSnapshotHeader(
  snapshot: Pick<SnapshotProperty, 'blockKey' | 'revision' | 'title' | 'updatedAt'>,
  view: { showTitle: boolean },
): { title?: string; asOf: string } {
  const asOf = `Pagewire block “${snapshot.blockKey}”, revision ${snapshot.revision}, as of ${formatDateTime(snapshot.updatedAt)}.`;
  return view.showTitle ? { title: snapshot.title, asOf } : { asOf };
}

/** What a block's content shows, without its header: the part the snapshot stores. */
export function presentBlockBody(
  block: BlockPayload & { source?: string },
  view: { rowsPerPage?: number } = {},
): BlockBodyPresentation {
  const rowsPerPage = view.rowsPerPage ?? DEFAULT_ROWS_PER_PAGE;
  if (isEmptyBlock(block)) return presentEmpty(block);
  switch (block.kind) {
    case 'status':
      return presentStatus(block.content, rowsPerPage);
    case 'table':
      return { kind: 'table', table: presentTable(block.content, rowsPerPage) };
    case 'metrics':
      return { kind: 'metrics', metrics: block.content.metrics.map(presentMetric) };
    case 'markdown':
      return { kind: 'markdown', markdown: block.content };
    case 'adf':
      return { kind: 'adf', document: block.content };
  }
}

/** A block a source created but has not filled yet. Status and metrics always carry content. */
export function isEmptyBlock(block: BlockPayload): boolean {
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

function presentEmpty(block: BlockPayload & { source?: string }): BlockBodyPresentation {
  const who = block.source === undefined ? 'Its source' : `“${block.source}”`;
  const what = block.kind === 'table' ? 'rows' : 'content';
  return {
    kind: 'empty',
    header: 'Nothing to show yet',
    description: `${who} has not sent any ${what} for this block yet. It appears here as soon as it does.`,
  };
}

function presentStatus(content: StatusContent, rowsPerPage: number): BlockBodyPresentation {
  const body: BlockBodyPresentation = {
    kind: 'status',
    headline: { text: content.status, tone: content.tone },
  };
  if (content.summary) body.summary = content.summary;
  if (content.url) body.details = { text: 'Details', href: content.url };
  const components = content.components ?? [];
  if (components.length > 0) {
    body.components = paged(
      {
        columns: [
          { key: 'name', title: 'Component' },
          { key: 'status', title: 'Status' },
        ],
        rows: components.map((component, index) => ({
          key: `component-${index}`,
          cells: [
            { kind: 'text', text: component.name },
            { kind: 'lozenge', text: component.status, tone: component.tone },
          ],
        })),
      },
      rowsPerPage,
    );
  }
  return body;
}

type Column = TableContent['columns'][number];

function presentTable(content: TableContent, rowsPerPage: number): ShownTable {
  const table: ShownTable = {
    columns: content.columns.map((column) => ({ key: column.key, title: column.title })),
    rows: content.rows.map((row, index) => ({
      key: `row-${index}`,
      cells: content.columns.map((column) => presentCell(column, row[column.key])),
    })),
  };
  if (content.caption) table.caption = content.caption;
  return paged(table, rowsPerPage);
}

function paged(table: ShownTable, rowsPerPage: number): ShownTable {
  return table.rows.length > rowsPerPage ? { ...table, rowsPerPage } : table;
}

/** One cell by its column's format; a number always reads the same, whatever the column. */
export function presentCell(column: Pick<Column, 'format'>, value: TableCell | undefined): ShownCell {
  if (value === null || value === undefined || value === '') return { kind: 'empty', text: '—' };
  if (typeof value === 'boolean') return { kind: 'text', text: value ? 'Yes' : 'No' };
  const shown = typeof value === 'number' ? formatNumber(value) : value;
  switch (column.format) {
    case 'date':
      return { kind: 'text', text: typeof value === 'string' ? formatDate(value) : shown };
    case 'link':
      return typeof value === 'string' && /^https?:\/\//i.test(value)
        ? { kind: 'link', text: linkText(value), href: value }
        : { kind: 'text', text: shown };
    case 'status':
      return { kind: 'lozenge', text: shown, tone: toneOfStatusText(shown) };
    default:
      return { kind: 'text', text: shown };
  }
}

/** Shows a link by its host and path, without the scheme noise. */
function linkText(url: string): string {
  const shown = url.replace(/^https?:\/\//i, '');
  return shown.length > 60 ? `${shown.slice(0, 57)}…` : shown;
}

/**
 * Table cells formatted as `status` carry free text ("passing", "DOWN"); the
 * colour follows the common words so a column of statuses reads at a glance.
 */
export function toneOfStatusText(text: string): StatusTone {
  const word = text.trim().toLowerCase();
  if (/^(ok|up|pass(ed|ing)?|green|healthy|success(ful)?|done|operational|active|online)$/.test(word))
    return 'success';
  if (/^(fail(ed|ing|ure)?|down|red|error|broken|outage|critical|offline)$/.test(word)) return 'danger';
  if (/^(warn(ing)?|degraded|yellow|amber|slow|partial|at risk)$/.test(word)) return 'warning';
  if (/^(running|in progress|pending|queued|deploying|building)$/.test(word)) return 'info';
  return 'neutral';
}

type Metric = MetricsContent['metrics'][number];

function presentMetric(metric: Metric): ShownMetric {
  const shown: ShownMetric = {
    label: metric.label,
    value: withUnit(formatNumber(metric.value), metric.unit),
  };
  if (metric.delta !== undefined) shown.change = presentChange(metric.delta, metric);
  if (metric.hint) shown.hint = metric.hint;
  return shown;
}

/** "▲ +15 ms": an arrow for the direction, coloured green or red only when the metric says which way is good. */
function presentChange(delta: number, metric: Metric): ShownLozenge {
  const arrow = delta > 0 ? '▲' : delta < 0 ? '▼' : '■';
  const text = `${arrow} ${withUnit(formatNumber(delta, { signed: true }), metric.unit)}`;
  if (delta === 0 || !metric.goodDirection) return { text, tone: 'neutral' };
  const good = metric.goodDirection === 'up' ? delta > 0 : delta < 0;
  return { text, tone: good ? 'success' : 'danger' };
}
