import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { editLine, lineOf, lineText } from './line-edit.js';
import type { LineState } from './line-edit.js';
import type { KeyInfo } from './keymap.js';

const keyArb: fc.Arbitrary<[string, KeyInfo]> = fc.oneof(
  fc.string({ minLength: 1, maxLength: 3 }).map((s): [string, KeyInfo] => [s, {}]),
  fc.constantFrom<[string, KeyInfo]>(['', { leftArrow: true }], ['', { rightArrow: true }], ['', { home: true }], ['', { end: true }], ['', { backspace: true }], ['', { delete: true }], ['u', { ctrl: true }], ['', { upArrow: true }], ['', { tab: true }], ['\u0007', {}]),
);

describe('line editor', () => {
  test('typing a text key by key gives that text (printable characters only)', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        let s: LineState = lineOf('');
        for (const ch of text) s = editLine(s, ch, {});
        expect(lineText(s)).toBe([...text].filter((c) => c >= ' ' && c !== '\u007f').join(''));
      }),
    );
  });

  test('the cursor stays inside the text and no control character gets in (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(keyArb, { maxLength: 40 }), (start, keys) => {
        let s = lineOf(start.replace(/[\u0000-\u001f\u007f]/g, ''));
        for (const [input, key] of keys) {
          s = editLine(s, input, key);
          expect(s.cursor).toBeGreaterThanOrEqual(0);
          expect(s.cursor).toBeLessThanOrEqual(s.chars.length);
          expect(lineText(s)).not.toMatch(/[\u0000-\u001f\u007f]/);
        }
      }),
    );
  });

  test('inserts at the cursor, Backspace deletes before it, Ctrl-U clears', () => {
    let s = lineOf('sp/data.csv/v2');
    s = editLine(s, '', { home: true });
    s = editLine(s, 'x', {});
    expect(lineText(s)).toBe('xsp/data.csv/v2');
    s = editLine(s, '', { backspace: true });
    expect(lineText(s)).toBe('sp/data.csv/v2');
    expect(editLine(s, '', { backspace: true })).toBe(s);
    s = editLine(editLine(s, '', { end: true }), '', { leftArrow: true });
    s = editLine(s, 'é', {});
    expect(lineText(s)).toBe('sp/data.csv/vé2');
    expect(lineText(editLine(s, 'u', { ctrl: true }))).toBe('');
  });
});
