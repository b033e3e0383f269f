/**
 * Keys → actions. One table (`KEYMAP`) is the single source: `keyToAction` looks keys up in it and the
 * help screen is rendered from it, so a key cannot work without being listed (keymap.test.ts checks).
 */
import type { Action } from './navigation.js';
import { isMouse } from './mouse.js';

/**
 * `dialog`: a confirm dialog is open; `help`: the help screen is open (any key closes it);
 * `prompt`: a text prompt is open (Enter / Esc here, every other key edits the text);
 * `screen`: keys of the archives / experiments screens and table diffs, which hooks/use-extra-views.ts handles
 * before the normal map (listed here for the help screen).
 */
export type KeyMode = 'normal' | 'help' | 'dialog' | 'prompt' | 'screen';

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
  meta?: boolean;
  backspace?: boolean;
  delete?: boolean;
}

/** Named keys; any other key name in the table is the one character it types. */
export const NAMED_KEYS = ['Up', 'Down', 'Left', 'Right', 'PgUp', 'PgDn', 'Home', 'End', 'Enter', 'Esc', 'Tab', 'Shift-Tab', 'Backspace', 'Ctrl-A', 'Ctrl-E', 'Ctrl-U', 'Space', 'any key'] as const;
export type KeyName = (typeof NAMED_KEYS)[number] | (string & {});

/** Where a key works (the help screen groups by it). */
export type KeyContext = 'move' | 'files & history' | 'views' | 'archives, experiments, table diffs' | 'app' | 'confirm dialogs' | 'text prompts' | 'help screen';

export interface KeyEntry {
  keys: KeyName[];
  /** short name, used in the footer hints */
  label: string;
  context: KeyContext;
  description: string;
  mode: KeyMode;
  /** what the key does; absent for prompt editing keys, which the line editor (state/line-edit.ts) applies */
  action?: Action;
}

const k = (mode: KeyMode, context: KeyContext, keys: KeyName[], label: string, description: string, action?: Action): KeyEntry => ({ mode, context, keys, label, description, ...(action ? { action } : {}) });

export const KEYMAP: readonly KeyEntry[] = [
  k('normal', 'move', ['Up', 'k'], 'up', 'move the cursor up / scroll the open view', { type: 'move', delta: -1 }),
  k('normal', 'move', ['Down', 'j'], 'down', 'move the cursor down / scroll the open view', { type: 'move', delta: 1 }),
  k('normal', 'move', ['PgUp'], 'page up', 'page up (the open view, else the list)', { type: 'page', dir: -1 }),
  k('normal', 'move', ['PgDn', 'Space'], 'page down', 'page down (the open view, else the list)', { type: 'page', dir: 1 }),
  k('normal', 'move', ['Home', 'g'], 'first', 'first item / top of the view', { type: 'home' }),
  k('normal', 'move', ['End', 'G'], 'last', 'last item / end of the view', { type: 'end' }),
  k('normal', 'move', ['Tab'], 'pane', 'next pane (files, history, view)', { type: 'focusNext' }),
  k('normal', 'move', ['Shift-Tab'], 'pane back', 'previous pane', { type: 'focusPrev' }),
  k('normal', 'move', ['Enter', 'Right'], 'open', 'open: file → its history, version → details', { type: 'open' }),
  k('normal', 'move', ['Esc', 'Left'], 'back', 'clear the pane filter, else back / close the view', { type: 'back' }),
  // --- issue 15 (work): save, tag, mark, filter
  k('normal', 'files & history', ['s'], 'save', 'save the selected modified or new file (asks first)', { type: 'save' }),
  k('normal', 'files & history', ['S'], 'save all', 'save every modified and new file at once', { type: 'saveAll' }),
  k('normal', 'files & history', ['t'], 'tag', 'tag the selected version (name sp/<path>/v<n>)', { type: 'tag' }),
  k('normal', 'files & history', ['m'], 'mark', 'mark / unmark the selected version (up to two)', { type: 'mark' }),
  k('normal', 'files & history', ['D'], 'diff marked', 'diff the two marked versions (older → newer)', { type: 'diffMarked' }),
  k('normal', 'files & history', ['/'], 'filter', 'filter the list: path; text, tag, experiment, date', { type: 'filter' }),
  k('normal', 'files & history', ['n'], 'next match', 'next match of the filter (wraps)', { type: 'match', dir: 1 }),
  k('normal', 'files & history', ['N'], 'prev match', 'previous match of the filter (wraps)', { type: 'match', dir: -1 }),
  // ---
  k('normal', 'files & history', ['d'], 'diff', 'diff vs previous (from files: vs the working file)', { type: 'diff' }),
  k('normal', 'files & history', ['r'], 'restore', 'restore the selected version (asks first)', { type: 'restore' }),
  k('normal', 'views', ['w'], 'vs working', 'in the diff: previous version / working file', { type: 'toggleDiffTarget' }),
  k('normal', 'views', ['a'], 'apply', 'in the retention plan: apply it (asks first)', { type: 'apply' }),
  k('normal', 'views', ['u'], 'push', 'remotes view: push to every remote (asks first)', { type: 'push' }),
  k('normal', 'app', ['v'], 'verify', 'verify every stored version against its checksum', { type: 'verify' }),
  k('normal', 'app', ['p'], 'plan', 'retention plan: what would be archived and why', { type: 'retention' }),
  k('normal', 'app', ['c'], 'copies', 'remotes and copies (3-2-1) of the selected version', { type: 'remotes' }),
  // --- archives, experiments, table diffs, cancel, mouse (hooks/use-extra-views.ts)
  k('normal', 'app', ['A'], 'archives', 'retention archives: period, size, versions, check; Enter lists the versions inside', { type: 'archives' }),
  k('normal', 'app', ['E'], 'experiments', 'experiments: their files and versions; Enter lists them, Enter again goes to one', { type: 'experiments' }),
  k('screen', 'archives, experiments, table diffs', ['r', 'v'], 'archive', 'in an archive: restore the selected version (asks first) / check the archive'),
  k('screen', 'archives, experiments, table diffs', ['Left', 'Right', 'h', 'l'], 'columns', 'in a table diff (focused): scroll the columns'),
  k('screen', 'archives, experiments, table diffs', ['Enter'], 'row cells', 'in a table diff: every cell of the row; in a list: open it'),
  k('screen', 'archives, experiments, table diffs', ['[', ']'], 'sheet', 'in a table diff: previous / next sheet or table'),
  k('screen', 'archives, experiments, table diffs', ['Esc'], 'cancel', 'cancel a running verify, archive check or diff; else back'),
  k('screen', 'archives, experiments, table diffs', ['wheel'], 'scroll', 'scroll the list under the mouse pointer'),
  // ---
  k('normal', 'app', ['?'], 'help', 'this help', { type: 'help' }),
  k('normal', 'app', ['q'], 'quit', 'quit', { type: 'quit' }),
  k('dialog', 'confirm dialogs', ['y', 'Y', 'Enter'], 'yes', 'yes: do what the dialog asks', { type: 'confirm' }),
  k('dialog', 'confirm dialogs', ['n', 'N', 'Esc', 'q'], 'no', 'no: close the dialog, nothing changes', { type: 'cancel' }),
  k('prompt', 'text prompts', ['Enter'], 'ok', 'accept the text (next question, or run)', { type: 'confirm' }),
  k('prompt', 'text prompts', ['Esc'], 'cancel', 'cancel (a filter prompt keeps the old filter)', { type: 'cancel' }),
  k('prompt', 'text prompts', ['Left', 'Right'], 'cursor', 'move the text cursor'),
  k('prompt', 'text prompts', ['Home', 'End', 'Ctrl-A', 'Ctrl-E'], 'start / end', 'to the start / end of the text'),
  k('prompt', 'text prompts', ['Backspace'], 'delete', 'delete the character before the cursor'),
  k('prompt', 'text prompts', ['Ctrl-U'], 'clear', 'clear the text'),
  k('help', 'help screen', ['Down', 'j'], 'down', 'scroll the help down', { type: 'move', delta: 1 }),
  k('help', 'help screen', ['Up', 'k'], 'up', 'scroll the help up', { type: 'move', delta: -1 }),
  k('help', 'help screen', ['PgDn', 'Space'], 'page down', 'page the help down', { type: 'page', dir: 1 }),
  k('help', 'help screen', ['PgUp'], 'page up', 'page the help up', { type: 'page', dir: -1 }),
  k('help', 'help screen', ['q'], 'quit', 'quit', { type: 'quit' }),
  k('help', 'help screen', ['any key'], 'close', 'close the help', { type: 'cancel' }),
];

