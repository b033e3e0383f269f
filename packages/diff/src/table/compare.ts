import { cellId, type Cell } from './types.js';

const NUMERIC = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/**
 * Compare two cells. Without a tolerance, cells are equal only when identical text (so applying a diff
 * reproduces the file exactly). With a tolerance, two numeric cells are equal when |a - b| <= tolerance.
 */
export function cellEqual(a: Cell, b: Cell, tolerance: number | undefined): boolean {
  if (a === b) return true;
  if (typeof a === 'object' || typeof b === 'object') return a !== null && b !== null && cellId(a) === cellId(b);
  if (tolerance === undefined) return false;
  if (!NUMERIC.test(a) || !NUMERIC.test(b)) return false;
  return Math.abs(Number(a) - Number(b)) <= tolerance;
}

/** Non-empty: a value present in a column that exists on only one side counts as a change. */
export function isBlankCell(v: Cell | undefined): boolean {
  return v === undefined || v === null || v === '';
}

/** Make column names unique (`x`, `x (2)`, …) so cells can be addressed by column name. */
export function uniqueNames(header: readonly string[]): string[] {
  const seen = new Map<string, number>();
  const taken = new Set(header);
  return header.map((h) => {
    const n = (seen.get(h) ?? 0) + 1;
    seen.set(h, n);
    if (n === 1) return h;
    let k = n;
    let name = `${h} (${k})`;
    while (taken.has(name)) name = `${h} (${++k})`;
    taken.add(name);
    return name;
  });
}

/** 32-bit avalanche (murmur3 fmix32). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** Per-column salts so that the same value in different columns hashes differently. */
export function columnSalt(index: number, lane: 1 | 2): number {
  return fmix32(Math.imul(index + 1, lane === 1 ? 0x9e3779b1 : 0x7feb352d) ^ (lane === 1 ? 0x1b873593 : 0xcc9e2d51));
}

/** Two-lane hash of a string's UTF-16 code units (for in-memory sources). */
export function hashString(s: string): [number, number] {
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x9747b28c | 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 16777619);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
  }
  return [h1, h2];
}
