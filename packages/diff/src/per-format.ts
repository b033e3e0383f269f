/**
 * The per-format steps shared by `diffFiles` (Node, files on disk) and `diffBytes` (browser, bytes in
 * memory): option checks, format choice, and turning already-read/parsed sides into results. Callers do
 * the I/O; nothing here imports a node: module (it is part of `@savepoint/diff/browser`).
 */
import { detectFormat, type DataFormat } from './detect.js';
import { sniffDialect } from './csv/dialect.js';
import type { CsvDialect } from './csv/scanner.js';
import { DiffError } from './errors.js';
import type { TableDiff } from './table/engine.js';
import type { JsonValue } from './json/parse.js';
import { diffJsonCounted, firstKeyOrderChange } from './json/diff.js';
import { diffLines } from './text/diff.js';
import { clipJsonChange } from './clip.js';
import {
  csvDialectChanges, guessEncoding, jsonIndentation, sameJsonTokens, textLayoutChanges,
  type CsvFileDialect, type FormatChange, type TextLayout,
} from './layout.js';
import type { BinaryDiffResult, ByteRange, DiffOptions, DiffResult, SideInfo } from './types.js';

export const DEFAULT_LIMIT = 1000;
/** Text larger than this is summarised as bytes instead of line-diffed. */
export const MAX_TEXT_BYTES = 64 * 1024 * 1024;
/** Differences closer than this are reported as one byte range. */
const MERGE_GAP = 64;

/** Validate the options both entry points take; returns the row/change limit. */
export function checkOptions(opts: DiffOptions): number {
  const limit = opts.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 0) throw new DiffError('E_INVALID_ARGUMENT', `limit must be a whole number ≥ 0 (got ${String(opts.limit)}).`, { limit: opts.limit });
  if (opts.tolerance !== undefined && !(opts.tolerance >= 0 && Number.isFinite(opts.tolerance))) {
    throw new DiffError('E_INVALID_ARGUMENT', `tolerance must be a finite number ≥ 0 (got ${String(opts.tolerance)}).`, { tolerance: opts.tolerance });
  }
  if (opts.maxCellBytes !== undefined && !(Number.isInteger(opts.maxCellBytes) && opts.maxCellBytes >= 16)) {
    throw new DiffError('E_INVALID_ARGUMENT', `maxCellBytes must be a whole number ≥ 16 (got ${String(opts.maxCellBytes)}).`, { maxCellBytes: opts.maxCellBytes });
  }
  if (opts.key && (opts.key.length === 0 || opts.key.some((k) => typeof k !== 'string'))) {
    throw new DiffError('E_INVALID_ARGUMENT', 'key must list one or more column names.', { key: opts.key });
  }
  return limit;
}

/** The format to diff as: `opts.format`, else both sides' detection (an empty side takes the other's; disagreement means binary). */
export function chooseFormat(opts: DiffOptions, headA: Uint8Array, headB: Uint8Array, sizeA: number, sizeB: number): { format: DataFormat; fa?: DataFormat; fb?: DataFormat } {
  if (opts.format) return { format: opts.format };
  const fa = detectFormat(opts.name, headA);
  const fb = detectFormat(opts.name, headB);
  return { format: sizeA === 0 ? fb : sizeB === 0 ? fa : fa === fb ? fa : 'binary', fa, fb };
}

/**
 * Collects differing byte runs (given in ascending offset order) into ranges, coalescing runs closer than
 * MERGE_GAP; keeps at most `limit` ranges while counting them all.
 */
export class ByteRanges {
  bytesDiffering = 0;
  rangeCount = 0;
  readonly ranges: ByteRange[] = [];
  private open: ByteRange | null = null;
  constructor(private readonly limit: number) {}

  mark(off: number, len: number): void {
    this.bytesDiffering += len;
    const open = this.open;
    if (open && off - (open.offset + open.length) <= MERGE_GAP) { open.length = off + len - open.offset; return; }
    this.close();
    this.open = { offset: off, length: len };
  }

  /** Close the range being extended (call once after the last mark). */
  close(): void {
    if (!this.open) return;
    this.rangeCount++;
    if (this.ranges.length < this.limit) this.ranges.push(this.open);
    this.open = null;
  }
}

/** The binary result for two sides' byte summaries. */
export function binaryResult(
  a: SideInfo, b: SideInfo,
  r: { shaA: string; shaB: string; bytesDiffering: number; rangeCount: number; ranges: ByteRange[] },
  fallbackFrom?: string,
): BinaryDiffResult {
  const res: BinaryDiffResult = {
    format: 'binary',
    a: { ...a, sha256: r.shaA },
    b: { ...b, sha256: r.shaB },
    identical: r.shaA === r.shaB && a.size === b.size,
    formatChanges: [],
    summary: { bytesDiffering: r.bytesDiffering, ranges: r.rangeCount },
    ranges: r.ranges,
    truncated: r.ranges.length < r.rangeCount,
  };
  if (fallbackFrom) res.fallbackFrom = fallbackFrom;
  return res;
}

