/**
 * @savepoint/diff/browser: data-aware diffs of two byte arrays in memory, for browsers (no node: modules).
 * CSV/TSV (keyed or positional rows, columns, dialect), JSON and text are diffed as data, with the same
 * engines and result shapes as `diffFiles`; XLSX and SQLite need Node and are summarised as bytes here
 * (`fallbackFrom` says so), as is every other binary file.
 */
import { HEAD_BYTES } from './detect.js';
import { memoryCsvSource } from './csv/rows.js';
import { diffTables } from './table/engine.js';
import { parseJson } from './json/parse.js';
import { splitLines } from './text/diff.js';
import { MAX_CELL_BYTES } from './clip.js';
import { sha256Hasher, utf8Decode } from './bytes.js';
import { describeCsv, describeText, hasBom } from './layout.js';
import {
  ByteRanges, binaryResult, checkOptions, chooseFormat, finishResult, jsonResult, MAX_TEXT_BYTES, noteFormatMismatch, sniffDialects, tableResult, textResult,
} from './per-format.js';
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

export { DEFAULT_LIMIT, MAX_TEXT_BYTES } from './per-format.js';

export interface BytesSide {
  bytes: Uint8Array;
  label?: string;
}

export type BrowserDiffOptions = DiffOptions;

const decode = (buf: Uint8Array) => (hasBom(buf) ? utf8Decode(buf, 3) : utf8Decode(buf));

/** Byte summary of two arrays: sha256 of each, differing byte count, differing ranges (at most `limit` kept). */
export function diffByteArrays(a: Uint8Array, b: Uint8Array, limit: number): { shaA: string; shaB: string; bytesDiffering: number; rangeCount: number; ranges: ByteRange[] } {
  const r = new ByteRanges(limit);
  const common = Math.min(a.length, b.length);
  let i = 0;
  while (i < common) {
    if (a[i] === b[i]) { i++; continue; }
    const s = i;
    while (i < common && a[i] !== b[i]) i++;
    r.mark(s, i - s);
  }
  if (a.length !== b.length) r.mark(common, Math.max(a.length, b.length) - common);
  r.close();
  return { shaA: sha256Hasher().update(a).hex(), shaB: sha256Hasher().update(b).hex(), bytesDiffering: r.bytesDiffering, rangeCount: r.rangeCount, ranges: r.ranges };
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
  const { format, fa, fb } = chooseFormat(opts, headA, headB, A.length, B.length);
  const sideA: SideInfo = { label: a.label ?? 'a', size: A.length };
  const sideB: SideInfo = { label: b.label ?? 'b', size: B.length };
  const binary = (fallbackFrom?: string): BinaryDiffResult => binaryResult(sideA, sideB, diffByteArrays(A, B, limit), fallbackFrom);

  const diffAs = async (): Promise<DiffResult> => {
    switch (format) {
      case 'csv':
      case 'tsv': {
        const [da, db] = sniffDialects(format, headA, headB);
        const sa = memoryCsvSource(A, sideA.label, da, maxCellBytes);
        const sb = memoryCsvSource(B, sideB.label, db, maxCellBytes);
        const t = await diffTables(sa, sb, { key: opts.key, tolerance: opts.tolerance, limit, detectKey: !opts.positional });
        const dialect = { a: describeCsv(headA, A.subarray(Math.max(0, A.length - 2)), da, A.length <= headA.length), b: describeCsv(headB, B.subarray(Math.max(0, B.length - 2)), db, B.length <= headB.length) };
        return tableResult(format, sideA, sideB, t, dialect);
      }
      case 'json': {
        const sa = { text: decode(A), layout: describeText(A), bytes: A.length };
        const sb = { text: decode(B), layout: describeText(B), bytes: B.length };
        const va = parseJson(sa.text, sideA.label);
        const vb = parseJson(sb.text, sideB.label);
        return jsonResult(sideA, sideB, sa, sb, va, vb, firstDifference(A, B) >= 0, opts, limit, maxCellBytes);
      }
      case 'text':
        if (A.length > MAX_TEXT_BYTES || B.length > MAX_TEXT_BYTES) return binary('text');
        return textResult(sideA, sideB, splitLines(decode(A)), splitLines(decode(B)), describeText(A), describeText(B), limit);
      case 'xlsx':
      case 'sqlite':
        return binary(format); // their readers need Node (zip streams, SQLite); the CLI diffs them as data
      default:
        return noteFormatMismatch(binary(), fa, fb, headA, headB);
    }
  };

  return finishResult(await diffAs(), opts, () => {
    const offset = firstDifference(A, B);
    return offset >= 0 ? [{ aspect: 'bytes', a: `${A.length} bytes`, b: `${B.length} bytes`, offset }] : [];
  });
}
