/**
 * Whether the key cells of a file's rows are strictly increasing, and (while they are) the key bytes
 * themselves, so two versions sorted by key can be matched by a streaming merge instead of a hash table.
 * Two orders are followed at once: bytewise (`LEX`: "a" < "ab" < "b") and shortest first, then bytewise
 * (`SHORTLEX`: "9" < "10", the order of unsigned integers written without leading zeros). Keys strictly
 * increasing in either order are unique. Pure, no node: modules.
 */

/** Bit of `KeyRecorder.order`: keys strictly increasing bytewise. */
export const LEX = 1;
/** Bit of `KeyRecorder.order`: keys strictly increasing by length, then bytewise. */
export const SHORTLEX = 2;

/** Key bytes of every row while they are sorted: row `i`'s key is bytes[ends[i-1] (0 for i = 0), ends[i]). */
export interface KeyRun {
  /** LEX | SHORTLEX bits: the orders in which every row's key is greater than the row before; 0 = neither. */
  order: number;
  /** Rows recorded (the rows scanned when `order` is not 0). */
  n: number;
  bytes: Uint8Array;
  ends: Int32Array;
}

/** Bound on the key bytes kept for one file (memory: at most this much per version); beyond it the merge is given up and the key table is used. */
export const KEY_BYTES_LIMIT = 32 * 1024 * 1024;

export class KeyRecorder implements KeyRun {
  order = LEX | SHORTLEX;
  n = 0;
  bytes: Uint8Array;
  ends: Int32Array;
  private used = 0;
  /** Where the previous row's key starts in `bytes`. */
  private prev = 0;

  constructor(rowEstimate = 1024, private readonly limit = KEY_BYTES_LIMIT) {
    const rows = Math.max(16, Math.ceil(rowEstimate));
    this.ends = new Int32Array(rows);
    this.bytes = new Uint8Array(Math.min(limit, Math.max(256, rows * 8)));
  }

  /** Keys are not followed any more (a row the quick paths cannot read, or too many key bytes). */
  stop(): void {
    this.order = 0;
    this.bytes = new Uint8Array(0);
    this.ends = new Int32Array(0);
    this.used = 0;
    this.prev = 0;
  }

  /** The next row's key cell is src[s, e) (its unescaped content). */
  add(src: Uint8Array, s: number, e: number): void {
    if (this.order === 0) return;
    const len = e - s;
    const at = this.used;
    if ((at + len > this.bytes.length || this.n === this.ends.length) && !this.room(at + len)) return;
    const b = this.bytes;
    if (this.n > 0) {
      // Compare with the previous key, b[prev, at).
      const ps = this.prev;
      const plen = at - ps;
      const m = len < plen ? len : plen;
      let k = 0;
      while (k < m && src[s + k] === b[ps + k]) k++;
      let order = this.order;
      if (k < m) {
        const greater = src[s + k]! > b[ps + k]!;
        if (!greater) order &= ~LEX;
        if (len < plen || (len === plen && !greater)) order &= ~SHORTLEX;
      } else if (len <= plen) order = 0; // equal, or a prefix of the previous key
      if (order !== this.order) {
        this.order = order;
        if (order === 0) { this.stop(); return; }
      }
    }
    for (let k = 0; k < len; k++) b[at + k] = src[s + k]!;
    this.prev = at;
    this.used = at + len;
    this.ends[this.n++] = this.used;
  }

  /** Room for `need` key bytes and one more row; false (and stopped) past the limit. */
  private room(need: number): boolean {
    if (need > this.limit) { this.stop(); return false; }
    if (need > this.bytes.length) {
      const bigger = new Uint8Array(Math.min(this.limit, Math.max(need, this.bytes.length * 2)));
      bigger.set(this.bytes.subarray(0, this.used));
      this.bytes = bigger;
    }
    if (this.n === this.ends.length) {
      const bigger = new Int32Array(this.n * 2);
      bigger.set(this.ends);
      this.ends = bigger;
    }
    return true;
  }

  /** The key run as it stands (arrays trimmed to the rows recorded). */
  run(): KeyRun {
    return { order: this.order, n: this.n, bytes: this.bytes.subarray(0, this.used), ends: this.ends.subarray(0, this.n) };
  }
}

/** Bytewise comparison of x[xs, xs+xl) with y[ys, ys+yl): negative, 0 or positive. */
export function compareBytes(x: Uint8Array, xs: number, xl: number, y: Uint8Array, ys: number, yl: number): number {
  const m = xl < yl ? xl : yl;
  for (let k = 0; k < m; k++) {
    const d = x[xs + k]! - y[ys + k]!;
    if (d !== 0) return d;
  }
  return xl - yl;
}

/**
 * Match the rows of two versions whose keys are strictly increasing in a common order (`a.order & b.order`
 * not 0): returns, for each row of b, the row of a with the same key or -1. Null when the runs cannot be
 * merged (no common order, or not every row recorded). Linear in the rows, no hash table.
 */
export function mergeKeyRuns(a: KeyRun, nA: number, b: KeyRun, nB: number): Int32Array | null {
  const common = a.order & b.order;
  if (common === 0 || a.n !== nA || b.n !== nB) return null;
  const shortlex = (common & LEX) === 0;
  const out = new Int32Array(nB);
  const ab = a.bytes, ae = a.ends, bb = b.bytes, be = b.ends;
  let i = 0;
  let as = 0;
  let bs = 0;
  for (let j = 0; j < nB; j++) {
    const bend = be[j]!;
    const bl = bend - bs;
    let match = -1;
    while (i < nA) {
      const aend = ae[i]!;
      const al = aend - as;
      let c: number;
      if (shortlex && al !== bl) c = al - bl;
      else c = compareBytes(ab, as, al, bb, bs, bl);
      if (c > 0) break; // a's key is past b's: b's row is new
      if (c === 0) match = i;
      i++;
      as = aend;
      if (match >= 0) break;
    }
    out[j] = match;
    bs = bend;
  }
  return out;
}
