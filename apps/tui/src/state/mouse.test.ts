import { expect, test } from 'vitest';
import { isMouse, parseMouse } from './mouse.js';
import { splitInput } from './keymap.js';

test('wheel up / down with the cell, clicks are not wheel', () => {
  expect(parseMouse('\u001b[<64;12;5M')).toEqual({ x: 12, y: 5, wheel: -1 });
  expect(parseMouse('[<65;80;24M')).toEqual({ x: 80, y: 24, wheel: 1 });
  // shift + wheel still scrolls
  expect(parseMouse('[<69;1;1M')).toEqual({ x: 1, y: 1, wheel: 1 });
  expect(parseMouse('[<0;3;4M')).toEqual({ x: 3, y: 4, wheel: 0 });
  expect(parseMouse('[<0;3;4m')).toEqual({ x: 3, y: 4, wheel: 0 });
  expect(parseMouse('j')).toBeNull();
  expect(parseMouse('[<64;1M')).toBeNull();
});

test('a mouse report never turns into key presses', () => {
  // Ink strips the ESC; without this the chunk would split into "[", "<", "6", … "M"
  expect(isMouse('[<64;12;5M')).toBe(true);
  expect(splitInput('[<64;12;5M', {})).toEqual([]);
  expect(splitInput('jk', {})).toEqual([['j', {}], ['k', {}]]);
});
