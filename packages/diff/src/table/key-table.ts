import { fmix32 } from './compare.js';

/** A power-of-two capacity that holds `n` keys without growing. */
export function tableCapacity(n: number): number {
  let c = 1 << 12;
  while (c * 7 < n * 10 + 10) c *= 2;
  return c;
}

/**
 * Open-addressing hash table from a 64-bit key hash (two int32 lanes) to a row index, in typed arrays:
 * about 12 bytes per row and no per-row string, so memory stays small for millions of rows.
 */
export class KeyTable {
  // Interleaved [k1, k2, value] per slot so a probe touches one cache line.
  private d: Int32Array;
  private cap: number;
  private size = 0;
  constructor(capacity = 1 << 12) {
    this.cap = capacity;
    this.d = KeyTable.alloc(capacity);
  }
  private static alloc(cap: number): Int32Array {
    const d = new Int32Array(cap * 3);
    for (let i = 2; i < d.length; i += 3) d[i] = -1;
    return d;
  }
  private slot(k1: number, k2: number): number {
    const d = this.d;
    const mask = this.cap - 1;
    let i = fmix32(k1 ^ Math.imul(k2, 0x27d4eb2d)) & mask;
    for (;;) {
      const o = i * 3;
      if (d[o + 2] === -1 || (d[o] === k1 && d[o + 1] === k2)) return o;
      i = (i + 1) & mask;
    }
  }
  get(k1: number, k2: number): number {
    return this.d[this.slot(k1, k2) + 2]!;
  }
  /** Set the value of a present or new key. `val` must not be -1 (the empty marker). */
  set(k1: number, k2: number, val: number): void {
    const o = this.slot(k1, k2);
    const d = this.d;
    const isNew = d[o + 2] === -1;
    d[o] = k1; d[o + 1] = k2; d[o + 2] = val;
    if (isNew && ++this.size * 10 > this.cap * 7) this.grow();
  }
  /** Insert unless present; returns the existing value or -1 when inserted. */
  add(k1: number, k2: number, val: number): number {
    const o = this.slot(k1, k2);
    const d = this.d;
    if (d[o + 2] !== -1) return d[o + 2]!;
    d[o] = k1; d[o + 1] = k2; d[o + 2] = val;
    if (++this.size * 10 > this.cap * 7) this.grow();
    return -1;
  }
  private grow(): void {
    const old = this.d;
    this.cap *= 2;
    this.d = KeyTable.alloc(this.cap);
    for (let o = 0; o < old.length; o += 3) {
      if (old[o + 2] === -1) continue;
      const n = this.slot(old[o]!, old[o + 1]!);
      this.d[n] = old[o]!; this.d[n + 1] = old[o + 1]!; this.d[n + 2] = old[o + 2]!;
    }
  }
}

