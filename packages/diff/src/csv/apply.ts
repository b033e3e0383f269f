import { DiffError } from '../errors.js';
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
  return formatCsv([out.header, ...out.rows.map((r) => r.map((c) => {
    if (c !== null && typeof c === 'object') throw new DiffError('E_INVALID_ARGUMENT', 'Cannot apply a diff with clipped cells: diff again with a larger maxCellBytes.', { sha256: c.sha256, bytes: c.bytes });
    return c ?? '';
  }))], dialect);
}
