/**
 * Table diffs (CSV, TSV, XLSX sheets, SQLite tables) as a side-by-side grid: each changed row once, the old
 * values on the left, the new on the right, the same columns on both sides. Pure: `tableModels` turns
 * @savepoint/diff's structured result into rows and columns, `layoutGrid` fits the columns to the terminal
 * width from a horizontal scroll offset, `gridLines` draws the visible rows as text cells. A changed cell
 * carries a `*` marker as well as its colour, so it stays visible with NO_COLOR.
 */
import type { Cell, DiffResult, RowChange, TableDiff } from '@savepoint/diff';

export type GridRowKind = 'added' | 'removed' | 'changed' | 'moved';

export interface GridRow {
  kind: GridRowKind;
  /** row reference shown at the left: `12` (b's row) or `12→14` (moved) */
  ref: string;
  /** per column: the old value, or undefined when the diff does not carry it (unchanged cell, absent row) */
  a: (string | undefined)[];
  b: (string | undefined)[];
  changed: boolean[];
}

export interface GridModel {
  /** `data.csv`, `sheet Sheet1`, `table runs` */
  title: string;
  columns: string[];
  rows: GridRow[];
  /** one line: rows added/removed/changed, cells changed, key */
  summary: string;
  truncated: boolean;
}

const MARK: Record<GridRowKind, string> = { added: '+', removed: '-', changed: '~', moved: '↕' };
export const rowMark = (k: GridRowKind) => MARK[k];

/** A cell as text: NULL for SQL NULL, a clipped value by its head and size. */
export function cellText(c: Cell | undefined): string | undefined {
  if (c === undefined) return undefined;
  if (c === null) return 'NULL';
  if (typeof c === 'string') return c;
  return `${c.head}… (${c.bytes} B)`;
}

/** One line of text per cell: newlines and tabs would break the grid. */
const flat = (s: string | undefined) => (s === undefined ? undefined : s.replace(/\r\n|\r|\n/g, '⏎').replace(/\t/g, ' '));

function model(title: string, d: TableDiff): GridModel {
  const columns = [...d.columns.b, ...d.columns.a.filter((c) => !d.columns.b.includes(c))];
  const pos = new Map(columns.map((c, i) => [c, i] as const));
  const keyCols = d.match.mode === 'keyed' ? d.match.key : [];
  const empty = () => columns.map(() => undefined as string | undefined);
  const place = (names: string[], values: Cell[]) => {
    const out = empty();
    names.forEach((n, i) => {
      const p = pos.get(n);
      if (p !== undefined) out[p] = flat(cellText(values[i]));
    });
    return out;
  };
  const rows = d.rows.map((r: RowChange): GridRow => {
    switch (r.kind) {
      case 'added':
        return { kind: 'added', ref: String(r.bRow), a: empty(), b: place(d.columns.b, r.values), changed: columns.map(() => true) };
      case 'removed':
        return { kind: 'removed', ref: String(r.aRow), a: place(d.columns.a, r.values), b: empty(), changed: columns.map(() => true) };
      case 'moved':
        return { kind: 'moved', ref: `${r.aRow}→${r.bRow}`, a: place(d.columns.b, r.values), b: place(d.columns.b, r.values), changed: columns.map(() => false) };
      case 'changed': {
        const a = empty();
        const b = empty();
        const changed = columns.map(() => false);
        if (r.key) {
          const ka = place(keyCols, r.key);
          ka.forEach((v, i) => {
            if (v !== undefined) a[i] = b[i] = v;
          });
        }
        for (const c of r.cells) {
          const p = pos.get(c.column);
          if (p === undefined) continue;
          a[p] = flat(cellText(c.old));
          b[p] = flat(cellText(c.new));
          changed[p] = true;
        }
        return { kind: 'changed', ref: String(r.bRow), a, b, changed };
      }
    }
  });
  const s = d.summary;
  const parts = [`${s.added} added`, `${s.removed} removed`, `${s.changed} changed`];
  if (s.moved) parts.push(`${s.moved} moved`);
  parts.push(`${s.cellsChanged} cells`);
  if (s.columnsAdded || s.columnsRemoved) parts.push(`columns +${s.columnsAdded} -${s.columnsRemoved}`);
  parts.push(d.match.mode === 'keyed' ? `key ${d.match.key.join(', ')}` : 'rows by position');
  return { title, columns, rows, summary: parts.join(' · ') + (d.truncated ? ` · first ${d.rows.length} shown` : ''), truncated: d.truncated };
}