/** Display form of a key name (arrows as arrows). */
export function keyLabel(name: KeyName): string {
  const arrows: Record<string, string> = { Up: '↑', Down: '↓', Left: '←', Right: '→' };
  return arrows[name] ?? name;
}

/** Rows of the help screen: a heading per context, then its keys and what they do, in table order. */
export type HelpRow = { kind: 'heading'; text: string } | { kind: 'key'; keys: string; text: string };

export function helpRows(): HelpRow[] {
  const rows: HelpRow[] = [];
  const contexts = [...new Set(KEYMAP.map((e) => e.context))];
  for (const c of contexts) {
    rows.push({ kind: 'heading', text: c });
    for (const e of KEYMAP) if (e.context === c) rows.push({ kind: 'key', keys: e.keys.map(keyLabel).join(' '), text: e.description });
  }
  return rows;
}

/** [keys, description] per entry (kept for callers of the old help table) */
export const HELP_LINES: [string, string][] = KEYMAP.map((e) => [e.keys.map(keyLabel).join(' '), e.description]);

/** The key names one key press matches (a named key, else the character typed). */
export function pressedNames(input: string, key: KeyInfo): KeyName[] {
  if (key.upArrow) return ['Up'];
  if (key.downArrow) return ['Down'];
  if (key.leftArrow) return ['Left'];
  if (key.rightArrow) return ['Right'];
  if (key.pageUp) return ['PgUp'];
  if (key.pageDown) return ['PgDn'];
  if (key.home) return ['Home'];
  if (key.end) return ['End'];
  if (key.return) return ['Enter'];
  if (key.escape) return ['Esc'];
  if (key.tab) return [key.shift ? 'Shift-Tab' : 'Tab'];
  if (key.backspace || key.delete) return ['Backspace'];
  if (key.ctrl && input.length === 1) return [`Ctrl-${input.toUpperCase()}`];
  if (input === ' ') return ['Space'];
  return input.length === 1 ? [input] : [];
}

export function keyToAction(input: string, key: KeyInfo, mode: KeyMode): Action | null {
  const names = pressedNames(input, key);
  for (const e of KEYMAP) {
    if (e.mode !== mode || !e.action) continue;
    if (e.keys.some((n) => names.includes(n) || (n === 'any key' && names.length > 0))) return e.action;
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
    else if (ch === '\u007f' || ch === '\b') out.push(['', { backspace: true }]);
    else out.push([ch, /[A-Z]/.test(ch) ? { shift: true } : {}]);
  }
  return out;
}
