/**
 * @savepoint/diff/browser: data-aware diffs of two byte arrays in memory, for browsers (no node: modules).
 * CSV/TSV (keyed or positional rows, columns, dialect), JSON and text are diffed as data, with the same
 * engines and result shapes as `diffFiles`; XLSX and SQLite need Node and are summarised as bytes here
 * (`fallbackFrom` says so), as is every other binary file.
 */
import { detectFormat, HEAD_BYTES, type DataFormat } from './detect.js';
import { DiffError } from './errors.js';
import { sniffDialect } from './csv/dialect.js';
import { memoryCsvSource } from './csv/rows.js';
import { diffTables } from './table/engine.js';
import { parseJson } from './json/parse.js';
import { diffJsonCounted, firstKeyOrderChange } from './json/diff.js';
import { diffLines, splitLines } from './text/diff.js';
import { clipJsonChange, MAX_CELL_BYTES } from './clip.js';
import { sha256Hasher, utf8Decode } from './bytes.js';
import { csvDialectChanges, describeCsv, describeText, guessEncoding, hasBom, jsonIndentation, sameJsonTokens, textLayoutChanges, type FormatChange } from './layout.js';
import type { BinaryDiffResult, ByteRange, DiffOptions, DiffResult, SideInfo } from './types.js';

export { DiffError, isDiffError, type DiffErrorCode } from './errors.js';
export { detectFormat, looksLikeText, type DataFormat } from './detect.js';
export { parseCsv, formatCsv, type CsvDialect } from './csv/scanner.js';
export { sniffDialect } from './csv/dialect.js';
export { parseJson, type JsonValue } from './json/parse.js';
export { diffJson, formatJsonPath, type JsonChange, type JsonPathSegment, type JsonPrimitive } from './json/diff.js';
export { diffLines, splitLines, type TextHunk, type TextLine } from './text/diff.js';
export { MAX_CELL_BYTES, isClipped, type ClippedValue } from './clip.js';
export type { FormatChange, CsvFileDialect, LineEnding, QuotingStyle, Encoding } from './layout.js';
export type { Cell } from './table/types.js';
export type { TableDiff, TableColumns, TableSummary, RowChange, CellChange, RowMatch, Note } from './table/engine.js';
export type {
  DiffOptions, DiffResult, SideInfo, TableDiffResult, JsonDiffResult, JsonResultChange, TextDiffResult, BinaryDiffResult, ByteRange,
} from './types.js';

export const DEFAULT_LIMIT = 1000;
/** Text larger than this is summarised as bytes instead of line-diffed. */
export const MAX_TEXT_BYTES = 64 * 1024 * 1024;
/** Differences closer than this are reported as one byte range (as the Node byte summary does). */
const MERGE_GAP = 64;

export interface BytesSide {
  bytes: Uint8Array;
  label?: string;
}

export type BrowserDiffOptions = DiffOptions;

function checkOptions(opts: DiffOptions): number {
  const limit = opts.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 0) throw new DiffError('E_INVALID_ARGUMENT', `limit must be a whole number ≥ 0 (got ${String(opts.limit)}).`, { limit: opts.limit });
  if (opts.tolerance !== undefined && !(opts.tolerance >= 0 && Number.isFinite(opts.tolerance))) {
    throw new DiffError('E_INVALID_ARGUMENT', `tolerance must be a finite number ≥ 0 (got ${String(opts.tolerance)}).`, { tolerance: opts.tolerance });
  }
  if (opts.maxCellBytes !== undefined && !(Number.isInteger(opts.maxCellBytes) && opts.maxCellBytes >= 16)) {
    throw new DiffError('E_INVALID_ARGUMENT', `maxCellBytes must be a whole number ≥ 16 (got ${String(opts.maxCellBytes)}).`, { maxCellBytes: opts.maxCellBytes });
  }
  return limit;
}

