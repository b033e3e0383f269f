import { readFile, stat } from 'node:fs/promises';
import { detectFormat, readHead, type DataFormat } from './detect.js';
import { DiffError, fromNodeError } from './errors.js';
import { sniffDialect } from './csv/dialect.js';
import { openCsvSource } from './csv/source.js';
import { diffTables } from './table/engine.js';
import { parseJson } from './json/parse.js';
import { diffJson } from './json/diff.js';
import { diffLines, splitLines } from './text/diff.js';
import { diffBytes } from './binary/diff.js';
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

async function readText(path: string): Promise<string> {
  try {
    const t = await readFile(path, 'utf8');
    return t.charCodeAt(0) === 0xfeff ? t.slice(1) : t;
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
    summary: { bytesDiffering: r.bytesDiffering, ranges: r.rangeCount },
    ranges: r.ranges,
    truncated: r.ranges.length < r.rangeCount,
  };
  if (fallbackFrom) res.fallbackFrom = fallbackFrom;
  return res;
}

/**
 * Diff two versions of a data file on disk and return a JSON-serialisable, format-aware result.
 * The format comes from `opts.format`, else from `opts.name`'s extension and both files' first bytes
 * (if the two sides disagree, e.g. a CSV that became binary, the byte summary is used).
 */
export async function diffFiles(a: DiffSide, b: DiffSide, opts: DiffOptions): Promise<DiffResult> {
  const limit = checkOptions(opts);
  const [headA, headB, sizeA, sizeB] = await Promise.all([readHead(a.path), readHead(b.path), sizeOf(a.path), sizeOf(b.path)]);
  let format: DataFormat;
  if (opts.format) format = opts.format;
  else {
    const fa = detectFormat(opts.name, headA);
    const fb = detectFormat(opts.name, headB);
    format = sizeA === 0 ? fb : sizeB === 0 ? fa : fa === fb ? fa : 'binary';
  }
  const A = { path: a.path, label: a.label ?? a.path, size: sizeA };
  const B = { path: b.path, label: b.label ?? b.path, size: sizeB };
  const sideA: SideInfo = { label: A.label, size: sizeA };
  const sideB: SideInfo = { label: B.label, size: sizeB };
  switch (format) {
    case 'csv':
    case 'tsv': {
      const pref = format === 'tsv' ? '\t' : ',';
      const da = sniffDialect(headA, pref);
      const db = sniffDialect(headB, pref);
      const [sa, sb] = await Promise.all([openCsvSource(A.path, A.label, da), openCsvSource(B.path, B.label, db)]);
      const t = await diffTables(sa, sb, { key: opts.key, tolerance: opts.tolerance, limit, detectKey: !opts.positional });
      const s = t.summary;
      return {
        format, a: sideA, b: sideB,
        identical: s.added + s.removed + s.changed + s.moved === 0 && t.columns.added.length + t.columns.removed.length === 0 && !t.columns.reordered && !t.rowOrderChanged,
        dialect: { a: da, b: db },
        ...t,
      };
    }
    case 'json': {
      const [ta, tb] = await Promise.all([readText(A.path), readText(B.path)]);
      const va = parseJson(ta, A.label);
      const vb = parseJson(tb, B.label);
      const changes = diffJson(va, vb, { tolerance: opts.tolerance });
      const count = (op: string) => changes.filter((c) => c.op === op).length;
      return {
        format, a: sideA, b: sideB,
        identical: changes.length === 0,
        summary: { added: count('add'), removed: count('remove'), changed: count('change') + count('reorder') },
        changes: changes.slice(0, limit),
        truncated: changes.length > limit,
      };
    }
    case 'text': {
      if (sizeA > MAX_TEXT_BYTES || sizeB > MAX_TEXT_BYTES) return binary(A, B, limit, 'text');
      const [ta, tb] = await Promise.all([readText(A.path), readText(B.path)]);
      const la = splitLines(ta);
      const lb = splitLines(tb);
      const d = diffLines(la, lb, { limit });
      return {
        format, a: sideA, b: sideB,
        identical: d.added + d.removed === 0 && ta === tb,
        summary: { linesA: la.length, linesB: lb.length, added: d.added, removed: d.removed, hunks: d.hunks.length },
        hunks: d.hunks,
        truncated: d.truncated,
        exact: d.exact,
      };
    }
    case 'xlsx': {
      const { diffXlsx } = await import('./xlsx/diff.js');
      return { ...(await diffXlsx(A, B, { key: opts.key, tolerance: opts.tolerance, limit, detectKey: !opts.positional })), a: sideA, b: sideB };
    }
    case 'sqlite': {
      const { diffSqlite } = await import('./sqlite/diff.js');
      return { ...(await diffSqlite(A, B, { tolerance: opts.tolerance, limit })), a: sideA, b: sideB };
    }
    default:
      return binary(A, B, limit);
  }
}
