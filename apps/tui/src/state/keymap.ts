/** Keys → actions. Pure, so tests and the help screen share one table. */
import type { Action } from './navigation.js';
import { isMouse } from './mouse.js';

/** `dialog`: a confirm dialog is open; `help`: the help screen is open (any key closes it). */
export type KeyMode = 'normal' | 'help' | 'dialog';

/** The subset of Ink's `Key` the map reads. */
export interface KeyInfo {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  tab?: boolean;
  shift?: boolean;
  ctrl?: boolean;
}

export const HELP_LINES: [string, string][] = [
  ['↑ ↓  j k', 'move the cursor / scroll the open view'],
  ['PgUp PgDn  g G', 'page up / down, first / last'],
  ['Tab  Shift-Tab', 'switch pane (files, history, view)'],
  ['Enter', 'open: file → its history, version → details'],
  ['Esc', 'back / close the view'],
  ['d', 'diff: version vs previous (from files: latest vs working file)'],
  ['w', 'in the diff: switch between previous version and working file'],
  ['r', 'restore the selected version (asks first)'],
  ['v', 'verify every stored version against its checksum'],
  ['p', 'retention plan: what would be archived and why'],
  ['a', 'in the retention plan: apply it (asks first)'],
  ['c', 'remotes and copies (3-2-1) of the selected version'],
  ['u', 'in the remotes view: push to every remote (asks first)'],
  // archives, experiments, table diffs, cancel, mouse (hooks/use-extra-views.ts)
  ['A', 'retention archives: period, size, versions, check; Enter lists the versions inside'],
  ['r  v', 'in an archive: restore the selected version (asks first) / check the archive'],
  ['E', 'experiments: their files and versions; Enter lists them, Enter again goes to one'],
  ['← → h l', 'in a table diff (focused): scroll the columns'],
  ['Enter', 'in a table diff: every cell of the row'],
  ['[ ]', 'in a table diff: previous / next sheet or table'],
  ['Esc', 'cancel a running verify, archive check or diff'],
  ['wheel', 'scroll the list under the mouse pointer'],
  ['?', 'this help'],
  ['q', 'quit'],
];

export function keyToAction(input: string, key: KeyInfo, mode: KeyMode): Action | null {
  if (mode === 'help') return input === 'q' ? { type: 'quit' } : { type: 'cancel' };
  if (mode === 'dialog') {
    if (input === 'y' || input === 'Y' || key.return) return { type: 'confirm' };
    if (input === 'n' || input === 'N' || key.escape || input === 'q') return { type: 'cancel' };
    return null;
  }
  if (key.upArrow || input === 'k') return { type: 'move', delta: -1 };
  if (key.downArrow || input === 'j') return { type: 'move', delta: 1 };
  if (key.pageUp) return { type: 'page', dir: -1 };
  if (key.pageDown || input === ' ') return { type: 'page', dir: 1 };
  if (key.home || input === 'g') return { type: 'home' };
  if (key.end || input === 'G') return { type: 'end' };
  if (key.tab) return key.shift ? { type: 'focusPrev' } : { type: 'focusNext' };
  if (key.return || key.rightArrow) return { type: 'open' };
  if (key.escape || key.leftArrow) return { type: 'back' };
  switch (input) {
    case 'd':
      return { type: 'diff' };
    case 'w':
      return { type: 'toggleDiffTarget' };
    case 'r':
      return { type: 'restore' };
    case 'v':
      return { type: 'verify' };
    case 'p':
      return { type: 'retention' };
    case 'a':
      return { type: 'apply' };
    case 'c':
      return { type: 'remotes' };
    case 'u':
      return { type: 'push' };
    case 'A':
      return { type: 'archives' };
    case 'E':
      return { type: 'experiments' };
    case '?':
      return { type: 'help' };
    case 'q':
      return { type: 'quit' };
  }
  return null;
}

/**
 * Terminals deliver keys typed fast (or sent together, e.g. by tmux send-keys) as one chunk, which Ink
 * hands over as one multi-character `input` such as "\tdj". Split such a chunk into single keys; chunks
 * with escape sequences (arrows, PgDn) or with a key Ink recognised are left as they are.
 */
export function splitInput(input: string, key: KeyInfo): [string, KeyInfo][] {
  // a mouse report (wheel) is handled by use-mouse.ts, never as keys
  if (isMouse(input)) return [];
  const recognised = Object.entries(key).some(([k, v]) => v === true && k !== 'shift' && k !== 'meta');
  if (input.length <= 1 || recognised || input.includes('\u001b')) return [[input, key]];
  const out: [string, KeyInfo][] = [];
  for (const ch of input) {
    if (ch === '\t') out.push(['', { tab: true }]);
    else if (ch === '\r' || ch === '\n') out.push(['', { return: true }]);
    else out.push([ch, /[A-Z]/.test(ch) ? { shift: true } : {}]);
  }
  return out;
}
