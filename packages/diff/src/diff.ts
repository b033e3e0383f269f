import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { detectFormat, type DataFormat } from './detect.js';
import { readHead } from './detect-file.js';
import { DiffError, fromNodeError } from './errors.js';
import { sniffDialect } from './csv/dialect.js';
import { openCsvSource } from './csv/source.js';
import { diffTables } from './table/engine.js';
import { parseJson } from './json/parse.js';
import { diffJsonCounted, firstKeyOrderChange } from './json/diff.js';
import { diffLines, splitLines } from './text/diff.js';
import { diffBytes, firstDifference } from './binary/diff.js';
import { clipJsonChange, MAX_CELL_BYTES } from './clip.js';
import {
  csvDialectChanges, describeCsv, describeText, guessEncoding, hasBom, jsonIndentation, sameJsonTokens, sqliteHeaderChanges,
  textLayoutChanges, type FormatChange,
} from './layout.js';
import type { DiffOptions, DiffResult, DiffSide, SideInfo, BinaryDiffResult } from './types.js';

export const DEFAULT_LIMIT = 1000;
/** Text files larger than this are summarised as bytes instead of line-diffed. */
export const MAX_TEXT_BYTES = 64 * 1024 * 1024;

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    throw fromNodeError(e, path);
  }
}

function checkOptions(opts: DiffOptions): number {
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

async function binary(a: SideInfo & { path: string }, b: SideInfo & { path: string }, limit: number, fallbackFrom?: string): Promise<BinaryDiffResult> {
  const r = await diffBytes(a.path, b.path, limit);
  const res: BinaryDiffResult = {
    format: 'binary',
    a: { label: a.label, size: r.sizeA, sha256: r.shaA },
    b: { label: b.label, size: r.sizeB, sha256: r.shaB },
    identical: r.shaA === r.shaB && r.sizeA === r.sizeB,
    formatChanges: [],
    summary: { bytesDiffering: r.bytesDiffering, ranges: r.rangeCount },
    ranges: r.ranges,
    truncated: r.ranges.length < r.rangeCount,
  };
  if (fallbackFrom) res.fallbackFrom = fallbackFrom;
  return res;
}

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw fromNodeError(e, path);
  }
}

const decode = (buf: Buffer) => (hasBom(buf) ? buf.toString('utf8', 3) : buf.toString('utf8'));

/** A JSON file's text and what its bytes look like; the raw bytes are not kept. */
async function readJsonSide(path: string) {
  const raw = await readBytes(path);
  const text = decode(raw);
  return { text, layout: describeText(raw), bytes: raw.length, sha256: createHash('sha256').update(raw).digest('hex'), indentation: jsonIndentation(text) };
}

/** The last two bytes of a file (fewer when it is shorter). */
async function tailOf(path: string, size: number): Promise<Buffer> {
  return size === 0 ? Buffer.alloc(0) : readHead(path, Math.min(2, size), size - Math.min(2, size));
}

/**
 * Data-level identical but maybe written differently: the last resort says where the bytes first differ,
 * so a diff of two byte-different files is never "identical".
 */
async function bytesChange(a: { path: string; size: number }, b: { path: string; size: number }): Promise<FormatChange[]> {
  const offset = await firstDifference(a.path, b.path);
  if (offset < 0) return [];
  return [{ aspect: 'bytes', a: `${a.size} bytes`, b: `${b.size} bytes`, offset }];
}

/** XLSX: which zip parts differ (by CRC-32 and size) when no cell did. */
async function xlsxPartChanges(pa: string, pb: string): Promise<FormatChange[]> {
  const { readZipDirectory } = await import('./xlsx/zip.js');
  type ZipEntry = Awaited<ReturnType<typeof readZipDirectory>>[number];
  try {
    const files = (es: { name: string }[]) => es.filter((e) => !e.name.endsWith('/')); // directory entries hold nothing
    const [ea, eb] = (await Promise.all([readZipDirectory(pa), readZipDirectory(pb)])).map(files) as [ZipEntry[], ZipEntry[]];
    const mb = new Map(eb.map((e) => [e.name, e] as const));
    const ma = new Map(ea.map((e) => [e.name, e] as const));
    const parts = [
      ...ea.filter((e) => { const o = mb.get(e.name); return !o || o.crc32 !== e.crc32 || o.size !== e.size; }).map((e) => e.name),
      ...eb.filter((e) => !ma.has(e.name)).map((e) => e.name),
    ].sort();
    return parts.length ? [{ aspect: 'parts', a: `${ea.length} parts`, b: `${eb.length} parts`, parts }] : [];
  } catch {
    return []; // not readable as a zip here: the bytes fallback still reports the difference
  }
}

/**
 * Diff two versions of a data file on disk and return a JSON-serialisable, format-aware result.
 * The format comes from `opts.format`, else from `opts.name`'s extension and both files' first bytes
 * (if the two sides disagree, e.g. a CSV that became binary, the byte summary is used).
 */
