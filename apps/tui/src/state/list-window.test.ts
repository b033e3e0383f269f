import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { listWindow, positionLabel } from './list-window.js';

describe('listWindow', () => {
  test('short lists show everything; long lists a window of exactly `height` rows', () => {
    expect(listWindow(5, 2, 10)).toEqual({ start: 0, end: 5 });
    expect(listWindow(100_000, 0, 20)).toEqual({ start: 0, end: 20 });
    expect(listWindow(100_000, 99_999, 20)).toEqual({ start: 99_980, end: 100_000 });
    expect(listWindow(0, 0, 20)).toEqual({ start: 0, end: 0 });
    expect(listWindow(10, 3, 0)).toEqual({ start: 0, end: 0 });
  });

  test('the window stays put while the cursor moves inside it, and follows it out', () => {
    let w = listWindow(1000, 0, 10);
    w = listWindow(1000, 9, 10, w.start);
    expect(w.start).toBe(0);
    w = listWindow(1000, 10, 10, w.start);
    expect(w.start).toBe(1);
    w = listWindow(1000, 5, 10, w.start);
    expect(w.start).toBe(1);
    w = listWindow(1000, 0, 10, w.start);
    expect(w.start).toBe(0);
  });

  test('property: cursor visible, window within the list, never taller than the height', () => {
    fc.assert(
      fc.property(fc.nat(200_000), fc.integer({ min: -5, max: 200_005 }), fc.integer({ min: 0, max: 80 }), fc.integer({ min: -10, max: 200_010 }), (count, cursor, height, prev) => {
        const w = listWindow(count, cursor, height, prev);
        expect(w.start).toBeGreaterThanOrEqual(0);
        expect(w.end).toBeLessThanOrEqual(count);
        expect(w.end - w.start).toBeLessThanOrEqual(height);
        expect(w.end - w.start).toBe(Math.min(count, Math.max(0, height)));
        const c = Math.max(0, Math.min(count - 1, cursor));
        if (height > 0 && count > 0) expect(c >= w.start && c < w.end).toBe(true);
      }),
    );
  });

  test('position label', () => {
    expect(positionLabel(100_000, 41)).toBe('42/100000');
    expect(positionLabel(0, 0)).toBe('');
  });
});
