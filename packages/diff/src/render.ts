import { messages as m } from './messages.js';
import type { Cell } from './table/types.js';
import type { TableDiff, RowChange } from './table/engine.js';
import type { DiffResult } from './types.js';
import { clipJson, type ClippedValue } from './clip.js';
import type { JsonValue } from './json/parse.js';

export interface RenderOptions {
  color: boolean;
  /** Maximum number of change lines (rows / paths / diff lines / ranges) printed per table. */
  limit?: number;
  /** Only the summary line(s). */
  stat?: boolean;
}

const ESC = '\u001b[';
type Paint = (s: string) => string;

function painter(color: boolean) {
  const wrap = (code: string): Paint => (color ? (s) => `${ESC}${code}m${s}${ESC}0m` : (s) => s);
  return { add: wrap('32'), del: wrap('31'), chg: wrap('33'), head: wrap('1'), meta: wrap('36'), dim: wrap('2') };
}

const clippedText = (v: ClippedValue) => m.clipped(v.head, v.bytes, v.sha256);
const cellText = (v: Cell | undefined): string => (v === undefined ? m.absent : v === null ? m.nullValue : typeof v === 'object' ? clippedText(v) : JSON.stringify(v));
const rowText = (values: readonly Cell[]) => values.map((v) => (v === null ? m.nullValue : typeof v === 'object' ? clippedText(v) : v)).join(', ');
/** JSON values in a result are small (larger ones are clipped), but a caller may render its own result: stay safe. */
const jsonText = (v: JsonValue | undefined, clipped: ClippedValue | undefined): string => {
  if (clipped) return clippedText(clipped);
  const c = clipJson(v);
  return 'clipped' in c ? clippedText(c.clipped) : JSON.stringify(v);
};
/** Paths of very deep changes keep their start and end. */
const MAX_PATH = 400;
function pathText(path: string, segments: number): string {
  return path.length <= MAX_PATH ? path : m.longPath(path.slice(0, MAX_PATH / 2), segments, path.slice(-MAX_PATH / 2));
}

function renderTable(t: TableDiff, p: ReturnType<typeof painter>, opts: RenderOptions, out: string[]): void {
  if (!opts.stat) {
    out.push(p.meta(t.match.mode === 'keyed' ? m.matchKeyed(t.match.key, t.match.keySource) : m.matchPositional));
    for (const c of t.columns.added) out.push(p.add(m.columnAdded(c)));
    for (const c of t.columns.removed) out.push(p.del(m.columnRemoved(c)));
    if (t.columns.reordered) out.push(p.chg(m.columnsReordered(t.columns.b)));
    for (const n of t.notes) out.push(p.dim(m.note(n)));
    const limit = Math.min(opts.limit ?? Infinity, t.rows.length);
    for (let i = 0; i < limit; i++) renderRow(t.rows[i]!, t.match.mode === 'keyed' ? t.match.key : [], p, out);
    const total = t.summary.added + t.summary.removed + t.summary.changed + t.summary.moved;
    if (total > limit) out.push(p.dim(m.more(total - limit)));
  }
  out.push(m.tableSummary({ ...t.summary }));
}

function renderRow(r: RowChange, names: string[], p: ReturnType<typeof painter>, out: string[]): void {
  const keyStrs = 'key' in r && r.key ? r.key.map((k) => (k === null ? m.nullValue : typeof k === 'object' ? clippedText(k) : k)) : undefined;
  switch (r.kind) {
    case 'added': out.push(p.add(m.rowAdded(m.rowRef(names, keyStrs, r.bRow), rowText(r.values)))); break;
    case 'removed': out.push(p.del(m.rowRemoved(m.rowRef(names, keyStrs, r.aRow), rowText(r.values)))); break;
    case 'moved': out.push(p.chg(m.rowMoved(r.aRow, r.bRow, rowText(r.values)))); break;
    case 'changed':
      out.push(p.chg(m.rowChanged(m.rowRef(names, keyStrs, r.bRow))));
      for (const c of r.cells) out.push(p.chg(m.cellChange(c.column, cellText(c.old), cellText(c.new))));
      break;
  }
}

