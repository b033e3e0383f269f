import { DiffError } from '../errors.js';
import { uniqueNames } from './compare.js';
import { keyOf } from './source.js';
import type { RowChange, TableDiff } from './engine.js';
import type { Cell } from './types.js';

export interface Table {
  header: string[];
  rows: Cell[][];
}

/**
 * Apply a complete table diff (not truncated) to version a's table, giving version b's table.
 * Keyed diffs ignore row order, so when `diff.rowOrderChanged` is true the rows come out in a's order
 * (with added rows at their positions in b); otherwise the result equals b exactly.
 */
export function applyTableDiff(a: Table, diff: Pick<TableDiff, 'columns' | 'match' | 'rows' | 'truncated'>): Table {
  if (diff.truncated) throw new DiffError('E_INVALID_ARGUMENT', 'Cannot apply a truncated diff: run it again with a higher limit.', {});
  const namesA = uniqueNames(a.header);
  if (namesA.join('\0') !== diff.columns.a.join('\0')) {
    throw new DiffError('E_INVALID_ARGUMENT', 'This diff was made against a table with different columns.', { expected: diff.columns.a, got: namesA });
  }
  const colsB = diff.columns.b;
  const idxInA = new Map(namesA.map((c, i) => [c, i] as const));
  // Rows as column → value maps keyed by column name.
  type Rec = Map<string, Cell>;
  const recs: (Rec | null)[] = a.rows.map((r) => new Map(namesA.map((c, i) => [c, r[i] ?? ''] as const)));
  const toB = (rec: Rec): Cell[] => colsB.map((c) => rec.get(c) ?? '');
  const changeAt = (rec: Rec, ch: Extract<RowChange, { kind: 'changed' }>) => {
    for (const cell of ch.cells) if (cell.new !== undefined) rec.set(cell.column, cell.new); else rec.delete(cell.column);
  };
  const inserts: { bRow: number; values: Cell[] }[] = [];
  if (diff.match.mode === 'keyed') {
    const keyIdx = diff.match.key.map((k) => idxInA.get(k) ?? -1);
    const byKey = new Map<string, number>();
    a.rows.forEach((r, i) => byKey.set(keyOf(keyIdx.map((k) => r[k] ?? '')), i));
    for (const ch of diff.rows) {
      if (ch.kind === 'added') { inserts.push({ bRow: ch.bRow, values: ch.values }); continue; }
      if (ch.kind === 'moved') throw new DiffError('E_INVALID_ARGUMENT', 'A keyed diff has no moved rows.', {});
      const i = byKey.get(keyOf(ch.key ?? []));
      if (i === undefined) throw new DiffError('E_INVALID_ARGUMENT', `Row with key ${JSON.stringify(ch.key)} is not in the table.`, { key: ch.key });
      if (ch.kind === 'removed') recs[i] = null;
      else changeAt(recs[i]!, ch);
    }
  } else {
    for (const ch of diff.rows) {
      if (ch.kind === 'added') inserts.push({ bRow: ch.bRow, values: ch.values });
      else if (ch.kind === 'removed') recs[ch.aRow - 1] = null;
      else if (ch.kind === 'changed') changeAt(recs[ch.aRow - 1]!, ch);
      else {
        const rec = recs[ch.aRow - 1]!;
        recs[ch.aRow - 1] = null;
        inserts.push({ bRow: ch.bRow, values: toB(rec) });
      }
    }
  }
  const rows: Cell[][] = [];
  for (const rec of recs) if (rec) rows.push(toB(rec));
  inserts.sort((x, y) => x.bRow - y.bRow);
  for (const ins of inserts) rows.splice(ins.bRow - 1, 0, ins.values);
  return { header: colsB, rows };
}
