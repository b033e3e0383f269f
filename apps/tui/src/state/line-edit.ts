/**
 * A one-line text editor as pure state: the prompts (save description, tag name, filter) feed it the keys
 * the keymap leaves to it. Cursor positions count code points, so é or an emoji is one step.
 */
import type { KeyInfo } from './keymap.js';

export interface LineState {
  /** the text as code points */
  chars: string[];
  /** 0 … chars.length */
  cursor: number;
}

export const lineOf = (text: string): LineState => {
  const chars = [...text];
  return { chars, cursor: chars.length };
};

export const lineText = (s: LineState): string => s.chars.join('');

/** Apply one key; keys that do not edit (arrows up/down, Tab, …) return the state unchanged. */
export function editLine(s: LineState, input: string, key: KeyInfo): LineState {
  if (key.leftArrow) return s.cursor > 0 ? { ...s, cursor: s.cursor - 1 } : s;
  if (key.rightArrow) return s.cursor < s.chars.length ? { ...s, cursor: s.cursor + 1 } : s;
  if (key.home || (key.ctrl && input === 'a')) return { ...s, cursor: 0 };
  if (key.end || (key.ctrl && input === 'e')) return { ...s, cursor: s.chars.length };
  if (key.backspace || key.delete) {
    if (s.cursor === 0) return s;
    return { chars: [...s.chars.slice(0, s.cursor - 1), ...s.chars.slice(s.cursor)], cursor: s.cursor - 1 };
  }
  if (key.ctrl && input === 'u') return { chars: [], cursor: 0 };
  if (key.ctrl || key.meta || key.upArrow || key.downArrow || key.tab || key.return || key.escape || key.pageUp || key.pageDown) return s;
  // printable text only: control characters would break commit messages and tag names
  const add = [...input].filter((c) => c >= ' ' && c !== '\u007f');
  if (add.length === 0) return s;
  return { chars: [...s.chars.slice(0, s.cursor), ...add, ...s.chars.slice(s.cursor)], cursor: s.cursor + add.length };
}
