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