/** The grids of a diff result (one per changed sheet / table); null when it is not a table diff. */
export function tableModels(result: DiffResult, name: string): GridModel[] | null {
  switch (result.format) {
    case 'csv':
    case 'tsv':
      return [model(name, result)];
    case 'xlsx':
      return result.sheets.filter((t) => t.rows.length || t.summary.columnsAdded || t.summary.columnsRemoved).map((t) => model(`sheet ${t.name}`, t));
    case 'sqlite':
      return result.tables.filter((t) => t.rows.length || t.summary.columnsAdded || t.summary.columnsRemoved).map((t) => model(`table ${t.name}`, t));
    default:
      return null;
  }
}

/** Terminal columns a string takes (wide East Asian characters and emoji count 2; combining marks 0). */
export function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0)!);
  return w;
}

function charWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}

/** Cut or pad `s` to exactly `width` terminal columns (an ellipsis marks a cut). */
export function clip(s: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(s) <= width) return s + ' '.repeat(width - textWidth(s));
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return out + '…' + ' '.repeat(Math.max(0, width - 1 - w));
}

/** Widest a column gets before its cells are cut, and the narrowest a partly visible last column is drawn. */
export const MAX_COL = 24;
export const MIN_COL = 3;
/** `+ 1234 ` in front of each row: marker, space, row reference (right-aligned), space */
const SEP = ' │ ';

export interface GridLayout {
  /** width of the row-reference column (marker included) */
  refWidth: number;
  /** visible columns (indexes into model.columns) with their widths, the same on both sides */
  columns: { index: number; width: number }[];
  /** first column shown (after clamping the offset) */
  offset: number;
  /** columns hidden left / right of the visible ones */
  hiddenLeft: number;
  hiddenRight: number;
  /** total width of one drawn line (never more than the width asked for) */
  lineWidth: number;
}

/** Natural width of each column: its header or its widest cell on either side, capped at MAX_COL. */
export function naturalWidths(m: GridModel): number[] {
  return m.columns.map((c, i) => {
    let w = textWidth(c) + 1; // room for the `*` marker
    for (const r of m.rows) {
      for (const v of [r.a[i], r.b[i]]) if (v !== undefined) w = Math.max(w, textWidth(v) + 1);
      if (w >= MAX_COL) return MAX_COL;
    }
    return Math.max(MIN_COL, Math.min(MAX_COL, w));
  });
}

/**
 * Fit the columns from `offset` into `width` terminal columns: `ref │ A-side │ B-side`, each side the same
 * columns with one space between them. Columns are taken at their natural width while they fit; the next
 * one is cut to what is left when at least MIN_COL remains. The drawn line is never wider than `width`.
 */
