import { describe, expect, test } from 'vitest';
import { render } from 'ink-testing-library';
import { HelpOverlay } from '../components/HelpOverlay.js';
import { editLine, lineOf } from './line-edit.js';
import { KEYMAP, keyLabel, keyToAction, pressedNames } from './keymap.js';
import type { KeyInfo, KeyMode } from './keymap.js';

/** Every key a terminal can send that Ink reports: printable ASCII, Ctrl-letters and the named keys. */
const PRESSES: [string, KeyInfo][] = [
  ...Array.from({ length: 95 }, (_, i): [string, KeyInfo] => {
    const ch = String.fromCharCode(32 + i);
    return [ch, /[A-Z]/.test(ch) ? { shift: true } : {}];
  }),
  ...Array.from({ length: 26 }, (_, i): [string, KeyInfo] => [String.fromCharCode(97 + i), { ctrl: true }]),
  ...(['upArrow', 'downArrow', 'leftArrow', 'rightArrow', 'pageUp', 'pageDown', 'home', 'end', 'return', 'escape', 'tab', 'backspace', 'delete'] as const).map((k): [string, KeyInfo] => ['', { [k]: true }]),
  ['', { tab: true, shift: true }],
];
const MODES: KeyMode[] = ['normal', 'dialog', 'prompt', 'help'];

const overlay = () => {
  const inst = render(<HelpOverlay width={200} />);
  const text = inst.lastFrame() ?? '';
  inst.unmount();
  return text;
};

describe('the keymap is the single source of the help screen', () => {
  const help = overlay();
  const lines = help.split('\n');

  test('every key that does something in any mode is listed in the help with its description', () => {
    let handled = 0;
    for (const mode of MODES) {
      for (const [input, key] of PRESSES) {
        const action = keyToAction(input, key, mode);
        if (!action) continue;
        handled++;
        const names = pressedNames(input, key);
        const entry = KEYMAP.find((e) => e.mode === mode && e.action === action)!;
        expect(entry, `${mode} ${JSON.stringify([input, key])}`).toBeDefined();
        const listed = entry.keys.find((n) => names.includes(n) || n === 'any key')!;
        // the help row shows the key (as its label) and what it does, on one line
        const row = lines.find((l) => !l.includes('— ') && l.includes(entry.description));
        expect(row, `help row for ${entry.description}`).toBeDefined();
        expect(row).toContain(keyLabel(listed));
      }
    }
    expect(handled).toBeGreaterThan(100);
  });

  test('every key the prompt editor acts on is listed under text prompts', () => {
    const promptKeys = new Set(KEYMAP.filter((e) => e.mode === 'prompt').flatMap((e) => e.keys));
    const start = { chars: [...'abc'], cursor: 1 };
    for (const [input, key] of PRESSES) {
      if (keyToAction(input, key, 'prompt')) continue;
      const next = editLine(start, input, key);
      if (next === start) continue;
      const names = pressedNames(input, key);
      // printable characters type themselves; every other editing key must be documented
      if (input.length === 1 && !key.ctrl) continue;
      expect(names.some((n) => promptKeys.has(n)), `prompt key ${JSON.stringify([input, key])} (${names.join()}) is not in the help`).toBe(true);
    }
    expect(editLine(lineOf('x'), 'u', { ctrl: true }).chars).toEqual([]);
  });

  test('no key is bound twice in one mode', () => {
    for (const mode of MODES) {
      const seen = new Map<string, string>();
      for (const e of KEYMAP.filter((x) => x.mode === mode)) {
        for (const n of e.keys) {
          expect(seen.get(n), `${mode}: ${n} bound to "${seen.get(n)}" and "${e.label}"`).toBeUndefined();
          seen.set(n, e.label);
        }
      }
    }
  });

  test('the work keys (issue 15) map to their actions', () => {
    expect(keyToAction('s', {}, 'normal')).toEqual({ type: 'save' });
    expect(keyToAction('S', { shift: true }, 'normal')).toEqual({ type: 'saveAll' });
    expect(keyToAction('t', {}, 'normal')).toEqual({ type: 'tag' });
    expect(keyToAction('m', {}, 'normal')).toEqual({ type: 'mark' });
    expect(keyToAction('D', { shift: true }, 'normal')).toEqual({ type: 'diffMarked' });
    expect(keyToAction('/', {}, 'normal')).toEqual({ type: 'filter' });
    expect(keyToAction('n', {}, 'normal')).toEqual({ type: 'match', dir: 1 });
    expect(keyToAction('N', { shift: true }, 'normal')).toEqual({ type: 'match', dir: -1 });
    // in a prompt only Enter and Esc are actions; letters are text
    expect(keyToAction('q', {}, 'prompt')).toBeNull();
    expect(keyToAction('', { return: true }, 'prompt')).toEqual({ type: 'confirm' });
    expect(keyToAction('', { escape: true }, 'prompt')).toEqual({ type: 'cancel' });
    // the help: q quits, j scrolls, any other key closes
    expect(keyToAction('q', {}, 'help')).toEqual({ type: 'quit' });
    expect(keyToAction('j', {}, 'help')).toEqual({ type: 'move', delta: 1 });
    expect(keyToAction('x', {}, 'help')).toEqual({ type: 'cancel' });
  });
});