/** Two sides detected as different formats (a CSV that became binary): say so on the binary result. */
export function noteFormatMismatch(r: BinaryDiffResult, fa: DataFormat | undefined, fb: DataFormat | undefined, headA: Uint8Array, headB: Uint8Array): BinaryDiffResult {
  if (fa && fb && fa !== fb && r.a.size > 0 && r.b.size > 0) {
    r.formatChanges.push({ aspect: 'format', a: fa, b: fb });
    const ea = guessEncoding(headA);
    const eb = guessEncoding(headB);
    if (ea !== eb) r.formatChanges.push({ aspect: 'encoding', a: ea, b: eb });
  }
  return r;
}

/** Both sides' CSV dialects from their first bytes (TSV prefers tabs). */
export function sniffDialects(format: 'csv' | 'tsv', headA: Uint8Array, headB: Uint8Array): [CsvDialect, CsvDialect] {
  const pref = format === 'tsv' ? '\t' : ',';
  return [sniffDialect(headA, pref), sniffDialect(headB, pref)];
}

/** The CSV/TSV result from a table diff and both sides' file dialects. */
export function tableResult(format: 'csv' | 'tsv', a: SideInfo, b: SideInfo, t: TableDiff, dialect: { a: CsvFileDialect; b: CsvFileDialect }): DiffResult {
  const s = t.summary;
  return {
    format, a, b,
    identical: s.added + s.removed + s.changed + s.moved === 0 && t.columns.added.length + t.columns.removed.length === 0 && !t.columns.reordered && !t.rowOrderChanged,
    formatChanges: csvDialectChanges(dialect.a, dialect.b),
    dialect,
    ...t,
  };
}

/** One JSON side as read: its decoded text and the layout and size of its bytes. */
export interface JsonSide {
  text: string;
  layout: TextLayout;
  bytes: number;
}

/** The JSON result; `bytesDiffer` says whether the two sides' bytes differ at all. */
export function jsonResult(
  a: SideInfo, b: SideInfo, sa: JsonSide, sb: JsonSide, va: JsonValue, vb: JsonValue, bytesDiffer: boolean,
  opts: DiffOptions, limit: number, maxCellBytes: number,
): DiffResult {
  const { changes, counts } = diffJsonCounted(va, vb, { tolerance: opts.tolerance, limit });
  const total = counts.added + counts.removed + counts.changed + counts.reordered;
  const formatChanges: FormatChange[] = textLayoutChanges(sa.layout, sb.layout);
  if (total === 0 && sa.bytes + sb.bytes > 0 && bytesDiffer) {
    const ia = jsonIndentation(sa.text);
    const ib = jsonIndentation(sb.text);
    if (ia !== ib) formatChanges.push({ aspect: 'indentation', a: ia, b: ib });
    const order = firstKeyOrderChange(va, vb);
    if (order) formatChanges.push({ aspect: 'key-order', a: order.a.join(', '), b: order.b.join(', '), path: order.path });
    const sameTokens = sameJsonTokens(sa.text, sb.text);
    const sizes = { a: `${sa.bytes} bytes`, b: `${sb.bytes} bytes` };
    if (sameTokens && formatChanges.length === 0) formatChanges.push({ aspect: 'whitespace', ...sizes });
    if (!sameTokens && !order && opts.tolerance === undefined) formatChanges.push({ aspect: 'notation', ...sizes });
  }
  return {
    format: 'json', a, b,
    identical: total === 0,
    formatChanges,
    summary: { added: counts.added, removed: counts.removed, changed: counts.changed + counts.reordered },
    changes: changes.map((c) => clipJsonChange(c, maxCellBytes)),
    truncated: total > changes.length,
  };
}

/** The text result from both sides' lines and byte layouts. */
export function textResult(a: SideInfo, b: SideInfo, la: string[], lb: string[], layoutA: TextLayout, layoutB: TextLayout, limit: number): DiffResult {
  const d = diffLines(la, lb, { limit });
  return {
    format: 'text', a, b,
    identical: d.added + d.removed === 0,
    formatChanges: textLayoutChanges(layoutA, layoutB),
    summary: { linesA: la.length, linesB: lb.length, added: d.added, removed: d.removed, hunks: d.hunks.length },
    hunks: d.hunks,
    truncated: d.truncated,
    exact: d.exact,
  };
}

/**
 * A difference below the data level is still a difference: when a data result is identical with no format
 * change (and no tolerance, under which numbers differ in bytes by design), add what `below` finds (where
 * the bytes first differ, or XLSX parts). Any format change makes the result not identical.
 */
export async function finishResult(result: DiffResult, opts: DiffOptions, below: () => FormatChange[] | Promise<FormatChange[]>): Promise<DiffResult> {
  if (result.format !== 'binary' && result.formatChanges.length === 0 && result.identical && opts.tolerance === undefined) {
    result.formatChanges.push(...(await below()));
  }
  if (result.formatChanges.length > 0) result.identical = false;
  return result;
}
