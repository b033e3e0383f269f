/**
 * The pure part of streaming CSV rows: the row fingerprint (shared by files on disk, worker threads and
 * bytes in memory) and a row source over bytes in memory (the browser diff). No node: modules.
 */
import { DiffError } from '../errors.js';
import { MAX_CELL_BYTES } from '../clip.js';
import { columnSalt, fmix32, uniqueNames } from '../table/compare.js';
import type { RowSource } from '../table/source.js';
import type { Cell } from '../table/types.js';
import { CsvScanner, type CsvDialect } from './scanner.js';

/** `sorted`: this row and every row before it have strictly increasing keys (csv/key-order.ts); absent = unknown. */
export type FingerprintVisit = (kh1: number, kh2: number, h1: number, h2: number, line: number, ref1: number, ref2: number, sorted?: boolean) => void | false;

export function wrongWidth(label: string, line: number, want: number, got: number): DiffError {
  return new DiffError(
    'E_CSV_MALFORMED',
    `Malformed CSV in ${label} at line ${line}: expected ${want} fields (as in the header) but found ${got}. Fix that line and try again.`,
    { label, line, expected: want, found: got, reason: 'field-count' },
  );
}

/**
 * A record visitor that fingerprints each data row (header skipped) straight from the bytes: key hash
 * (kh1, kh2) from the key columns, row hash (h1, h2) from every non-empty field salted by its union column
 * index, plus the record's byte offset (`base + recStart`) and length for re-reading.
 */
export function rowFingerprinter(
  job: { label: string; width: number; keyCols: readonly number[] | null; unionIndex: readonly number[] },
  visit: FingerprintVisit,
): (s: CsvScanner, base: number) => void | false {
  const { keyCols, unionIndex, width, label } = job;
  const s1 = Int32Array.from(unionIndex, (u) => (u < 0 ? 0 : columnSalt(u, 1)));
  const s2 = Int32Array.from(unionIndex, (u) => (u < 0 ? 0 : columnSalt(u, 2)));
  const use = Uint8Array.from(unionIndex, (u) => (u < 0 ? 0 : 1));
  const single = keyCols && keyCols.length === 1 ? keyCols[0]! : -1;
  let first = true;
  return (s, base) => {
    if (first) { first = false; return; }
    if (s.nf !== width) throw wrongWidth(label, s.recLine, width, s.nf);
    let r1 = 0;
    let r2 = 0;
    const fs = s.fieldStart, fe = s.fieldEnd, f1 = s.fieldH1, f2 = s.fieldH2;
    for (let i = 0; i < s.nf; i++) {
      if (fe[i] === fs[i] || use[i] === 0) continue;
      r1 = (r1 + fmix32(f1[i]! ^ s1[i]!)) | 0;
      r2 = (r2 + fmix32(f2[i]! ^ s2[i]!)) | 0;
    }
    let k1 = 0;
    let k2 = 0;
    if (single >= 0) { k1 = f1[single]!; k2 = f2[single]!; }
    else if (keyCols) {
      for (const k of keyCols) { k1 = (Math.imul(k1, 31) + fmix32(f1[k]!)) | 0; k2 = (Math.imul(k2, 37) + fmix32(f2[k]!)) | 0; }
    }
    return visit(k1, k2, r1, r2, s.recLine, base + s.recStart, s.recLength);
  };
}

/** Every non-blank record of CSV bytes in memory (a UTF-8 BOM skipped); `base` is always 0. */
export function scanCsvBytes(bytes: Uint8Array, dialect: CsvDialect, onRecord: (s: CsvScanner, base: number) => void | false): void {
  const sc = new CsvScanner(dialect);
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let stop = false;
  sc.scan(bytes, start, bytes.length, true, (s) => {
    if (stop || s.isBlank()) return;
    if (onRecord(s, 0) === false) stop = true;
  });
}

/** A CSV/TSV row source over bytes in memory (same contract as the file source in csv/source.ts). */
export function memoryCsvSource(bytes: Uint8Array, label: string, dialect: CsvDialect, maxCellBytes = MAX_CELL_BYTES): RowSource & { dialect: CsvDialect; rawHeader: string[] } {
  let rawHeader: string[] = [];
  scanCsvBytes(bytes, dialect, (s) => { rawHeader = s.cells(); return false; });
  const width = rawHeader.length;
  return {
    label,
    header: uniqueNames(rawHeader),
    rawHeader,
    dialect,
    async scan(keyCols, unionIndex, visit) {
      scanCsvBytes(bytes, dialect, rowFingerprinter({ label, width, keyCols, unionIndex }, visit));
    },
    async fetch(refs) {
      const sc = new CsvScanner(dialect);
      return refs.map((r) => {
        let cells: Cell[] = [];
        sc.scan(bytes, r.ref1, r.ref1 + r.ref2, true, (s) => { if (cells.length === 0) cells = s.cellsClipped(maxCellBytes); });
        return cells;
      });
    },
    async sample(n) {
      const out: Cell[][] = [];
      if (n <= 0) return out;
      let first = true;
      scanCsvBytes(bytes, dialect, (s) => {
        if (first) { first = false; return; }
        if (s.nf !== width) throw wrongWidth(label, s.recLine, width, s.nf);
        out.push(s.cellsClipped(maxCellBytes));
        return out.length < n ? undefined : false;
      });
      return out;
    },
  };
}
