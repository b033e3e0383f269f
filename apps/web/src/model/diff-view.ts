/**
 * What the page shows for a diff, computed from @savepoint/diff's result: pure data, tested in Node.
 * CSV/TSV (and each XLSX sheet / SQLite table) become a table whose changed cells are marked; JSON becomes a
 * list of changed paths; text becomes hunks; binary a byte summary.
 */
import type { Cell, DiffResult, FormatChange, JsonResultChange, RowChange, TableDiff } from '@savepoint/diff';

export type CellState = 'same' | 'changed' | 'added' | 'removed' | 'unknown';

export interface CellModel {
  column: string;
  text: string;
  /** the value in the older version, for changed cells */
  old?: string;
  state: CellState;
}

export interface RowModel {
  kind: RowChange['kind'];
  /** `row 7` (positional) or the key (`id=7`) */
  label: string;
  cells: CellModel[];
}

export interface TableModel {
  title?: string;
  columns: string[];
  addedColumns: string[];
  removedColumns: string[];
  rows: RowModel[];
  summary: string;
  truncated: boolean;
  notes: string[];
}

export interface JsonRowModel {
  op: JsonResultChange['op'];
  path: string;
  old?: string;
  new?: string;
}

export type DiffView =
  | { kind: 'table'; identical: boolean; tables: TableModel[]; formatChanges: string[]; headline: string }
  | { kind: 'json'; identical: boolean; rows: JsonRowModel[]; truncated: boolean; formatChanges: string[]; headline: string }
  | { kind: 'text'; identical: boolean; lines: { op: ' ' | '+' | '-'; text: string }[]; truncated: boolean; formatChanges: string[]; headline: string }
  | { kind: 'binary'; identical: boolean; formatChanges: string[]; headline: string };

