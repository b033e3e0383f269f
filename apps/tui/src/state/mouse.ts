/**
 * SGR mouse reports (`ESC [ < b ; x ; y M`), which the app asks for while it runs (render-app.tsx turns the
 * reporting on and always off again). Only the wheel is used: it scrolls the list under the pointer.
 */

export const MOUSE_ON = '\u001b[?1000h\u001b[?1006h';
export const MOUSE_OFF = '\u001b[?1006l\u001b[?1000l';

export interface MouseEvent {
  /** 1-based terminal cell */
  x: number;
  y: number;
  /** -1 wheel up, 1 wheel down, 0 anything else (clicks, releases) */
  wheel: -1 | 0 | 1;
}

// Ink hands the sequence over with or without its leading ESC
const SGR = /^(?:\u001b)?\[<(\d+);(\d+);(\d+)([Mm])$/;

export function parseMouse(input: string): MouseEvent | null {
  const m = SGR.exec(input);
  if (!m) return null;
  const b = Number(m[1]);
  // bit 6 marks wheel buttons; bit 0 tells up (0) from down (1); shift/meta/ctrl bits (4, 8, 16) are ignored
  const wheel = b & 64 ? (b & 1 ? 1 : -1) : 0;
  return { x: Number(m[2]), y: Number(m[3]), wheel: m[4] === 'M' ? wheel : 0 };
}

export const isMouse = (input: string) => SGR.test(input);
