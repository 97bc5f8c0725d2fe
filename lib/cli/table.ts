import { blockText, cellText } from '../core/terminal-text';

/** A table column: its header, and whether its values (numbers) align right. */
export interface Column {
  header: string;
  right?: boolean;
}

/**
 * Rows under their headers, columns padded to their widest cell and two spaces apart. Every
 * cell goes through cellText: nothing read from Redis reaches the terminal unescaped.
 */
export function renderTable(columns: Column[], rows: string[][]): string {
  const cells = rows.map((row) => row.map(cellText));
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...cells.map((row) => row[i].length)),
  );
  const line = (row: string[]) =>
    row
      .map((cell, i) => (columns[i].right ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...cells.map(line)].join('\n') + '\n';
}

/**
 * `label  value` lines, labels padded to the longest (one record); a value of several lines (a
 * stack trace) keeps them, indented under the first.
 */
export function renderFields(fields: [string, string][]): string {
  const width = Math.max(...fields.map(([label]) => label.length));
  const indent = ' '.repeat(width + 2);
  return fields
    .map(
      ([label, value]) =>
        `${label.padEnd(width)}  ${blockText(value).split('\n').join(`\n${indent}`)}`,
    )
    .join('\n')
    .concat('\n');
}
