import { open, type FileHandle } from 'node:fs/promises';
import { readSync } from 'node:fs';
import { fromNodeError } from '../errors.js';
import { CsvScanner, type CsvDialect } from './scanner.js';
import { readLongRecord } from './long-record.js';
import { MAX_CELL_BYTES } from '../clip.js';
import type { Cell } from '../table/types.js';

/** Bytes read at a time. */
export const CHUNK = 1 << 20;
/** A record that does not fit in this many bytes is read in chunks (readLongRecord), never buffered whole. */
export const LONG_RECORD = 4 * CHUNK;

export async function openFile(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (e) {
    throw fromNodeError(e, path);
  }
}

/**
 * Read a file in chunks into one growing buffer (a UTF-8 BOM at the start is skipped) and hand the unread bytes
 * to `step(buf, start, have, eof, base)`, which returns the offset just after the last whole record it took (or
 * false to stop); `base` is the file offset of `buf[0]`. A record that does not end within `4 × chunk` bytes is
 * handed to `long(fd, base)` instead, which reads it in pieces and returns its length (or false to stop).
 * Memory: one buffer of at most `4 × chunk` bytes.
 */
export async function streamCsvBytes(
  path: string,
  chunk: number,
  step: (buf: Buffer, start: number, have: number, eof: boolean, base: number) => number | false,
  long: (fd: number, base: number) => number | false,
): Promise<void> {
  const fh = await openFile(path);
  try {
    const longRecord = 4 * chunk;
    let buf = Buffer.allocUnsafe(chunk);
    let have = 0; // bytes in buf
    let base = 0; // file offset of buf[0]
    let filePos = 0;
    let first = true;
    let eof = false;
    while (!eof) {
      if (have === buf.length && have >= longRecord) {
        // One record fills the buffer: read it in chunks instead of buffering it whole.
        const n = long(fh.fd, base);
        if (n === false) return;
        base += n;
        filePos = base;
        have = 0;
        continue;
      }
      if (have === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      // A synchronous read: from the page cache it takes less time than a round trip through the thread pool.
      const bytesRead = readSync(fh.fd, buf, have, buf.length - have, filePos);
      filePos += bytesRead;
      if (bytesRead === 0) eof = true;
      have += bytesRead;
      let start = 0;
      if (first && have >= 3) {
        first = false;
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3;
      } else if (first && eof) first = false;
      if (first) continue;
      const consumed = step(buf, start, have, eof, base);
      if (consumed === false) return;
      const rest = have - consumed;
      if (rest > 0 && consumed > 0) buf.copy(buf, 0, consumed, have);
      base += consumed;
      have = rest;
    }
  } catch (e) {
    throw fromNodeError(e, path);
  } finally {
    await fh.close();
  }
}

/**
 * Stream every record of a CSV file through `onRecord` with bounded memory (one chunk plus the longest record).
 * A UTF-8 BOM is skipped. Blank lines are skipped. `fileOffset` on each call is the absolute offset of
 * `s.buf[0]`, so `fileOffset + s.recStart` locates the record on disk for later re-reading.
 */
export async function scanCsvFile(
  path: string,
  dialect: CsvDialect,
  onRecord: (s: CsvScanner, fileOffset: number) => void | false,
  maxCellBytes = MAX_CELL_BYTES,
  chunk = CHUNK,
): Promise<void> {
  const sc = new CsvScanner(dialect);
  let stop = false;
  await streamCsvBytes(
    path,
    chunk,
    (buf, start, have, eof, base) => {
      const consumed = sc.scan(buf, start, have, eof, (s) => {
        if (stop || s.isBlank()) return;
        if (onRecord(s, base) === false) stop = true;
      });
      return stop ? false : consumed;
    },
    (fd, base) => {
      const r = readLongRecord(fd, base, sc.line, dialect, maxCellBytes);
      sc.setDetached(r, sc.line);
      return onRecord(sc, base) === false ? false : r.length;
    },
  );
}

/** Read the header record (first non-blank record) of a CSV file, or [] for an empty file. */
export async function readCsvHeader(path: string, dialect: CsvDialect): Promise<{ header: string[]; line: number }> {
  let header: string[] = [];
  let line = 0;
  await scanCsvFile(path, dialect, (s) => {
    header = s.cells();
    line = s.recLine;
    return false;
  });
  return { header, line };
}

export interface Span {
  offset: number;
  length: number;
}

/**
 * Re-read records at known byte spans with positioned reads, coalescing nearby spans into one read.
 * Returns the decoded cells for each span, in input order.
 */
export function readCsvSpans(fd: number, dialect: CsvDialect, spans: readonly Span[], maxCellBytes = Infinity): Cell[][] {
  const order = spans.map((_, i) => i).sort((x, y) => spans[x]!.offset - spans[y]!.offset);
  const out = new Array<Cell[]>(spans.length);
  const sc = new CsvScanner(dialect);
  const GAP = 4096; // spans further apart are read on their own: fewer bytes read when changes are sparse
  const MAXWIN = 4 * CHUNK;
  let i = 0;
  while (i < order.length) {
    const first = spans[order[i]!]!;
    let j = i + 1;
    let winEnd = first.offset + first.length;
    if (first.length > LONG_RECORD) {
      // A huge record is re-read in chunks; its long cells come back clipped.
      out[order[i]!] = readLongRecord(fd, first.offset, 1, dialect, maxCellBytes, false).cells;
      i++;
      continue;
    }
    while (j < order.length) {
      const sp = spans[order[j]!]!;
      if (sp.length > LONG_RECORD) break;
      if (sp.offset - winEnd > GAP || sp.offset + sp.length - first.offset > MAXWIN) break;
      winEnd = Math.max(winEnd, sp.offset + sp.length);
      j++;
    }
    const win = Buffer.allocUnsafe(winEnd - first.offset);
    let got = 0;
    while (got < win.length) {
      const n = readSync(fd, win, got, win.length - got, first.offset + got);
      if (n === 0) break;
      got += n;
    }
    for (let k = i; k < j; k++) {
      const idx = order[k]!;
      const sp = spans[idx]!;
      const s = sp.offset - first.offset;
      let cells: Cell[] = [];
      sc.scan(win, s, s + sp.length, true, (r) => { if (cells.length === 0) cells = r.cellsClipped(maxCellBytes); });
      out[idx] = cells;
    }
    i = j;
  }
  return out;
}
