import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { DataFormat } from './detect.js';
import { readHead } from './detect-file.js';
import { fromNodeError } from './errors.js';
import { openCsvSource } from './csv/source.js';
import { diffTables } from './table/engine.js';
import { parseJson } from './json/parse.js';
import { splitLines } from './text/diff.js';
import { diffBytes, firstDifference } from './binary/diff.js';
import { MAX_CELL_BYTES } from './clip.js';
import { describeCsv, describeText, hasBom, sqliteHeaderChanges, type FormatChange } from './layout.js';
import {
  binaryResult, checkOptions, chooseFormat, finishResult, jsonResult, MAX_TEXT_BYTES, noteFormatMismatch, sniffDialects, tableResult, textResult, type JsonSide,
} from './per-format.js';
import type { DiffOptions, DiffResult, DiffSide, SideInfo, BinaryDiffResult } from './types.js';

export { DEFAULT_LIMIT, MAX_TEXT_BYTES } from './per-format.js';

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    throw fromNodeError(e, path);
  }
}

async function binary(a: SideInfo & { path: string }, b: SideInfo & { path: string }, limit: number, fallbackFrom?: string): Promise<BinaryDiffResult> {
  const r = await diffBytes(a.path, b.path, limit);
  return binaryResult({ label: a.label, size: r.sizeA }, { label: b.label, size: r.sizeB }, r, fallbackFrom);
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
async function readJsonSide(path: string): Promise<JsonSide & { sha256: string }> {
  const raw = await readBytes(path);
  return { text: decode(raw), layout: describeText(raw), bytes: raw.length, sha256: createHash('sha256').update(raw).digest('hex') };
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
  const { format, fa, fb } = chooseFormat(opts, headA, headB, sizeA, sizeB);
  const A = { path: a.path, label: a.label ?? a.path, size: sizeA };
  const B = { path: b.path, label: b.label ?? b.path, size: sizeB };
  const sideA: SideInfo = { label: A.label, size: sizeA };
  const sideB: SideInfo = { label: B.label, size: sizeB };
  // With a tolerance, unexplained bytes are not reported (numbers within the tolerance differ in bytes by design).
  const result = await diffAs(format);
  return finishResult(result, opts, async () => {
    const more = result.format === 'xlsx' ? await xlsxPartChanges(A.path, B.path) : [];
    return more.length ? more : bytesChange(A, B);
  });

  async function diffAs(format: DataFormat): Promise<DiffResult> {
    switch (format) {
      case 'csv':
      case 'tsv': {
        const [da, db] = sniffDialects(format, headA, headB);
        // b's rows are fingerprinted on a worker thread (large files): it starts up while the files are opened.
        const opened = await Promise.allSettled([openCsvSource(A.path, A.label, da, maxCellBytes), openCsvSource(B.path, B.label, db, maxCellBytes, { startWorker: true })]);
        if (opened[0].status === 'rejected') {
          if (opened[1].status === 'fulfilled') opened[1].value.close();
          throw opened[0].reason;
        }
        if (opened[1].status === 'rejected') throw opened[1].reason;
        const [sa, sb] = [opened[0].value, opened[1].value];
        let t: Awaited<ReturnType<typeof diffTables>>;
        try {
          t = await diffTables(sa, sb, { key: opts.key, tolerance: opts.tolerance, limit, detectKey: !opts.positional });
        } finally {
          sb.close();
        }
        const [la, lb] = await Promise.all([tailOf(A.path, sizeA), tailOf(B.path, sizeB)]);
        const dialect = { a: describeCsv(headA, la, da, sizeA <= headA.length), b: describeCsv(headB, lb, db, sizeB <= headB.length) };
        return tableResult(format, sideA, sideB, t, dialect);
      }
      case 'json': {
        // Raw bytes only long enough to describe their layout; then the texts (as JSON.parse needs them).
        const sides = await Promise.all([readJsonSide(A.path), readJsonSide(B.path)]);
        const [sa, sb] = sides;
        const va = parseJson(sa.text, A.label);
        const vb = parseJson(sb.text, B.label);
        return jsonResult(sideA, sideB, sa, sb, va, vb, sa.bytes !== sb.bytes || sa.sha256 !== sb.sha256, opts, limit, maxCellBytes);
      }
      case 'text': {
        if (sizeA > MAX_TEXT_BYTES || sizeB > MAX_TEXT_BYTES) return binary(A, B, limit, 'text');
        const [ra, rb] = await Promise.all([readBytes(A.path), readBytes(B.path)]);
        return textResult(sideA, sideB, splitLines(decode(ra)), splitLines(decode(rb)), describeText(ra), describeText(rb), limit);
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
      default:
        return noteFormatMismatch(await binary(A, B, limit), fa, fb, headA, headB);
    }
  }
}