export function layoutGrid(natural: readonly number[], refs: readonly string[], width: number, offset: number): GridLayout {
  const refWidth = Math.min(2 + Math.max(1, ...refs.map((r) => textWidth(r))), Math.max(0, Math.floor(width / 4)));
  const side = Math.floor((width - refWidth - 2 * SEP.length) / 2);
  const count = natural.length;
  const off = Math.max(0, Math.min(offset, Math.max(0, count - 1)));
  const columns: { index: number; width: number }[] = [];
  let used = 0;
  for (let i = off; i < count && side > 0; i++) {
    const gap = columns.length ? 1 : 0;
    const room = side - used - gap;
    const w = natural[i]!;
    if (w <= room) {
      columns.push({ index: i, width: w });
      used += gap + w;
    } else {
      if (room >= MIN_COL || columns.length === 0) {
        if (room > 0) {
          columns.push({ index: i, width: room });
          used += gap + room;
        }
      }
      break;
    }
  }
  const lineWidth = side > 0 && columns.length ? refWidth + 2 * SEP.length + 2 * used : Math.min(width, refWidth);
  const last = columns.length ? columns[columns.length - 1]!.index : off - 1;
  return { refWidth, columns, offset: off, hiddenLeft: off, hiddenRight: Math.max(0, count - 1 - last), lineWidth };
}

/** One drawn piece of a grid line: `changed` pieces get the highlight colour. */
export interface GridSpan {
  text: string;
  changed?: boolean;
  side?: 'a' | 'b' | 'ref' | 'sep';
}

function sideSpans(values: (string | undefined)[], changed: boolean[], layout: GridLayout, side: 'a' | 'b', absent: boolean): GridSpan[] {
  const out: GridSpan[] = [];
  layout.columns.forEach((c, n) => {
    if (n) out.push({ text: ' ' });
    const v = values[c.index];
    const ch = changed[c.index]! && !absent;
    // `*` marks a changed cell without colour; an absent row (added: no old side) is left blank
    const text = absent ? '' : (ch ? '*' : ' ') + (v ?? (ch ? '∅' : ''));
    out.push({ text: clip(text, c.width), ...(ch ? { changed: true } : {}), side });
  });
  return out;
}

/** The header line and one line per row, as spans; every line is exactly `layout.lineWidth` wide. */
export function gridLines(m: GridModel, layout: GridLayout, rows: readonly GridRow[]): { header: GridSpan[]; lines: GridSpan[][] } {
  const sep: GridSpan = { text: SEP, side: 'sep' };
  const head = (n: number) => layout.columns.flatMap((c, i) => [...(i ? [{ text: ' ' }] : []), { text: clip(' ' + m.columns[c.index]!, c.width) }]).slice(0, n || undefined);
  const header: GridSpan[] = layout.columns.length ? [{ text: clip('row', layout.refWidth), side: 'ref' }, sep, ...head(0), sep, ...head(0)] : [{ text: clip('row', layout.refWidth), side: 'ref' }];
  const lines = rows.map((r) => {
    const ref: GridSpan = { text: clip(`${MARK[r.kind]} ${r.ref}`, layout.refWidth), side: 'ref' };
    if (!layout.columns.length) return [ref];
    return [ref, sep, ...sideSpans(r.a, r.changed, layout, 'a', r.kind === 'added'), sep, ...sideSpans(r.b, r.changed, layout, 'b', r.kind === 'removed')];
  });
  return { header, lines };
}

/** Every cell of one row (Enter on a row): `column  old → new`, changed cells marked and listed first. */
export function rowDetail(m: GridModel, r: GridRow): string[] {
  const w = Math.min(MAX_COL, Math.max(...m.columns.map((c) => textWidth(c)), 6));
  const changed: string[] = [];
  const same: string[] = [];
  m.columns.forEach((c, i) => {
    const a = r.a[i];
    const b = r.b[i];
    const name = clip(c, w);
    if (r.kind === 'added') changed.push(`* ${name}  ${b ?? ''}`);
    else if (r.kind === 'removed') changed.push(`* ${name}  ${a ?? ''}`);
    else if (r.changed[i]) changed.push(`* ${name}  ${a ?? '∅'} → ${b ?? '∅'}`);
    else same.push(`  ${name}  ${b ?? a ?? '(unchanged)'}`);
  });
  return [`${MARK[r.kind]} row ${r.ref} (${r.kind})`, ...changed, ...same];
}