const decode = (buf: Uint8Array) => (hasBom(buf) ? utf8Decode(buf, 3) : utf8Decode(buf));

/** Byte summary of two arrays: sha256 of each, differing byte count, differing ranges (at most `limit` kept). */
export function diffByteArrays(a: Uint8Array, b: Uint8Array, limit: number): { shaA: string; shaB: string; bytesDiffering: number; rangeCount: number; ranges: ByteRange[] } {
  let bytesDiffering = 0;
  let rangeCount = 0;
  const ranges: ByteRange[] = [];
  let open: ByteRange | null = null;
  const mark = (off: number, len: number) => {
    bytesDiffering += len;
    if (open && off - (open.offset + open.length) <= MERGE_GAP) { open.length = off + len - open.offset; return; }
    if (open && ranges.length < limit) ranges.push(open);
    if (open) rangeCount++;
    open = { offset: off, length: len };
  };
  const common = Math.min(a.length, b.length);
  let i = 0;
  while (i < common) {
    if (a[i] === b[i]) { i++; continue; }
    const s = i;
    while (i < common && a[i] !== b[i]) i++;
    mark(s, i - s);
  }
  if (a.length !== b.length) mark(common, Math.max(a.length, b.length) - common);
  if (open) { rangeCount++; if (ranges.length < limit) ranges.push(open); }
  return { shaA: sha256Hasher().update(a).hex(), shaB: sha256Hasher().update(b).hex(), bytesDiffering, rangeCount, ranges };
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/**
 * Diff two versions of a data file held in memory; the result has the same shape as `diffFiles` gives.
 * The format comes from `opts.format`, else from `opts.name`'s extension and both sides' first bytes.
 */
export async function diffBytes(a: BytesSide, b: BytesSide, opts: DiffOptions): Promise<DiffResult> {
  const limit = checkOptions(opts);
  const maxCellBytes = opts.maxCellBytes ?? MAX_CELL_BYTES;
  const A = a.bytes;
  const B = b.bytes;
  const headA = A.subarray(0, HEAD_BYTES);
  const headB = B.subarray(0, HEAD_BYTES);
  let format: DataFormat;
  let fa: DataFormat | undefined;
  let fb: DataFormat | undefined;
  if (opts.format) format = opts.format;
  else {
    fa = detectFormat(opts.name, headA);
    fb = detectFormat(opts.name, headB);
    format = A.length === 0 ? fb : B.length === 0 ? fa : fa === fb ? fa : 'binary';
  }
  const sideA: SideInfo = { label: a.label ?? 'a', size: A.length };
  const sideB: SideInfo = { label: b.label ?? 'b', size: B.length };

  const binary = (fallbackFrom?: string): BinaryDiffResult => {
    const r = diffByteArrays(A, B, limit);
    const res: BinaryDiffResult = {
      format: 'binary',
      a: { ...sideA, sha256: r.shaA },
      b: { ...sideB, sha256: r.shaB },
      identical: r.shaA === r.shaB && A.length === B.length,
      formatChanges: [],
      summary: { bytesDiffering: r.bytesDiffering, ranges: r.rangeCount },
      ranges: r.ranges,
      truncated: r.ranges.length < r.rangeCount,
    };
    if (fallbackFrom) res.fallbackFrom = fallbackFrom;
    return res;
  };

  const diffAs = async (): Promise<DiffResult> => {
    switch (format) {
      case 'csv':
      case 'tsv': {
        const pref = format === 'tsv' ? '\t' : ',';
        const da = sniffDialect(headA, pref);
        const db = sniffDialect(headB, pref);
        const sa = memoryCsvSource(A, sideA.label, da, maxCellBytes);
        const sb = memoryCsvSource(B, sideB.label, db, maxCellBytes);
        const t = await diffTables(sa, sb, { key: opts.key, tolerance: opts.tolerance, limit, detectKey: !opts.positional });
        const dialect = { a: describeCsv(headA, A.subarray(Math.max(0, A.length - 2)), da, A.length <= headA.length), b: describeCsv(headB, B.subarray(Math.max(0, B.length - 2)), db, B.length <= headB.length) };
        const s = t.summary;
        return {
          format, a: sideA, b: sideB,
          identical: s.added + s.removed + s.changed + s.moved === 0 && t.columns.added.length + t.columns.removed.length === 0 && !t.columns.reordered && !t.rowOrderChanged,
          formatChanges: csvDialectChanges(dialect.a, dialect.b),
          dialect,
          ...t,
        };
      }
      case 'json': {
        const ta = decode(A);
        const tb = decode(B);
        const va = parseJson(ta, sideA.label);
        const vb = parseJson(tb, sideB.label);
        const { changes, counts } = diffJsonCounted(va, vb, { tolerance: opts.tolerance, limit });
        const total = counts.added + counts.removed + counts.changed + counts.reordered;
        const formatChanges: FormatChange[] = textLayoutChanges(describeText(A), describeText(B));
        if (total === 0 && A.length + B.length > 0 && firstDifference(A, B) >= 0) {
          const ia = jsonIndentation(ta);
          const ib = jsonIndentation(tb);
          if (ia !== ib) formatChanges.push({ aspect: 'indentation', a: ia, b: ib });
          const order = firstKeyOrderChange(va, vb);
          if (order) formatChanges.push({ aspect: 'key-order', a: order.a.join(', '), b: order.b.join(', '), path: order.path });
          const sameTokens = sameJsonTokens(ta, tb);
          const sizes = { a: `${A.length} bytes`, b: `${B.length} bytes` };
          if (sameTokens && formatChanges.length === 0) formatChanges.push({ aspect: 'whitespace', ...sizes });
          if (!sameTokens && !order && opts.tolerance === undefined) formatChanges.push({ aspect: 'notation', ...sizes });
        }
        return {
          format, a: sideA, b: sideB,
          identical: total === 0,
          formatChanges,
          summary: { added: counts.added, removed: counts.removed, changed: counts.changed + counts.reordered },
          changes: changes.map((c) => clipJsonChange(c, maxCellBytes)),
          truncated: total > changes.length,
        };
      }
      case 'text': {
        if (A.length > MAX_TEXT_BYTES || B.length > MAX_TEXT_BYTES) return binary('text');
        const la = splitLines(decode(A));
        const lb = splitLines(decode(B));
        const d = diffLines(la, lb, { limit });
        return {
          format, a: sideA, b: sideB,
          identical: d.added + d.removed === 0,
          formatChanges: textLayoutChanges(describeText(A), describeText(B)),
          summary: { linesA: la.length, linesB: lb.length, added: d.added, removed: d.removed, hunks: d.hunks.length },
          hunks: d.hunks,
          truncated: d.truncated,
          exact: d.exact,
        };
      }
      case 'xlsx':
      case 'sqlite':
        return binary(format); // their readers need Node (zip streams, SQLite); the CLI diffs them as data
      default: {
        const r = binary();
        if (fa && fb && fa !== fb && A.length > 0 && B.length > 0) {
          r.formatChanges.push({ aspect: 'format', a: fa, b: fb });
          const ea = guessEncoding(headA);
          const eb = guessEncoding(headB);
          if (ea !== eb) r.formatChanges.push({ aspect: 'encoding', a: ea, b: eb });
        }
        return r;
      }
    }
  };

  const result = await diffAs();
  if (result.format !== 'binary' && result.formatChanges.length === 0 && result.identical && opts.tolerance === undefined) {
    const offset = firstDifference(A, B);
    if (offset >= 0) result.formatChanges.push({ aspect: 'bytes', a: `${A.length} bytes`, b: `${B.length} bytes`, offset });
  }
  if (result.formatChanges.length > 0) result.identical = false;
  return result;
}
