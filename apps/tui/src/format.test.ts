import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { fit, formatBytes, formatDate, percent, progressBar, statusMark, windowStart } from './format.js';

describe('format', () => {
  test('sizes and dates', () => {
    expect(formatBytes(17)).toBe('17 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(-1)).toBe('?');
    expect(formatDate('2026-05-01T09:02:03.456Z')).toBe('2026-05-01 09:02Z');
    expect(formatDate('2026-05-01T11:02:00+02:00')).toBe('2026-05-01 09:02Z');
    expect(formatDate('not a date')).toBe('not a date');
  });

  test('status marks: ✓ verified, archived, · otherwise', () => {
    expect(statusMark({ status: 'verified' })).toBe('✓');
    expect(statusMark({ status: 'active', archive: 'daily/a.tar.gz' })).toBe('archived');
    expect(statusMark({ status: 'archived' })).toBe('archived');
    expect(statusMark({ status: 'active' })).toBe('·');
  });

  test('fit pads or cuts to the width', () => {
    expect(fit('abc', 5)).toBe('abc  ');
    expect(fit('abcdef', 4)).toBe('abc…');
  });

  test('the window always contains the cursor (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 250 }), fc.nat(250), (count, height, cur, prev) => {
        const cursor = count ? cur % count : 0;
        const start = windowStart(count, cursor, height, prev);
        expect(start).toBeGreaterThanOrEqual(0);
        if (count > 0) {
          expect(cursor).toBeGreaterThanOrEqual(start);
          expect(cursor).toBeLessThan(start + height);
          expect(start + height <= count || start === 0).toBe(true);
        }
      }),
    );
  });

  test('progress bar width is fixed and fills with the percentage', () => {
    expect(progressBar(0, 100, 10)).toBe('[----------]');
    expect(progressBar(50, 100, 10)).toBe('[#####-----]');
    expect(progressBar(100, 100, 10)).toBe('[##########]');
    expect(percent(5, 0)).toBe(100);
    expect(percent(0, 0)).toBe(0);
    fc.assert(fc.property(fc.nat(), fc.nat(), fc.integer({ min: 4, max: 50 }), (l, t, w) => {
      expect(progressBar(l, t, w)).toHaveLength(w + 2);
    }));
  });
});
