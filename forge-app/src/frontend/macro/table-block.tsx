import { DynamicTable, Link, Lozenge, Text } from '@forge/react';
import type { ShownCell, ShownTable } from '@pagewire/shared';
import { lozengeFor } from './block-tones';

/** A table block, or a status block's components: a DynamicTable, paged when the model says so. */
export function TableBlock({ table, testId }: { table: ShownTable; testId?: string }) {
  return (
    <DynamicTable
      {...(testId ? { testId } : {})}
      {...(table.caption ? { caption: table.caption } : {})}
      head={{ cells: table.columns.map((column) => ({ key: column.key, content: column.title })) }}
      rows={table.rows.map((row) => ({
        key: row.key,
        // Cell keys are the column keys: unique within a row, which React needs.
        cells: row.cells.map((cell, index) => ({
          key: table.columns[index]?.key ?? String(index),
          content: renderCell(cell),
        })),
      }))}
      {...(table.rowsPerPage === undefined ? {} : { rowsPerPage: table.rowsPerPage })}
    />
  );
}

function renderCell(cell: ShownCell) {
  switch (cell.kind) {
    case 'empty':
      return <Text color="color.text.subtlest">{cell.text}</Text>;
    case 'link':
      return (
        <Link href={cell.href} openNewTab>
          {cell.text}
        </Link>
      );
    case 'lozenge':
      return <Lozenge appearance={lozengeFor(cell.tone)}>{cell.text}</Lozenge>;
    case 'text':
      return cell.text;
  }
}
