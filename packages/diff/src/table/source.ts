import { cellId, type Cell } from './types.js';
import { columnSalt, fmix32, hashString } from './compare.js';
import type { KeyRun } from '../csv/key-order.js';

/**
 * A table that can be streamed once or more and whose rows can be re-read by reference.
 * CSV files are sources over bytes on disk; XLSX sheets and small SQL tables are in memory.
 */
export interface RowSource {
  readonly label: string;
  /** Column names, unique. */
  readonly header: string[];
  /**
   * Set by sources that have a faster row fingerprint of their own for two versions with the same columns in
   * the same order (scan's `canonical`). Two sources may use it together only when their values are equal.
   */
  readonly canonicalRowHash?: string;
  /** About how many rows there are (a little over, not a bound), so row arrays and tables are sized once. */
  readonly rowEstimate?: number;
  /**
   * Visit every data row in order. kh1/kh2 hash the key-column values (0 without key columns);
   * h1/h2 fingerprint the row where each column `i` is salted by `unionIndex[i]`; blank CSV cells and
   * NULLs do not contribute, so a column that is absent and one that is empty fingerprint alike.
   * `ref1/ref2` let `fetch` find the row again. Return false to stop. With `canonical` (see canonicalRowHash)
   * h1/h2 are the source's own row fingerprint instead: equal exactly when the cells are equal (up to hash
   * collisions), like the general one when both versions have the same columns. A source may return the
   * rows' key bytes while the keys are strictly increasing (csv/key-order.ts), so that two sorted versions
   * are matched by a merge; the rows matched must be exactly those a hash of the keys would match.
   */
  scan(
    keyCols: readonly number[] | null,
    unionIndex: readonly number[],
    visit: (kh1: number, kh2: number, h1: number, h2: number, line: number, ref1: number, ref2: number, sorted?: boolean) => void | false,
    canonical?: boolean,
  ): Promise<KeyRun | null | void>;
  /**
   * Optionally start fingerprinting every row on another thread (same contract as scan). Returns null
   * when not worthwhile (small input) or not possible; the caller then uses scan.
   */
  scanInBackground?(keyCols: readonly number[] | null, unionIndex: readonly number[], canonical?: boolean): BackgroundScan | null;
  /** Decode rows by the refs given during scan, in the given order. */
  fetch(refs: readonly { ref1: number; ref2: number }[]): Promise<Cell[][]>;
  /** Up to `n` first data rows, for key detection. */
  sample(n: number): Promise<Cell[][]>;
}

export interface BackgroundScan {
  promise: Promise<import('../csv/fingerprint.js').RowArrays>;
  cancel(): void;
}

/** Key string for one row from its key cells. */
export function keyOf(cells: readonly Cell[]): string {
  return cells.length === 1 && typeof cells[0] === 'string' ? cells[0] : JSON.stringify(cells.map(cellId));
}

/** Inverse of keyOf, for reporting. */
export function keyCells(key: string, n: number): Cell[] {
  if (n === 1) {
    // A single key that is not a string (SQLite NULL/number) was JSON-encoded.
    return [key];
  }
  return JSON.parse(key) as Cell[];
}

/** Fingerprint of an in-memory row (same contract as RowSource.scan). */
export function hashCells(cells: readonly Cell[], unionIndex: readonly number[]): [number, number] {
  let r1 = 0;
  let r2 = 0;
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    const u = unionIndex[i];
    if (v === null || v === undefined || u === undefined || u < 0) continue;
    const [f1, f2] = hashString(cellId(v)!);
    r1 = (r1 + fmix32(f1 ^ columnSalt(u, 1))) | 0;
    r2 = (r2 + fmix32(f2 ^ columnSalt(u, 2))) | 0;
  }
  return [r1, r2];
}

/** A source over rows held in memory (XLSX sheets, tests). `lines[i]` is the display line/row number of row i. */
export function memorySource(label: string, header: string[], rows: Cell[][], lines?: number[]): RowSource {
  return {
    label,
    header,
    async scan(keyCols, unionIndex, visit) {
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        const [k1, k2] = keyCols ? hashString(keyOf(keyCols.map((k) => r[k] ?? ''))) : [0, 0];
        const [h1, h2] = hashCells(r, unionIndex);
        if (visit(k1, k2, h1, h2, lines?.[i] ?? i + 2, i, 0) === false) return;
      }
    },
    async fetch(refs) {
      return refs.map((r) => rows[r.ref1]!);
    },
    async sample(n) {
      return rows.slice(0, n);
    },
  };
}
