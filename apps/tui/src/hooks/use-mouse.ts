/** Mouse wheel events (SGR reports) from Ink's input stream; keys are left to useInput / useKeys. */
import { useEffect, useLayoutEffect, useRef } from 'react';
import { useStdin } from 'ink';
import { parseMouse } from '../state/mouse.js';
import type { MouseEvent } from '../state/mouse.js';

export function useMouseWheel(handler: (e: MouseEvent) => void): void {
  const { internal_eventEmitter: events } = useStdin();
  const ref = useRef(handler);
  useLayoutEffect(() => {
    ref.current = handler;
  });
  useEffect(() => {
    const onInput = (data: string) => {
      const e = parseMouse(data);
      if (e && e.wheel) ref.current(e);
    };
    events?.on('input', onInput);
    return () => {
      events?.off('input', onInput);
    };
  }, [events]);
}