export async function diffFiles(a: DiffSide, b: DiffSide, opts: DiffOptions): Promise<DiffResult> {
  const limit = checkOptions(opts);
  const maxCellBytes = opts.maxCellBytes ?? MAX_CELL_BYTES;
  const [headA, headB, sizeA, sizeB] = await Promise.all([readHead(a.path), readHead(b.path), sizeOf(a.path), sizeOf(b.path)]);
  let format: DataFormat;
  let fa: DataFormat | undefined;
  let fb: DataFormat | undefined;
  if (opts.format) format = opts.format;
  else {
    fa = detectFormat(opts.name, headA);
    fb = detectFormat(opts.name, headB);
    format = sizeA === 0 ? fb : sizeB === 0 ? fa : fa === fb ? fa : 'binary';
  }
  const A = { path: a.path, label: a.label ?? a.path, size: sizeA };
  const B = { path: b.path, label: b.label ?? b.path, size: sizeB };
  const sideA: SideInfo = { label: A.label, size: sizeA };
  const sideB: SideInfo = { label: B.label, size: sizeB };
  const result = await diffAs(format);
  // A difference below the data level is still a difference; with a tolerance, unexplained bytes are not
  // reported (numbers within the tolerance differ in bytes by design).
  if (result.format !== 'binary' && result.formatChanges.length === 0 && result.identical && opts.tolerance === undefined) {
    const more = result.format === 'xlsx' ? await xlsxPartChanges(A.path, B.path) : [];
    result.formatChanges.push(...(more.length ? more : await bytesChange(A, B)));
  }
  if (result.formatChanges.length > 0) result.identical = false;
  return result;

  async function diffAs(format: DataFormat): Promise<DiffResult> {
    switch (format) {
      case 'csv':
      case 'tsv': {
        const pref = format === 'tsv' ? '\t' : ',';
        const da = sniffDialect(headA, pref);
        const db = sniffDialect(headB, pref);
        const [sa, sb] = await Promise.all([openCsvSource(A.path, A.label, da, maxCellBytes), openCsvSource(B.path, B.label, db, maxCellBytes)]);
        const t = await diffTables(sa, sb, { key: opts.key, tolerance: opts.tolerance, limit, detectKey: !opts.positional });
        const [la, lb] = await Promise.all([tailOf(A.path, sizeA), tailOf(B.path, sizeB)]);
        const dialect = { a: describeCsv(headA, la, da, sizeA <= headA.length), b: describeCsv(headB, lb, db, sizeB <= headB.length) };
        const formatChanges = csvDialectChanges(dialect.a, dialect.b);
        const s = t.summary;
        return {
          format, a: sideA, b: sideB,
          identical: s.added + s.removed + s.changed + s.moved === 0 && t.columns.added.length + t.columns.removed.length === 0 && !t.columns.reordered && !t.rowOrderChanged,
          formatChanges,
          dialect,
          ...t,
        };
      }
      case 'json': {
        // Raw bytes only long enough to describe their layout; then the texts (as JSON.parse needs them).
        const sides = await Promise.all([readJsonSide(A.path), readJsonSide(B.path)]);
        const [sa, sb] = sides;
        const va = parseJson(sa.text, A.label);
        const vb = parseJson(sb.text, B.label);
        const { changes, counts } = diffJsonCounted(va, vb, { tolerance: opts.tolerance, limit });
        const total = counts.added + counts.removed + counts.changed + counts.reordered;
        const formatChanges = textLayoutChanges(sa.layout, sb.layout);
        if (total === 0 && sa.bytes + sb.bytes > 0 && (sa.bytes !== sb.bytes || sa.sha256 !== sb.sha256)) {
          if (sa.indentation !== sb.indentation) formatChanges.push({ aspect: 'indentation', a: sa.indentation, b: sb.indentation });
          const order = firstKeyOrderChange(va, vb);
          if (order) formatChanges.push({ aspect: 'key-order', a: order.a.join(', '), b: order.b.join(', '), path: order.path });
          const sameTokens = sameJsonTokens(sa.text, sb.text);
          const sizes = { a: `${sa.bytes} bytes`, b: `${sb.bytes} bytes` };
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
        if (sizeA > MAX_TEXT_BYTES || sizeB > MAX_TEXT_BYTES) return binary(A, B, limit, 'text');
        const [ra, rb] = await Promise.all([readBytes(A.path), readBytes(B.path)]);
        const la = splitLines(decode(ra));
        const lb = splitLines(decode(rb));
        const d = diffLines(la, lb, { limit });
        return {
          format, a: sideA, b: sideB,
          identical: d.added + d.removed === 0,
          formatChanges: textLayoutChanges(describeText(ra), describeText(rb)),
          summary: { linesA: la.length, linesB: lb.length, added: d.added, removed: d.removed, hunks: d.hunks.length },
          hunks: d.hunks,
          truncated: d.truncated,
          exact: d.exact,
        };
      }
      case 'xlsx': {
        const { diffXlsx } = await import('./xlsx/diff.js');
        return { ...(await diffXlsx(A, B, { key: opts.key, tolerance: opts.tolerance, limit, detectKey: !opts.positional, maxCellBytes })), a: sideA, b: sideB };
      }
      case 'sqlite': {
        const { diffSqlite } = await import('./sqlite/diff.js');
        const r = await diffSqlite(A, B, { tolerance: opts.tolerance, limit, maxCellBytes });
        return { ...r, formatChanges: sqliteHeaderChanges(headA, headB), a: sideA, b: sideB };
      }
      default: {
        const r = await binary(A, B, limit);
        // Two sides detected as different formats (a CSV that became binary): say so.
        if (fa && fb && fa !== fb && sizeA > 0 && sizeB > 0) {
          r.formatChanges.push({ aspect: 'format', a: fa, b: fb });
          const ea = guessEncoding(headA);
          const eb = guessEncoding(headB);
          if (ea !== eb) r.formatChanges.push({ aspect: 'encoding', a: ea, b: eb });
        }
        return r;
      }
    }
  }
}
