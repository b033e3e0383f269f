import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { clampNav, initialNav, navigate } from './navigation.js';
import type { Action, NavCounts, NavState } from './navigation.js';
import { keyToAction, splitInput } from './keymap.js';

const counts = (over: Partial<NavCounts> = {}): NavCounts => ({ files: 3, versions: 5, viewLines: 40, listHeight: 4, viewHeight: 10, ...over });

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  fc.integer({ min: -3, max: 3 }).map((delta): Action => ({ type: 'move', delta })),
  fc.constantFrom<Action>(
    { type: 'page', dir: 1 },
    { type: 'page', dir: -1 },
    { type: 'home' },
    { type: 'end' },
    { type: 'focusNext' },
    { type: 'focusPrev' },
    { type: 'open' },
    { type: 'back' },
    { type: 'diff' },
    { type: 'toggleDiffTarget' },
    { type: 'restore' },
    { type: 'verify' },
    { type: 'retention' },
    { type: 'apply' },
    { type: 'remotes' },
    { type: 'push' },
    { type: 'help' },
    { type: 'confirm' },
    { type: 'cancel' },
    // issue 15 (work)
    { type: 'save' },
    { type: 'saveAll' },
    { type: 'tag' },
    { type: 'mark' },
    { type: 'diffMarked' },
    { type: 'filter' },
    { type: 'match', dir: 1 },
    { type: 'match', dir: -1 },
  ),
);

const countsArb = fc.record({
  files: fc.integer({ min: 0, max: 8 }),
  versions: fc.integer({ min: 0, max: 8 }),
  viewLines: fc.integer({ min: 0, max: 60 }),
  listHeight: fc.integer({ min: 1, max: 10 }),
  viewHeight: fc.integer({ min: 1, max: 20 }),
});

describe('navigate', () => {
  test('cursors and scroll stay inside the lists for any key sequence (property)', () => {
    fc.assert(
      fc.property(countsArb, fc.array(actionArb, { maxLength: 60 }), (c, actions) => {
        let s: NavState = initialNav;
        for (const a of actions) {
          s = navigate(s, a, c);
          expect(s.file).toBeGreaterThanOrEqual(0);
          expect(s.file).toBeLessThanOrEqual(Math.max(0, c.files - 1));
          expect(s.version).toBeGreaterThanOrEqual(0);
          expect(s.version).toBeLessThanOrEqual(Math.max(0, c.versions - 1));
          expect(s.scroll).toBeGreaterThanOrEqual(0);
          expect(s.scroll).toBeLessThanOrEqual(Math.max(0, c.viewLines - c.viewHeight));
          // the view pane only has focus while a view is open
          if (s.focus === 'view') expect(s.view).not.toBeNull();
          expect(s.quit).toBe(false);
        }
      }),
    );
  });

  test('moving to another file starts at its newest version', () => {
    let s = navigate(initialNav, { type: 'focusNext' }, counts());
    s = navigate(s, { type: 'move', delta: 3 }, counts());
    expect(s.version).toBe(3);
    s = navigate(s, { type: 'focusPrev' }, counts());
    s = navigate(s, { type: 'move', delta: 1 }, counts());
    expect(s).toMatchObject({ file: 1, version: 0, focus: 'files' });
  });

  test('d from the files pane compares the latest save with the working file, from history with the previous version', () => {
    const fromFiles = navigate({ ...initialNav, version: 2 }, { type: 'diff' }, counts());
    expect(fromFiles).toMatchObject({ view: 'diff', diffAgainst: 'working', version: 0 });
    const fromHistory = navigate({ ...initialNav, focus: 'history', version: 2 }, { type: 'diff' }, counts());
    expect(fromHistory).toMatchObject({ view: 'diff', diffAgainst: 'previous', version: 2 });
    expect(navigate(fromHistory, { type: 'toggleDiffTarget' }, counts()).diffAgainst).toBe('working');
    // nothing saved: nothing to compare
    expect(navigate(initialNav, { type: 'diff' }, counts({ versions: 0 })).view).toBeNull();
  });

  test('PgDn pages the open view by its height even when the history has focus', () => {
    let s: NavState = { ...initialNav, focus: 'history', view: 'diff' };
    s = navigate(s, { type: 'page', dir: 1 }, counts());
    expect(s).toMatchObject({ scroll: 10, version: 0, focus: 'history' });
    s = navigate(s, { type: 'page', dir: 1 }, counts());
    s = navigate(s, { type: 'page', dir: 1 }, counts());
    expect(s.scroll).toBe(30);
    s = navigate(s, { type: 'page', dir: 1 }, counts());
    expect(s.scroll).toBe(30);
    s = navigate(s, { type: 'page', dir: -1 }, counts());
    expect(s.scroll).toBe(20);
    // without a view PgDn pages the focused list
    expect(navigate({ ...initialNav, focus: 'history' }, { type: 'page', dir: 1 }, counts()).version).toBe(4);
  });

  test('Tab cycles files → history → view (when one is open) → files', () => {
    const c = counts();
    const seq = (s: NavState, n: number) => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push((s = navigate(s, { type: 'focusNext' }, c)).focus);
      return out;
    };
    expect(seq(initialNav, 3)).toEqual(['history', 'files', 'history']);
    expect(seq({ ...initialNav, view: 'detail' }, 4)).toEqual(['history', 'view', 'files', 'history']);
  });

  test('Esc steps back: view focus → history, open view → closed, history → files', () => {
    let s: NavState = { ...initialNav, focus: 'view', view: 'verify' };
    s = navigate(s, { type: 'back' }, counts());
    expect(s).toMatchObject({ focus: 'history', view: 'verify' });
    s = navigate(s, { type: 'back' }, counts());
    expect(s).toMatchObject({ focus: 'history', view: null });
    s = navigate(s, { type: 'back' }, counts());
    expect(s.focus).toBe('files');
  });

  test('help takes the next key; q there quits', () => {
    const h = navigate(initialNav, { type: 'help' }, counts());
    expect(h.help).toBe(true);
    expect(navigate(h, { type: 'move', delta: 1 }, counts())).toMatchObject({ help: false, file: 0 });
    expect(navigate(h, { type: 'quit' }, counts()).quit).toBe(true);
  });

  test('clampNav pulls cursors back after a reload shrank the lists', () => {
    const s: NavState = { ...initialNav, file: 5, version: 3, scroll: 30, view: null, focus: 'view' };
    expect(clampNav(s, counts({ files: 2, versions: 2, viewLines: 5 }))).toMatchObject({ file: 1, version: 0, scroll: 0, focus: 'history' });
    const ok = { ...initialNav, file: 1 };
    expect(clampNav(ok, counts())).toBe(ok);
  });
});

