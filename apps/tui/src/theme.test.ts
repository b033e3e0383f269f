import { expect, test } from 'vitest';
import { detectBackground, makeTheme } from './theme.js';

test('palettes use named terminal colours, never white or black text; NO_COLOR has none at all', () => {
  for (const bg of ['light', 'dark'] as const) {
    const t = makeTheme(true, bg);
    for (const c of [t.accent, t.ok, t.bad, t.warn, t.muted, t.border, t.focusBorder]) {
      expect(c).toMatch(/^(red|green|blue|cyan|magenta|yellow|gray)$/);
    }
  }
  // colours that fade on white are not used on a light background
  expect(Object.values(makeTheme(true, 'light'))).not.toContain('yellow');
  expect(Object.values(makeTheme(true, 'light'))).not.toContain('cyan');
  const none = makeTheme(false, 'light');
  expect([none.accent, none.ok, none.bad, none.warn, none.muted, none.border, none.focusBorder].every((c) => c === undefined)).toBe(true);
});

test('COLORFGBG tells a light background from a dark one', () => {
  expect(detectBackground({ COLORFGBG: '0;15' })).toBe('light');
  expect(detectBackground({ COLORFGBG: '0;default;7' })).toBe('light');
  expect(detectBackground({ COLORFGBG: '15;0' })).toBe('dark');
  expect(detectBackground({})).toBe('dark');
});
