/** Plain-text tables for the playground's output: aligned columns, rates rounded for reading. */
import type { Cell, Row } from './engine';

function show(value: Cell): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number' && !Number.isInteger(value)) return value.toFixed(4);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The rows as an aligned table, at most `limit` rows (the last ones, the most recent for dated rows). */
export function formatTable(rows: readonly Row[], limit: number, indent = '    '): string[] {
  if (rows.length === 0) return [`${indent}(no rows)`];
  const columns = Object.keys(rows[0]);
  const shown = rows.slice(-limit);
  const cells = [columns, ...shown.map((row) => columns.map((column) => show(row[column])))];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => line[index].length)));
  const lines = cells.map((line) => indent + line.map((cell, index) => cell.padEnd(widths[index])).join('  ').trimEnd());
  if (rows.length > shown.length) lines.splice(1, 0, `${indent}… ${rows.length - shown.length} earlier row(s)`);
  return lines;
}