describe('keys', () => {
  test('the documented keys map to their actions', () => {
    expect(keyToAction('j', {}, 'normal')).toEqual({ type: 'move', delta: 1 });
    expect(keyToAction('', { upArrow: true }, 'normal')).toEqual({ type: 'move', delta: -1 });
    expect(keyToAction('', { tab: true }, 'normal')).toEqual({ type: 'focusNext' });
    expect(keyToAction('', { tab: true, shift: true }, 'normal')).toEqual({ type: 'focusPrev' });
    expect(keyToAction('', { return: true }, 'normal')).toEqual({ type: 'open' });
    expect(keyToAction('', { pageDown: true }, 'normal')).toEqual({ type: 'page', dir: 1 });
    for (const [k, type] of [['d', 'diff'], ['r', 'restore'], ['v', 'verify'], ['p', 'retention'], ['c', 'remotes'], ['u', 'push'], ['?', 'help'], ['q', 'quit']] as const) {
      expect(keyToAction(k, {}, 'normal')).toEqual({ type });
    }
  });

  test('a dialog only takes yes / no; q there cancels instead of quitting', () => {
    expect(keyToAction('y', {}, 'dialog')).toEqual({ type: 'confirm' });
    expect(keyToAction('', { return: true }, 'dialog')).toEqual({ type: 'confirm' });
    expect(keyToAction('q', {}, 'dialog')).toEqual({ type: 'cancel' });
    expect(keyToAction('', { escape: true }, 'dialog')).toEqual({ type: 'cancel' });
    expect(keyToAction('r', {}, 'dialog')).toBeNull();
    expect(keyToAction('j', {}, 'dialog')).toBeNull();
  });

  test('a chunk of several keys is split into single keys', () => {
    expect(splitInput('\tdj', {})).toEqual([['', { tab: true }], ['d', {}], ['j', {}]]);
    expect(splitInput('y\r', {})).toEqual([['y', {}], ['', { return: true }]]);
    expect(splitInput('G', { shift: true })).toEqual([['G', { shift: true }]]);
    expect(splitInput('', { downArrow: true })).toEqual([['', { downArrow: true }]]);
  });
});
