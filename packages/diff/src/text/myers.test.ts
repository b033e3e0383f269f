import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { myersDiff, normalizeRuns, type EditRun } from './myers.js';
import { KeyTable } from '../table/key-table.js';

function lcsLength(a: readonly number[], b: readonly number[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      dp[i]![j] = a[i - 1] === b[j - 1] ? dp[i - 1]![j - 1]! + 1 : Math.max(dp[i - 1]![j]!, dp[i]![j - 1]!);
  return dp[a.length]![b.length]!;
}

function check(a: number[], b: number[], runs: EditRun[]): void {
  // Runs cover a and b in order and rebuild b from a.
  let ai = 0, bi = 0;
  const out: number[] = [];
  for (const r of runs) {
    expect(r.n).toBeGreaterThan(0);
    if (r.op === 'equal') {
      expect(r.a).toBe(ai); expect(r.b).toBe(bi);
      for (let k = 0; k < r.n; k++) out.push(a[r.a + k]!);
      ai += r.n; bi += r.n;
    } else if (r.op === 'delete') {
      expect(r.a).toBe(ai); ai += r.n;
    } else {
      expect(r.b).toBe(bi);
      for (let k = 0; k < r.n; k++) out.push(b[r.b + k]!);
      bi += r.n;
    }
  }
  expect(ai).toBe(a.length);
  expect(bi).toBe(b.length);
  expect(out.length).toBe(b.length);
  expect(out.every((v, i) => v === b[i])).toBe(true);
}

describe('myersDiff', () => {
  it('finds a minimal edit script that rebuilds b from a', () => {
    const arr = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 40 });
    fc.assert(fc.property(arr, arr, (a, b) => {
      const { runs, exact } = myersDiff(a.length, b.length, (i, j) => a[i] === b[j]);
      expect(exact).toBe(true);
      check(a, b, runs);
      const equal = runs.filter((r) => r.op === 'equal').reduce((s, r) => s + r.n, 0);
      expect(equal).toBe(lcsLength(a, b));
      // Normalised: no two adjacent runs of the same op, deletes before inserts.
      for (let i = 1; i < runs.length; i++) {
        expect(runs[i]!.op === runs[i - 1]!.op).toBe(false);
        expect(runs[i - 1]!.op === 'insert' && runs[i]!.op === 'delete').toBe(false);
      }
    }), { numRuns: 500 });
  });

  it('falls back to a valid (non-minimal) script when the budget is exhausted', () => {
    const a = Array.from({ length: 3000 }, (_, i) => (i * 7919) % 101);
    const b = Array.from({ length: 3000 }, (_, i) => (i * 104729) % 103);
    const { runs, exact } = myersDiff(a.length, b.length, (i, j) => a[i] === b[j], { maxCost: 1000 });
    expect(exact).toBe(false);
    check(a, b, runs);
  });

  it('handles large inputs with few differences quickly', () => {
    const a = Array.from({ length: 1_000_000 }, (_, i) => i);
    const b = a.slice();
    b.splice(500_000, 3, -1, -2);
    b.push(-9);
    const { runs } = myersDiff(a.length, b.length, (i, j) => a[i] === b[j]);
    check(a, b, runs);
    expect(runs.map((r) => r.op)).toEqual(['equal', 'delete', 'insert', 'equal', 'insert']);
  });
});

describe('anchoredDiff', () => {
  it('produces a valid script for long sequences (anchors + Myers in the gaps)', async () => {
    const { anchoredDiff } = await import('./anchored.js');
    fc.assert(fc.property(
      fc.integer({ min: 3000, max: 6000 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 }), fc.integer({ min: -1, max: 50 })), { maxLength: 60 }),
      (len, edits) => {
        // Mostly unique values with some repeats, edited by deletes, inserts, duplicates and moves.
        const a = Array.from({ length: len }, (_, i) => (i % 10 === 0 ? -1 : i));
        const b = a.slice();
        for (const [pos, kind, v] of edits) {
          const p = pos % (b.length + 1);
          if (kind === 0) b.splice(p, 1);
          else if (kind === 1) b.splice(p, 0, 1_000_000 + v);
          else if (kind === 2) b.splice(p, 0, v);
          else b.push(...b.splice(p, 3));
        }
        const ha = Int32Array.from(a);
        const hb = Int32Array.from(b);
        const { runs, exact } = anchoredDiff(ha, new Int32Array(a.length), a.length, hb, new Int32Array(b.length), b.length);
        expect(exact).toBe(true);
        check(a, b, runs);
        const changed = runs.filter((r) => r.op !== 'equal').reduce((s, r) => s + r.n, 0);
        expect(changed).toBeLessThanOrEqual(2 * (edits.length * 3 + 2) + 2);
      },
    ), { numRuns: 40 });
  });
});

