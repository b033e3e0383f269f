import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { myersDiff, type EditRun } from './myers.js';

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