export function cellText(c: Cell | undefined): string {
  if (c === undefined || c === null) return '';
  if (typeof c === 'string') return c;
  return `${c.head}… (${c.bytes} bytes, sha256 ${c.sha256.slice(0, 12)})`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function tableSummary(t: Pick<TableDiff, 'summary'>): string {
  const s = t.summary;
  const parts = [`${plural(s.added, 'row')} added`, `${s.removed} removed`, `${s.changed} changed (${plural(s.cellsChanged, 'cell')})`];
  if (s.moved) parts.push(`${s.moved} moved`);
  if (s.columnsAdded || s.columnsRemoved) parts.push(`${plural(s.columnsAdded, 'column')} added, ${s.columnsRemoved} removed`);
  return parts.join(', ');
}

function rowLabel(r: RowChange, key: string[]): string {
  if ('key' in r && r.key && key.length) return r.key.map((v, i) => `${key[i]}=${cellText(v)}`).join(', ');
  switch (r.kind) {
    case 'added':
      return `row ${r.bRow}`;
    case 'removed':
      return `row ${r.aRow}`;
    case 'changed':
      return r.aRow === r.bRow ? `row ${r.bRow}` : `row ${r.aRow} → ${r.bRow}`;
    case 'moved':
      return `row ${r.aRow} → ${r.bRow}`;
  }
}

function noteText(n: TableDiff['notes'][number]): string {
  switch (n.code) {
    case 'row-order-changed':
      return 'Rows are in a different order (rows are matched by key, so order alone is not a change).';
    case 'duplicate-key':
      return `Key ${n.key.join(', ')} = ${n.value.map(cellText).join(', ')} appears more than once in the ${n.side === 'a' ? 'older' : 'newer'} version (lines ${n.lines.join(', ')}).`;
    case 'approximate':
      return 'The files differ too much for an exact row alignment; the diff is approximate.';
  }
}

export function tableModel(t: TableDiff, title?: string): TableModel {
  const removedColumns = t.columns.removed;
  const key = t.match.mode === 'keyed' ? t.match.key : [];
  // Key columns first, then the columns with a changed cell, then the rest (b's order), then removed ones:
  // on a narrow screen the changes are in view without scrolling sideways.
  const touched = new Set<string>(t.columns.added);
  for (const r of t.rows) if (r.kind === 'changed') for (const c of r.cells) touched.add(c.column);
  const inB = t.columns.b;
  const columns = [
    ...inB.filter((c) => key.includes(c)),
    ...inB.filter((c) => !key.includes(c) && touched.has(c)),
    ...inB.filter((c) => !key.includes(c) && !touched.has(c)),
    ...removedColumns.filter((c) => !inB.includes(c)),
  ];
  const rows = t.rows.map((r): RowModel => {
    const byColumn = new Map<string, CellModel>();
    if (r.kind === 'added') t.columns.b.forEach((c, i) => byColumn.set(c, { column: c, text: cellText(r.values[i]), state: 'added' }));
    else if (r.kind === 'removed') t.columns.a.forEach((c, i) => byColumn.set(c, { column: c, text: cellText(r.values[i]), state: 'removed' }));
    else if (r.kind === 'moved') t.columns.b.forEach((c, i) => byColumn.set(c, { column: c, text: cellText(r.values[i]), state: 'same' }));
    else {
      if (r.key) key.forEach((c, i) => byColumn.set(c, { column: c, text: cellText(r.key![i]), state: 'same' }));
      for (const ch of r.cells) {
        const cell: CellModel = { column: ch.column, text: ch.new === undefined ? '' : cellText(ch.new), state: ch.old === undefined ? 'added' : ch.new === undefined ? 'removed' : 'changed' };
        if (ch.old !== undefined) cell.old = cellText(ch.old);
        byColumn.set(ch.column, cell);
      }
    }
    return { kind: r.kind, label: rowLabel(r, key), cells: columns.map((c) => byColumn.get(c) ?? { column: c, text: '', state: r.kind === 'changed' ? 'same' : 'unknown' }) };
  });
  const m: TableModel = { columns, addedColumns: t.columns.added, removedColumns, rows, summary: tableSummary(t), truncated: t.truncated, notes: t.notes.map(noteText) };
  if (title !== undefined) m.title = title;
  return m;
}

function jsonText(v: unknown, clipped?: { head: string; bytes: number }): string | undefined {
  if (clipped) return `${clipped.head}… (${clipped.bytes} bytes)`;
  return v === undefined ? undefined : JSON.stringify(v);
}

export function formatChangeText(f: FormatChange): string {
  const where = f.path ? ` at ${f.path}` : f.offset !== undefined ? ` (first difference at byte ${f.offset})` : '';
  return `${f.aspect}: ${f.a} → ${f.b}${where}`;
}

/** The page's model of any diff result. */
export function diffView(d: DiffResult): DiffView {
  const formatChanges = d.formatChanges.map(formatChangeText);
  switch (d.format) {
    case 'csv':
    case 'tsv': {
      const t = tableModel(d);
      return { kind: 'table', identical: d.identical, tables: [t], formatChanges, headline: d.identical ? 'No changes.' : t.summary };
    }
    case 'xlsx': {
      const s = d.summary;
      return { kind: 'table', identical: d.identical, tables: d.sheets.filter((x) => x.rows.length || x.summary.columnsAdded || x.summary.columnsRemoved).map((x) => tableModel(x, `sheet ${x.name}`)), formatChanges, headline: `${plural(s.sheetsChanged, 'sheet')} changed: ${plural(s.rowsAdded, 'row')} added, ${s.rowsRemoved} removed, ${s.rowsChanged} changed` };
    }
    case 'sqlite': {
      const s = d.summary;
      return { kind: 'table', identical: d.identical, tables: d.tables.filter((x) => x.rows.length).map((x) => tableModel(x, `table ${x.name}`)), formatChanges, headline: `${plural(s.tablesChanged, 'table')} changed: ${plural(s.rowsAdded, 'row')} added, ${s.rowsRemoved} removed, ${s.rowsChanged} changed` };
    }
    case 'json': {
      const rows = d.changes.map((c): JsonRowModel => {
        const r: JsonRowModel = { op: c.op, path: c.path };
        const o = jsonText(c.old, c.oldClipped);
        const n = c.op === 'reorder' ? `order ${JSON.stringify(c.order ?? [])}` : jsonText(c.new, c.newClipped);
        if (o !== undefined) r.old = o;
        if (n !== undefined) r.new = n;
        return r;
      });
      const s = d.summary;
      return { kind: 'json', identical: d.identical, rows, truncated: d.truncated, formatChanges, headline: d.identical ? 'No changes.' : `${plural(s.added, 'path')} added, ${s.removed} removed, ${s.changed} changed` };
    }
    case 'text': {
      const lines: { op: ' ' | '+' | '-'; text: string }[] = [];
      for (const h of d.hunks) for (const l of h.lines) lines.push({ op: l.op, text: l.text });
      const s = d.summary;
      return { kind: 'text', identical: d.identical, lines, truncated: d.truncated, formatChanges, headline: d.identical ? 'No changes.' : `${plural(s.added, 'line')} added, ${s.removed} removed` };
    }
    case 'binary':
      return { kind: 'binary', identical: d.identical, formatChanges, headline: d.identical ? 'No changes.' : `${plural(d.summary.bytesDiffering, 'byte')} differ in ${plural(d.summary.ranges, 'range')} (${d.a.size} → ${d.b.size} bytes)` };
  }
}
