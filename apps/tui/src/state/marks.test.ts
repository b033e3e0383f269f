import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { markedPair, toggleMark } from './marks.js';

describe('marks', () => {
  test('at most two, unique, the newest mark always kept (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a@1', 'a@2', 'b@1', 'b@3'), { maxLength: 30 }), (keys) => {
        let marks: string[] = [];
        for (const k of keys) {
          const was = marks.includes(k);
          marks = toggleMark(marks, k);
          expect(marks.length).toBeLessThanOrEqual(2);
          expect(new Set(marks).size).toBe(marks.length);
          expect(marks.includes(k)).toBe(!was);
        }
      }),
    );
  });

  test('a third mark drops the oldest', () => {
    expect(toggleMark(['a@1', 'a@2'], 'b@1')).toEqual(['a@2', 'b@1']);
  });

  test('the pair is ordered older → newer by save order whatever the marking order', () => {
    const recs = new Map([
      ['a@1', { path: 'a', version: 1, seq: 0 }],
      ['b@1', { path: 'b', version: 1, seq: 1 }],
      ['a@2', { path: 'a', version: 2, seq: 2 }],
    ]);
    const find = (k: string) => recs.get(k);
    expect(markedPair(['a@2', 'a@1'], find)!.map((v) => v.version)).toEqual([1, 2]);
    expect(markedPair(['b@1', 'a@1'], find)!.map((v) => `${v.path}@${v.version}`)).toEqual(['a@1', 'b@1']);
    expect(markedPair(['a@1'], find)).toBeNull();
    expect(markedPair(['a@1', 'gone@9'], find)).toBeNull();
  });
});
