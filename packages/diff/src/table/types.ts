import type { ClippedValue } from '../clip.js';

/**
 * A table cell: text, or null for SQL NULL (CSV and XLSX never produce null), or — for a value longer than
 * `maxCellBytes` — its clipped form (head, length, sha256), compared by hash.
 */
export type Cell = string | null | ClippedValue;

/** A string that identifies a cell's value (equal values, equal ids); clipped values by their hash. */
export function cellId(v: Cell | undefined): string | null {
  if (v === undefined) return '';
  if (v === null || typeof v === 'string') return v;
  return `\u0000sha256:${v.sha256}:${v.bytes}`;
}
