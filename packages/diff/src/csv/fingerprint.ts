import { rowFingerprinter } from './rows.js';
import type { FingerprintVisit } from './rows.js';
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

export { wrongWidth } from './rows.js';
export type { FingerprintVisit } from './rows.js';

/** Stream the data rows of a CSV file (header skipped) and fingerprint each (csv/rows.ts rowFingerprinter). */
export async function fingerprintCsv(job: FingerprintJob, visit: FingerprintVisit): Promise<void> {
  await scanCsvFile(job.path, job.dialect, rowFingerprinter(job, visit));
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
