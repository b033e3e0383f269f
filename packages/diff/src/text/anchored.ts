import { KeyTable, tableCapacity } from '../table/key-table.js';
import { myersDiff, normalizeRuns, type EditRun } from './myers.js';

/**
 * Patience-style alignment for long sequences: elements that occur exactly once in each sequence are
 * anchors; the longest chain of anchors in order on both sides splits the problem into small gaps,
 * each solved exactly with Myers. Elements are given as 64-bit hashes (two int32 lanes) and are equal
 * when both lanes are. Near-linear for typical data (rows edited in place, inserted or deleted) where
 * plain Myers is O(N·D).
 */
export function anchoredDiff(
  ha1: Int32Array, ha2: Int32Array, n: number, hb1: Int32Array, hb2: Int32Array, m: number,
  opts: { maxCost?: number } = {},
): { runs: EditRun[]; exact: boolean } {
  const eq = (i: number, j: number) => ha1[i] === hb1[j] && ha2[i] === hb2[j];
  if (n + m < 4096) return myersDiff(n, m, eq, opts);
  const uniq = (h1: Int32Array, h2: Int32Array, len: number) => {
    const t = new KeyTable(tableCapacity(len));
    const dup = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      const prev = t.add(h1[i]!, h2[i]!, i);
      if (prev !== -1) { dup[prev] = 1; dup[i] = 1; }
    }
    return { t, dup };
  };
  const A = uniq(ha1, ha2, n);
  const B = uniq(hb1, hb2, m);
  // Candidate anchors in b's order, then the longest increasing run of their a indices (patience sorting).
  const candI = new Int32Array(m);
  const candJ = new Int32Array(m);
  let nc = 0;
  for (let j = 0; j < m; j++) {
    if (B.dup[j]) continue;
    const i = A.t.get(hb1[j]!, hb2[j]!);
    if (i >= 0 && !A.dup[i]) { candI[nc] = i; candJ[nc] = j; nc++; }
  }
  const tails = new Int32Array(nc); // index into cand of the smallest tail of each length
  let nt = 0;
  const prev = new Int32Array(nc).fill(-1);
  for (let c = 0; c < nc; c++) {
    const v = candI[c]!;
    let lo = 0, hi = nt;
    if (nt > 0 && candI[tails[nt - 1]!]! < v) lo = nt; // extends the longest run (the usual case: rows in order)
    else while (lo < hi) { const mid = (lo + hi) >> 1; if (candI[tails[mid]!]! < v) lo = mid + 1; else hi = mid; }
    if (lo > 0) prev[c] = tails[lo - 1]!;
    tails[lo] = c;
    if (lo === nt) nt++;
  }
  let nchain = 0;
  for (let c = nt ? tails[nt - 1]! : -1; c >= 0; c = prev[c]!) nchain++;
  const chain = new Int32Array(nchain);
  for (let c = nt ? tails[nt - 1]! : -1, k = nchain - 1; c >= 0; c = prev[c]!, k--) chain[k] = c;

  const raw: EditRun[] = [];
  let exact = true;
  let budget = opts.maxCost ?? 50_000_000;
  const gap = (a0: number, a1: number, b0: number, b1: number) => {
    if (a1 <= a0 && b1 <= b0) return;
    const r = myersDiff(a1 - a0, b1 - b0, (i, j) => eq(a0 + i, b0 + j), { maxCost: Math.max(1, budget) });
    budget -= (a1 - a0 + b1 - b0);
    if (!r.exact) exact = false;
    for (const run of r.runs) raw.push({ op: run.op, a: run.a + a0, b: run.b + b0, n: run.n });
  };
  let pa = 0, pb = 0;
  for (let k = 0; k < nchain; k++) {
    const c = chain[k]!;
    const i = candI[c]!;
    const j = candJ[c]!;
    gap(pa, i, pb, j);
    // An anchor right after an equal run extends it (as normalizeRuns would), so runs stay few.
    const last = raw[raw.length - 1];
    if (last && last.op === 'equal' && last.a + last.n === i && last.b + last.n === j) last.n++;
    else raw.push({ op: 'equal', a: i, b: j, n: 1 });
    pa = i + 1; pb = j + 1;
  }
  gap(pa, n, pb, m);
  return { runs: normalizeRuns(raw), exact };
}
