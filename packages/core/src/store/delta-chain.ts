/**
 * Deep delta chains of large objects, resolved in one pass: the deltas of a chain (small, in memory) are
 * composed top-down into one list of pieces, each a literal from some delta or a range of the chain's bottom
 * object, which is then the only base materialised. Without this, every level of the chain is materialised
 * (a 100 MB version at depth 9 meant nine 100 MB temp files).
 */
import { DeltaError, readDeltaHeader, walkDelta } from './delta.js';

/** Pieces of a target: `src` -1 = literal at `off` in delta `lit`, else a copy from the base at `off`. */
export interface Pieces {
  /** target offset where each piece starts (ascending) */
  start: number[];
  len: number[];
  /** -1 literal, 1 copy from the base */
  src: number[];
  off: number[];
  /** for literals: which delta buffer holds the bytes */
  lit: number[];
  /** target size */
  size: number;
  baseSize: number;
}

/** Decode one delta (held whole) into pieces; `index` names it for literals. */
export function deltaPieces(delta: Uint8Array, index: number): Pieces {
  const h = readDeltaHeader(delta);
  const out: Pieces = { start: [], len: [], src: [], off: [], lit: [], size: h.resultSize, baseSize: h.baseSize };
  const push = (o: number, n: number, src: number, off: number, lit: number): void => {
    out.start.push(o);
    out.len.push(n);
    out.src.push(src);
    out.off.push(off);
    out.lit.push(lit);
  };
  walkDelta(
    delta,
    h,
    (off, n, o) => {
      const k = out.start.length - 1;
      // merge a copy that continues the previous one
      if (k >= 0 && out.src[k] === 1 && out.off[k]! + out.len[k]! === off) out.len[k] = out.len[k]! + n;
      else push(o, n, 1, off, 0);
    },
    (at, n, o) => push(o, n, -1, at, index),
  );
  return out;
}

/**
 * Compose `upper` (a target in terms of its base B) with `lower` (B in terms of its own base): the result
 * describes upper's target in terms of lower's base. Returns null past `maxPieces`.
 */
export function composePieces(upper: Pieces, lower: Pieces, maxPieces: number): Pieces | null {
  if (upper.baseSize !== lower.size) throw new DeltaError(`delta expects a base of ${upper.baseSize} bytes, got ${lower.size}`);
  const out: Pieces = { start: [], len: [], src: [], off: [], lit: [], size: upper.size, baseSize: lower.baseSize };
  const push = (start: number, len: number, src: number, off: number, lit: number): void => {
    const k = out.start.length - 1;
    if (k >= 0 && src === 1 && out.src[k] === 1 && out.off[k]! + out.len[k]! === off) {
      out.len[k] = out.len[k]! + len;
      return;
    }
    if (k >= 0 && src === -1 && out.src[k] === -1 && out.lit[k] === lit && out.off[k]! + out.len[k]! === off) {
      out.len[k] = out.len[k]! + len;
      return;
    }
    out.start.push(start);
    out.len.push(len);
    out.src.push(src);
    out.off.push(off);
    out.lit.push(lit);
  };
  const ls = lower.start;
  for (let i = 0; i < upper.start.length; i++) {
    const t0 = upper.start[i]!;
    const n = upper.len[i]!;
    if (upper.src[i] === -1) {
      push(t0, n, -1, upper.off[i]!, upper.lit[i]!);
      continue;
    }
    // the copy's source range [a, a+n) of B, split over lower's pieces (binary search for the first)
    let a = upper.off[i]!;
    let lo = 0;
    let hi = ls.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (ls[mid]! <= a) lo = mid;
      else hi = mid - 1;
    }
    let left = n;
    let t = t0;
    for (let j = lo; left > 0; j++) {
      if (j >= ls.length) throw new DeltaError('delta copy is out of range');
      const into = a - ls[j]!;
      const take = Math.min(left, lower.len[j]! - into);
      push(t, take, lower.src[j]!, lower.off[j]! + into, lower.lit[j]!);
      a += take;
      t += take;
      left -= take;
    }
    if (out.start.length > maxPieces) return null;
  }
  return out;
}