// The anchored diff as it was before its arrays became typed and its anchor runs were merged on the fly:
// the new one must give exactly the same runs.
function referenceAnchored(
  ha1: Int32Array, ha2: Int32Array, n: number, hb1: Int32Array, hb2: Int32Array, m: number,
  opts: { maxCost?: number } = {},
): { runs: EditRun[]; exact: boolean } {
  const eq = (i: number, j: number) => ha1[i] === hb1[j] && ha2[i] === hb2[j];
  if (n + m < 4096) return myersDiff(n, m, eq, opts);
  const uniq = (h1: Int32Array, h2: Int32Array, len: number) => {
    const t = new KeyTable();
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
  const candI: number[] = [];
  const candJ: number[] = [];
  for (let j = 0; j < m; j++) {
    if (B.dup[j]) continue;
    const i = A.t.get(hb1[j]!, hb2[j]!);
    if (i >= 0 && !A.dup[i]) { candI.push(i); candJ.push(j); }
  }
  const tails: number[] = []; // index into cand of the smallest tail of each length
  const prev = new Int32Array(candI.length).fill(-1);
  for (let c = 0; c < candI.length; c++) {
    const v = candI[c]!;
    let lo = 0, hi = tails.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (candI[tails[mid]!]! < v) lo = mid + 1; else hi = mid; }
    if (lo > 0) prev[c] = tails[lo - 1]!;
    tails[lo] = c;
  }
  const chain: number[] = [];
  for (let c = tails.length ? tails[tails.length - 1]! : -1; c >= 0; c = prev[c]!) chain.push(c);
  chain.reverse();

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
  for (const c of chain) {
    const i = candI[c]!;
    const j = candJ[c]!;
    gap(pa, i, pb, j);
    raw.push({ op: 'equal', a: i, b: j, n: 1 });
    pa = i + 1; pb = j + 1;
  }
  gap(pa, n, pb, m);
  return { runs: normalizeRuns(raw), exact };
}

describe('anchoredDiff matches its reference implementation', () => {
  it('gives the same runs on long sequences with repeats, moves, inserts and deletes', async () => {
    const { anchoredDiff } = await import('./anchored.js');
    fc.assert(fc.property(
      fc.integer({ min: 2100, max: 5000 }), fc.integer({ min: 2, max: 40 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 }), fc.integer({ min: -1, max: 50 })), { maxLength: 80 }),
      (len, every, edits) => {
        const a = Array.from({ length: len }, (_, i) => (i % every === 0 ? -(i % 7) : i));
        const b = a.slice();
        for (const [pos, kind, v] of edits) {
          const p = pos % (b.length + 1);
          if (kind === 0) b.splice(p, 1 + (v & 7));
          else if (kind === 1) b.splice(p, 0, 1_000_000 + v);
          else if (kind === 2) b.splice(p, 0, v);
          else b.push(...b.splice(p, 1 + (v & 15)));
        }
        const ha = Int32Array.from(a);
        const hb = Int32Array.from(b);
        const ha2 = Int32Array.from(a, (x) => x * 7);
        const hb2 = Int32Array.from(b, (x) => x * 7);
        for (const maxCost of [undefined, 500]) {
          const got = anchoredDiff(ha, ha2, a.length, hb, hb2, b.length, { maxCost });
          const want = referenceAnchored(ha, ha2, a.length, hb, hb2, b.length, { maxCost });
          expect(got).toEqual(want);
        }
      },
    ), { numRuns: 60 });
  });
});
