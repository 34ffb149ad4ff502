import { DynamicTable, Link, Lozenge, Text } from '@forge/react';
import type { TableCell, TableContent } from '@pagewire/shared';
import { formatDate } from '../time-display';
import { lozengeForStatusText } from './block-tones';

type Column = TableContent['columns'][number];

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export function TableBlock({ content, rowsPerPage }: { content: TableContent; rowsPerPage: number }) {
  return (
    <DynamicTable
      testId="pagewire-table"
      {...(content.caption ? { caption: content.caption } : {})}
      head={{ cells: content.columns.map((column) => ({ key: column.key, content: column.title })) }}
      rows={content.rows.map((row, index) => ({
        key: `row-${index}`,
        // Cell keys are the column keys: unique within a row, which React needs.
        cells: content.columns.map((column) => ({
          key: column.key,
          content: renderCell(column, row[column.key]),
        })),
      }))}
      {...(content.rows.length > rowsPerPage ? { rowsPerPage } : {})}
    />
  );
}

function renderCell(column: Column, value: TableCell | undefined) {
  if (value === null || value === undefined || value === '')
    return <Text color="color.text.subtlest">—</Text>;
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  switch (column.format) {
    case 'number':
      return typeof value === 'number' ? numberFormat.format(value) : String(value);
    case 'date':
      return typeof value === 'string' ? formatDate(value) : String(value);
    case 'link':
      return typeof value === 'string' && /^https?:\/\//.test(value) ? (
        <Link href={value} openNewTab>
          {linkText(value)}
        </Link>
      ) : (
        String(value)
      );
    case 'status':
      return <Lozenge appearance={lozengeForStatusText(String(value))}>{String(value)}</Lozenge>;
    default:
      return typeof value === 'number' ? numberFormat.format(value) : value;
  }
}

/** Shows a link by its host and path, without the scheme noise. */
function linkText(url: string): string {
  const shown = url.replace(/^https?:\/\//, '');
  return shown.length > 60 ? `${shown.slice(0, 57)}…` : shown;
}
