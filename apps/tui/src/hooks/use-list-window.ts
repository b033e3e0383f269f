/** The visible rows of a list, remembering the last window so it only moves when the cursor leaves it. */
import { useRef } from 'react';
import { listWindow } from '../state/list-window.js';
import type { ListWindow } from '../state/list-window.js';

export function useListWindow(count: number, cursor: number, height: number): ListWindow {
  const prev = useRef(0);
  const w = listWindow(count, cursor, height, prev.current);
  prev.current = w.start;
  return w;
}
