import { applyTableDiff } from '../table/apply.js';
import type { TableDiff } from '../table/engine.js';
import { formatCsv, parseCsv, type CsvDialect } from './scanner.js';

/**
 * Apply a complete CSV diff to the text of version a and return the text of version b (same dialect,
 * `\n` line ends, minimal quoting). Uses the same parser as the diff. See applyTableDiff for row order.
 */
export function applyCsvDiff(aText: string, diff: Pick<TableDiff, 'columns' | 'match' | 'rows' | 'truncated'>, dialect: CsvDialect = { delimiter: ',', quote: '"' }): string {
  const [header = [], ...rows] = parseCsv(aText, dialect);
  const out = applyTableDiff({ header, rows }, diff);
  if (out.header.length === 0 && out.rows.length === 0) return '';
  return formatCsv([out.header, ...out.rows.map((r) => r.map((c) => c ?? ''))], dialect);
}
