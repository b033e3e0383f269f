/**
 * `useInput` whose handler always sees the latest render.
 * - Ink re-subscribes its handler in a passive effect, which React may run after the frame is already on
 *   screen; a key typed in that gap would reach the previous render's handler. A layout effect updates
 *   the ref during the commit, before any key can arrive.
 * - Several keys in one chunk (typed fast, pasted, tmux send-keys) are split (see `splitInput`) and handled
 *   one per render, so each key sees the state the previous one produced.
 */
import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import { useInput } from 'ink';
import type { Key } from 'ink';
import { splitInput } from '../state/keymap.js';
import type { KeyInfo } from '../state/keymap.js';

export function useKeys(handler: (input: string, key: KeyInfo) => void): void {
  const ref = useRef(handler);
  const queue = useRef<[string, KeyInfo][]>([]);
  const [tick, setTick] = useState(0);
  useLayoutEffect(() => {
    ref.current = handler;
  });
  const step = useCallback(() => {
    const next = queue.current.shift();
    if (!next) return;
    ref.current(next[0], next[1]);
    // the rest waits for the render this key caused
    if (queue.current.length) setTick((t) => t + 1);
  }, []);
  useLayoutEffect(step, [tick, step]);
  useInput(
    useCallback(
      (input: string, key: Key) => {
        const idle = queue.current.length === 0;
        queue.current.push(...splitInput(input, key));
        if (idle) step();
      },
      [step],
    ),
  );
}
