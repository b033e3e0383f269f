import { DiffError } from '../errors.js';
import { columnSalt, fmix32 } from '../table/compare.js';
import { scanCsvFile } from './file.js';
import type { CsvDialect } from './scanner.js';

export interface FingerprintJob {
  path: string;
  label: string;
  dialect: CsvDialect;
  /** Number of header fields; every row must have as many. */
  width: number;
  keyCols: number[] | null;
  unionIndex: number[];
}

export type FingerprintVisit = (kh1: number, kh2: number, h1: number, h2: number, line: number, ref1: number, ref2: number) => void | false;

export function wrongWidth(label: string, line: number, want: number, got: number): DiffError {
  return new DiffError(
    'E_CSV_MALFORMED',
    `Malformed CSV in ${label} at line ${line}: expected ${want} fields (as in the header) but found ${got}. Fix that line and try again.`,
    { label, line, expected: want, found: got, reason: 'field-count' },
  );
}

/**
 * Stream the data rows of a CSV file (header skipped) and fingerprint each straight from the bytes:
 * key hash (kh1, kh2) from the key columns, row hash (h1, h2) from every non-empty field salted by its
 * union column index, plus the record's byte offset and length for re-reading.
 */
export async function fingerprintCsv(job: FingerprintJob, visit: FingerprintVisit): Promise<void> {
  const { keyCols, unionIndex, width, label } = job;
  const s1 = Int32Array.from(unionIndex, (u) => (u < 0 ? 0 : columnSalt(u, 1)));
  const s2 = Int32Array.from(unionIndex, (u) => (u < 0 ? 0 : columnSalt(u, 2)));
  const use = Uint8Array.from(unionIndex, (u) => (u < 0 ? 0 : 1));
  const single = keyCols && keyCols.length === 1 ? keyCols[0]! : -1;
  let first = true;
  await scanCsvFile(job.path, job.dialect, (s, base) => {
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
  });
}

/** Fingerprints of every row, in typed arrays (so they can be transferred from a worker thread). */
export interface RowArrays {
  n: number;
  kh1: Int32Array;
  kh2: Int32Array;
  h1: Int32Array;
  h2: Int32Array;
  line: Int32Array;
  r1: Float64Array;
  r2: Int32Array;
}

export async function fingerprintToArrays(job: FingerprintJob): Promise<RowArrays> {
  let cap = 1 << 14;
  let a: RowArrays = alloc(cap);
  let n = 0;
  await fingerprintCsv(job, (kh1, kh2, h1, h2, line, r1, r2) => {
    if (n === cap) {
      cap *= 2;
      const b = alloc(cap);
      b.kh1.set(a.kh1); b.kh2.set(a.kh2); b.h1.set(a.h1); b.h2.set(a.h2); b.line.set(a.line); b.r1.set(a.r1); b.r2.set(a.r2);
      a = b;
    }
    a.kh1[n] = kh1; a.kh2[n] = kh2; a.h1[n] = h1; a.h2[n] = h2; a.line[n] = line; a.r1[n] = r1; a.r2[n] = r2;
    n++;
  });
  a.n = n;
  return a;
}

function alloc(cap: number): RowArrays {
  return {
    n: 0,
    kh1: new Int32Array(cap), kh2: new Int32Array(cap), h1: new Int32Array(cap), h2: new Int32Array(cap),
    line: new Int32Array(cap), r1: new Float64Array(cap), r2: new Int32Array(cap),
  };
}
