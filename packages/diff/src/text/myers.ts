/** One run of an edit script: `n` equal, deleted (from a) or inserted (from b) elements. */
export interface EditRun {
  op: 'equal' | 'delete' | 'insert';
  /** Start index in a (for insert: the position in a before which b's elements go). */
  a: number;
  /** Start index in b (for delete: the position in b where a's elements were). */
  b: number;
  n: number;
}

export interface MyersOptions {
  /**
   * Upper bound on the work (snake steps) spent searching; when it is used up the remaining differing
   * regions are reported as a plain delete + insert. Keeps huge, very different inputs bounded.
   */
  maxCost?: number;
}

/**
 * Myers' O((N+M)D) difference algorithm in linear space (divide and conquer on the middle snake,
 * after trimming common prefix and suffix). `eq(i, j)` compares a[i] with b[j].
 * Returns a minimal edit script (unless the cost budget ran out) as coalesced runs in order.
 */
export function myersDiff(n: number, m: number, eq: (i: number, j: number) => boolean, opts: MyersOptions = {}): { runs: EditRun[]; exact: boolean } {
  let budget = opts.maxCost ?? 50_000_000;
  let exact = true;
  const raw: EditRun[] = [];
  const push = (op: EditRun['op'], a: number, b: number, len: number) => {
    if (len > 0) raw.push({ op, a, b, n: len });
  };

  // Explicit stack instead of recursion: [aLo, aHi, bLo, bHi] ranges processed left to right.
  type Task = { aLo: number; aHi: number; bLo: number; bHi: number } | { emit: EditRun };
  const stack: Task[] = [{ aLo: 0, aHi: n, bLo: 0, bHi: m }];
  let vf = new Int32Array(0);
  let vb = new Int32Array(0);
  while (stack.length > 0) {
    const t = stack.pop()!;
    if ('emit' in t) { push(t.emit.op, t.emit.a, t.emit.b, t.emit.n); continue; }
    let { aLo, aHi, bLo, bHi } = t;
    // Common prefix.
    let p = 0;
    while (aLo + p < aHi && bLo + p < bHi && eq(aLo + p, bLo + p)) p++;
    push('equal', aLo, bLo, p);
    aLo += p; bLo += p;
    // Common suffix.
    let s = 0;
    while (aHi - s > aLo && bHi - s > bLo && eq(aHi - 1 - s, bHi - 1 - s)) s++;
    const suffix: EditRun = { op: 'equal', a: aHi - s, b: bHi - s, n: s };
    aHi -= s; bHi -= s;
    const N = aHi - aLo;
    const M = bHi - bLo;
    if (N === 0 || M === 0 || budget <= 0) {
      if (budget <= 0 && N > 0 && M > 0) exact = false;
      push('delete', aLo, bLo, N);
      push('insert', aHi, bLo, M);
      push('equal', suffix.a, suffix.b, suffix.n);
      continue;
    }
    // Middle snake (bisect), after Myers 1986 §4b.
    const maxD = Math.ceil((N + M) / 2);
    const vLen = 2 * maxD + 2;
    if (vf.length < vLen) { vf = new Int32Array(vLen); vb = new Int32Array(vLen); }
    vf.fill(-1, 0, vLen); vb.fill(-1, 0, vLen);
    const off = maxD;
    vf[off + 1] = 0; vb[off + 1] = 0;
    const delta = N - M;
    const front = (delta & 1) !== 0;
    let k1s = 0, k1e = 0, k2s = 0, k2e = 0;
    let sx = -1, sy = -1;
    search: for (let d = 0; d < maxD; d++) {
      for (let k1 = -d + k1s; k1 <= d - k1e; k1 += 2) {
        const ko = off + k1;
        let x1 = k1 === -d || (k1 !== d && vf[ko - 1]! < vf[ko + 1]!) ? vf[ko + 1]! : vf[ko - 1]! + 1;
        let y1 = x1 - k1;
        const x0 = x1;
        while (x1 < N && y1 < M && eq(aLo + x1, bLo + y1)) { x1++; y1++; }
        budget -= 1 + x1 - x0;
        vf[ko] = x1;
        if (x1 > N) k1e += 2;
        else if (y1 > M) k1s += 2;
        else if (front) {
          const k2o = off + delta - k1;
          if (k2o >= 0 && k2o < vLen && vb[k2o] !== -1) {
            if (x1 >= N - vb[k2o]!) { sx = x1; sy = y1; break search; }
          }
        }
      }
      for (let k2 = -d + k2s; k2 <= d - k2e; k2 += 2) {
        const ko = off + k2;
        let x2 = k2 === -d || (k2 !== d && vb[ko - 1]! < vb[ko + 1]!) ? vb[ko + 1]! : vb[ko - 1]! + 1;
        let y2 = x2 - k2;
        const x0 = x2;
        while (x2 < N && y2 < M && eq(aHi - 1 - x2, bHi - 1 - y2)) { x2++; y2++; }
        budget -= 1 + x2 - x0;
        vb[ko] = x2;
        if (x2 > N) k2e += 2;
        else if (y2 > M) k2s += 2;
        else if (!front) {
          const k1o = off + delta - k2;
          if (k1o >= 0 && k1o < vLen && vf[k1o] !== -1) {
            const x1 = vf[k1o]!;
            const y1 = off + x1 - k1o;
            if (x1 >= N - x2) { sx = x1; sy = y1; break search; }
          }
        }
      }
      if (budget <= 0) break;
    }
    if (sx < 0) {
      // No overlap found (or budget exhausted): the region is a plain replacement.
      if (budget <= 0) exact = false;
      push('delete', aLo, bLo, N);
      push('insert', aHi, bLo, M);
      push('equal', suffix.a, suffix.b, suffix.n);
      continue;
    }
    // Process left half, then right half, then the suffix (stack is LIFO).
    stack.push({ emit: suffix });
    stack.push({ aLo: aLo + sx, aHi, bLo: bLo + sy, bHi });
    stack.push({ aLo, aHi: aLo + sx, bLo, bHi: bLo + sy });
  }
  return { runs: normalizeRuns(raw), exact };
}

/**
 * Coalesce runs so that every changed region between two equal runs is exactly one delete followed by
 * one insert (either may be absent), and adjacent equal runs are merged.
 */
export function normalizeRuns(raw: EditRun[]): EditRun[] {
  const out: EditRun[] = [];
  let ra = -1, raEnd = 0, rb = -1, rbEnd = 0;
  const flush = () => {
    if (ra < 0) return;
    if (raEnd > ra) out.push({ op: 'delete', a: ra, b: rb, n: raEnd - ra });
    if (rbEnd > rb) out.push({ op: 'insert', a: raEnd, b: rb, n: rbEnd - rb });
    ra = -1;
  };
  for (const r of raw) {
    if (r.op === 'equal') {
      flush();
      const last = out[out.length - 1];
      if (last && last.op === 'equal' && last.a + last.n === r.a && last.b + last.n === r.b) last.n += r.n;
      else out.push({ ...r });
      continue;
    }
    if (ra < 0) { ra = r.a; raEnd = r.a; rb = r.b; rbEnd = r.b; }
    if (r.op === 'delete') raEnd = r.a + r.n;
    else rbEnd = r.b + r.n;
  }
  flush();
  return out;
}
