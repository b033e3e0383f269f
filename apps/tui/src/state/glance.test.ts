import { describe, expect, test } from 'vitest';
import { glanceParts, timeAgo, verdict321 } from './glance.js';

const now = new Date('2026-06-01T12:00:00Z');

describe('status at a glance', () => {
  test('time ago', () => {
    expect(timeAgo('2026-06-01T11:59:30Z', now)).toBe('just now');
    expect(timeAgo('2026-06-01T11:58:00Z', now)).toBe('2 min ago');
    expect(timeAgo('2026-06-01T09:00:00Z', now)).toBe('3 h ago');
    expect(timeAgo('2026-05-29T12:00:00Z', now)).toBe('3 d ago');
    expect(timeAgo('2026-01-01T12:00:00Z', now)).toBe('2026-01-01');
    // a clock behind the save (another machine) is not "in -3 min"
    expect(timeAgo('2026-06-01T12:03:00Z', now)).toBe('just now');
    expect(timeAgo(undefined, now)).toBe('never');
  });

  test('every state has a word or mark, not colour alone', () => {
    const parts = glanceParts({ now, lastSaveAt: '2026-06-01T11:58:00Z', verify: { phase: 'done', ok: false, at: '2026-06-01T11:00:00Z' }, queued: 2, copies: { versions: 4, ok321: 1, singleCopy: 3, withOffsite: 1, minCopies: 1 } });
    expect(parts.map((p) => p.text)).toEqual(['saved 2 min ago', 'verify ✗ FAILED 1 h ago', '2 pushes queued', '3-2-1 ✗ 1/4']);
    const ok = glanceParts({ now, lastSaveAt: undefined, verify: { phase: 'done', ok: true, at: '2026-06-01T12:00:00Z' }, queued: 0, copies: { versions: 2, ok321: 2, singleCopy: 0, withOffsite: 2, minCopies: 3 } });
    expect(ok.map((p) => p.text)).toEqual(['never saved', 'verify ✓ just now', '0 queued', '3-2-1 ✓ 2/2']);
    expect(glanceParts({ now, lastSaveAt: undefined, verify: { phase: 'never' }, queued: null, copies: null }).map((p) => p.text)).toEqual(['never saved', 'verify –']);
  });

  test('3-2-1 verdict', () => {
    expect(verdict321({ versions: 0, ok321: 0, singleCopy: 0, withOffsite: 0, minCopies: 0 }).text).toBe('3-2-1 –');
    expect(verdict321({ versions: 3, ok321: 0, singleCopy: 3, withOffsite: 0, minCopies: 1 })).toEqual({ text: '3-2-1 ✗ 0/3', tone: 'bad' });
  });
});
