/**
 * `useInput` whose handler always sees the latest render. Ink re-subscribes its handler in a passive
 * effect, which React may run after the frame is already on screen; a key typed in that gap would reach
 * the previous render's handler. A layout effect updates the ref during the commit, before any key.
 */
import { useCallback, useLayoutEffect, useRef } from 'react';
import { useInput } from 'ink';
import type { Key } from 'ink';

export function useKeys(handler: (input: string, key: Key) => void): void {
  const ref = useRef(handler);
  useLayoutEffect(() => {
    ref.current = handler;
  });
  useInput(useCallback((input: string, key: Key) => ref.current(input, key), []));
}