/** Human, git-like lines for a diff result. With `color: false` no escape sequence is emitted. */
export function renderDiff(result: DiffResult, opts: RenderOptions): string[] {
  const p = painter(opts.color);
  const out: string[] = [];
  if (!opts.stat) {
    out.push(p.head(m.header(result.format, result.a.label, result.b.label)));
    out.push(p.del(m.sideA(result.a.label)));
    out.push(p.add(m.sideB(result.b.label)));
  }
  if (result.identical) {
    out.push(m.identical);
    return out;
  }
  if (!opts.stat) for (const c of result.formatChanges) out.push(p.chg(m.formatChange(c)));
  const limit = opts.limit ?? Infinity;
  switch (result.format) {
    case 'csv':
    case 'tsv':
      renderTable(result, p, opts, out);
      break;
    case 'xlsx':
      if (!opts.stat) {
        for (const s of result.sheetsAdded) out.push(p.add(m.sheetAdded(s)));
        for (const s of result.sheetsRemoved) out.push(p.del(m.sheetRemoved(s)));
        for (const s of result.sheets) {
          const changed = s.summary.added + s.summary.removed + s.summary.changed + s.summary.moved + s.columns.added.length + s.columns.removed.length > 0;
          if (!changed) continue;
          out.push(p.head(m.sheet(s.name)));
          renderTable(s, p, opts, out);
        }
      }
      out.push(m.xlsxSummary(result.summary));
      break;
    case 'sqlite':
      if (!opts.stat) {
        for (const t of result.tablesAdded) out.push(p.add(m.tableAdded(t)));
        for (const t of result.tablesRemoved) out.push(p.del(m.tableRemoved(t)));
        for (const t of result.tables) {
          const schemaChanged = t.schema.added.length + t.schema.removed.length + t.schema.changed.length > 0;
          if (!schemaChanged && t.summary.added + t.summary.removed + t.summary.changed === 0) continue;
          out.push(p.head(m.table(t.name)));
          for (const c of t.schema.added) out.push(p.add(m.schemaAdded(c.name, c.type)));
          for (const c of t.schema.removed) out.push(p.del(m.schemaRemoved(c.name, c.type)));
          for (const c of t.schema.changed) out.push(p.chg(m.schemaChanged(c.name, `${c.old.type}${c.old.notNull ? ' NOT NULL' : ''}${c.old.pk ? ' PK' : ''}`, `${c.new.type}${c.new.notNull ? ' NOT NULL' : ''}${c.new.pk ? ' PK' : ''}`)));
          renderTable(t, p, opts, out);
        }
      }
      out.push(m.sqliteSummary(result.summary));
      break;
    case 'json':
      if (!opts.stat) {
        const n = Math.min(limit, result.changes.length);
        for (let i = 0; i < n; i++) {
          const c = result.changes[i]!;
          const path = pathText(c.path, c.segments.length);
          if (c.op === 'add') out.push(p.add(m.jsonAdd(path, jsonText(c.new, c.newClipped))));
          else if (c.op === 'remove') out.push(p.del(m.jsonRemove(path, jsonText(c.old, c.oldClipped))));
          else if (c.op === 'change') out.push(p.chg(m.jsonChange(path, jsonText(c.old, c.oldClipped), jsonText(c.new, c.newClipped))));
          else out.push(p.chg(m.jsonReorder(path)));
        }
        const total = result.summary.added + result.summary.removed + result.summary.changed;
        if (total > n) out.push(p.dim(m.more(total - n)));
      }
      out.push(m.jsonSummary(result.summary));
      break;
    case 'text':
      if (!opts.stat) {
        if (!result.exact) out.push(p.dim(m.textApprox));
        let shown = 0;
        outer: for (const h of result.hunks) {
          out.push(p.meta(m.hunk(h.aStart, h.aLines, h.bStart, h.bLines)));
          for (const l of h.lines) {
            if (l.op !== ' ' && shown >= limit) break outer;
            if (l.op !== ' ') shown++;
            out.push(l.op === '+' ? p.add(`+${l.text}`) : l.op === '-' ? p.del(`-${l.text}`) : ` ${l.text}`);
          }
        }
        const total = result.summary.added + result.summary.removed;
        if (total > shown) out.push(p.dim(m.more(total - shown)));
      }
      out.push(m.textSummary(result.summary));
      break;
    case 'binary':
      if (!opts.stat) {
        if (result.fallbackFrom) out.push(p.dim(m.binaryFallback(result.fallbackFrom)));
        out.push(m.binarySize(result.a.size, result.b.size));
        out.push(m.binarySha(result.a.sha256, result.b.sha256));
        const n = Math.min(limit, result.ranges.length);
        for (let i = 0; i < n; i++) out.push(p.chg(m.binaryRange(result.ranges[i]!.offset, result.ranges[i]!.length)));
        if (result.summary.ranges > n) out.push(p.dim(m.more(result.summary.ranges - n)));
      }
      out.push(m.binarySummary(result.summary));
      break;
  }
  if (result.formatChanges.length > 0) out.push(m.formatSummary(result.formatChanges));
  return out;
}
